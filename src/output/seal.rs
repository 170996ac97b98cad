//! The result of `seal` as text and JSON Lines.

use crate::ops::seal::SealOutcome;
use crate::output::message::{say, Message, Outcome};
use std::fmt;

impl fmt::Display for SealOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for s in &self.sealed {
            let a = &s.artifact;
            say!(
                f,
                "sealed {} (entry {}): {} {} — {} bytes",
                s.exhibit,
                s.seq,
                a.kind,
                a.path_given,
                a.size
            )?;
            say!(f, "  sha256 {}", a.hashes.sha256)?;
            if let Some(h) = &a.hashes.sha512 {
                say!(f, "  sha512 {h}")?;
            }
            if let Some(h) = &a.hashes.legacy_md5 {
                say!(f, "  md5 (legacy) {h}")?;
            }
            if let Some(h) = &a.hashes.legacy_sha1 {
                say!(f, "  sha1 (legacy) {h}")?;
            }
            for c in &s.source_hashes {
                if c.matches {
                    say!(
                        f,
                        "  source {} MATCH: acquisition tool {} = sealed {}",
                        c.algorithm,
                        c.source,
                        c.sealed
                    )?;
                } else {
                    say!(
                        f,
                        "  source {} MISMATCH for {}: the acquisition tool reported {}, the sealed copy has {}; recorded as found (verify reports it as `source-hash`)",
                        c.algorithm,
                        s.exhibit,
                        c.source,
                        c.sealed
                    )?;
                }
            }
            if let Some(n) = a.file_count {
                say!(
                    f,
                    "  {n} files, manifest sha256 {}",
                    a.manifest_sha256.as_deref().unwrap_or("")
                )?;
            }
        }
        if let Some(cp) = &self.checkpoint {
            say!(f, "checkpoint: {}", cp.display())?;
        }
        Ok(())
    }
}

impl Outcome for SealOutcome {
    fn messages(&self) -> Vec<Message<'_>> {
        self.sealed.iter().map(Message::Sealed).collect()
    }

    /// A source hash that does not match the sealed copy is exit code 1 (the entry stays).
    fn ok(&self) -> bool {
        self.sources_match()
    }
}
