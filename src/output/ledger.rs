//! The results of the commands on the case and its ledger (`init`, `log`, `checkpoint`,
//! `repair`, `cosign`, `prove`, `consistency`, `man`) as text and JSON Lines.

use crate::case::proof::{ConsistencyProof, InclusionProof};
use crate::ops::cosign::Cosigned;
use crate::ops::init::InitOutcome;
use crate::ops::log::LogItem;
use crate::ops::man::ManPages;
use crate::output::message::{say, text, Message, Outcome};
use crate::store::ledger::RepairOutcome;
use std::fmt;
use std::path::PathBuf;

/// What `init` made, with the case id it was given.
#[derive(Debug)]
pub struct Initialised {
    /// The case id given.
    pub case_id: String,
    /// The case made.
    pub outcome: InitOutcome,
}

impl fmt::Display for Initialised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let out = &self.outcome;
        say!(
            f,
            "created case {} in {}",
            self.case_id,
            out.case.root().display()
        )?;
        say!(f, "origin: {}", out.origin)?;
        say!(f, "checkpoint: {}", out.checkpoint.display())
    }
}

impl Outcome for Initialised {}

/// `log`: one entry of the ledger, printed as it is read.
#[derive(Debug)]
pub struct LogRow(pub LogItem);

impl fmt::Display for LogRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let item = &self.0;
        say!(
            f,
            "{:>5}  {}  {:<10} {:<12} {}",
            item.seq,
            item.time,
            item.kind,
            item.signer.as_deref().unwrap_or(&item.key),
            item.summary
        )
    }
}

impl Outcome for LogRow {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::LedgerLine(&self.0.line)]
    }
}

/// `checkpoint`: the latest checkpoint's signed note.
#[derive(Debug)]
pub struct Checkpoint {
    /// Its file.
    pub path: PathBuf,
    /// Its signed note.
    pub note: String,
}

impl fmt::Display for Checkpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        text(f, &self.note)
    }
}

impl Outcome for Checkpoint {}

impl fmt::Display for RepairOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.newline_restored {
            return say!(
                f,
                "restored the newline of the last entry, which was complete and valid; {} complete entries kept",
                self.entries
            );
        }
        match &self.saved_to {
            Some(p) => say!(
                f,
                "moved a torn last line ({} bytes) to {}; {} complete entries kept",
                self.torn_bytes,
                p.display(),
                self.entries
            ),
            None => say!(
                f,
                "nothing to repair: {} complete entries, no torn line",
                self.entries
            ),
        }
    }
}

impl Outcome for RepairOutcome {}

impl fmt::Display for Cosigned {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "cosigned tree size {} at {} in {}",
            self.size,
            crate::output::utc(self.time),
            self.path.display()
        )
    }
}

impl Outcome for Cosigned {}

impl fmt::Display for InclusionProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(x) = &self.exhibit {
            say!(f, "exhibit:    {x}")?;
        }
        say!(f, "leaf index: {}", self.leaf_index)?;
        say!(f, "tree size:  {}", self.tree_size)?;
        say!(f, "leaf hash:  {}", self.leaf_hash)?;
        say!(f, "root:       {}", self.root)?;
        say!(f, "audit path (leaf to root):")?;
        for h in &self.path {
            say!(f, "  {h}")?;
        }
        say!(f, "verified against {}:", self.checkpoint_file)?;
        text(f, &self.checkpoint)
    }
}

impl Outcome for InclusionProof {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Proof(self)]
    }
}

impl fmt::Display for ConsistencyProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "old: size {} root {} (signed by {})",
            self.old_size,
            self.old_root,
            if self.old_signed_by.is_empty() {
                "no key of this case".to_string()
            } else {
                self.old_signed_by.join(", ")
            }
        )?;
        say!(f, "new: size {} root {}", self.new_size, self.new_root)?;
        say!(f, "proof:")?;
        for h in &self.proof {
            say!(f, "  {h}")?;
        }
        if self.consistent {
            say!(
                f,
                "CONSISTENT: the ledger only grew since the old checkpoint"
            )
        } else {
            say!(
                f,
                "INCONSISTENT: the ledger was rewritten since the old checkpoint"
            )
        }
    }
}

impl Outcome for ConsistencyProof {
    fn messages(&self) -> Vec<Message<'_>> {
        vec![Message::Consistency(self)]
    }

    fn ok(&self) -> bool {
        self.consistent
    }
}

impl fmt::Display for ManPages {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "{} man pages written to {}",
            self.count,
            self.dir.display()
        )
    }
}

impl Outcome for ManPages {}

impl fmt::Display for crate::ops::verifier::VerifierWritten {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        say!(
            f,
            "wrote {} ({} bytes), sha256 {}",
            self.path.display(),
            self.bytes,
            self.sha256
        )?;
        say!(
            f,
            "open it in a browser (offline) and drop an evidence bundle (.tar) onto it"
        )
    }
}

impl Outcome for crate::ops::verifier::VerifierWritten {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_line_by_line() {
        let m = ManPages {
            count: 1,
            dir: "a\nb\u{1b}[2J".into(),
        };
        assert_eq!(m.to_string(), "1 man pages written to a\\nb\\x1b[2J\n");
        let c = Checkpoint {
            path: "x".into(),
            note: "origin\n\u{202e}1\n".into(),
        };
        assert_eq!(c.to_string(), "origin\n\\u{202e}1\n");
    }
}
