//! The result of `seal` as text and JSON Lines.

use crate::format::body::EwfImage;
use crate::ops::seal::{Same, SealOutcome};
use crate::output::count;
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
                    "  {}, manifest sha256 {}",
                    count(n, "file", "files"),
                    a.manifest_sha256.as_deref().unwrap_or("")
                )?;
            }
            for (same, what, why) in [
                (Same::Sha256, "SHA-256", "the same content sealed twice"),
                (Same::SealNo, "seal number", "check the number on the seal"),
            ] {
                let earlier: Vec<String> = s
                    .duplicates
                    .iter()
                    .filter(|d| d.same == same)
                    .map(|d| format!("{} (entry {})", d.exhibit, d.entry))
                    .collect();
                if !earlier.is_empty() {
                    say!(
                        f,
                        "  warning: {} has the same {what} as {}: {why}",
                        s.exhibit,
                        earlier.join(", ")
                    )?;
                }
            }
            if let Some(e) = &a.ewf {
                ewf_lines(f, &s.exhibit, e)?;
            }
        }
        if let Some(cp) = &self.checkpoint {
            say!(f, "checkpoint: {}", cp.display())?;
        }
        Ok(())
    }
}

/// An EWF image's header, media and stored-versus-computed digests.
fn ewf_lines(f: &mut fmt::Formatter<'_>, exhibit: &str, e: &EwfImage) -> fmt::Result {
    let h = &e.header;
    say!(
        f,
        "  EWF image: {}, media {} bytes ({} sectors of {}), {} type, header from {}",
        count(e.segments, "segment", "segments"),
        e.media_size,
        e.sector_count,
        e.bytes_per_sector,
        e.media_type,
        e.header_source
    )?;
    for (label, v) in [
        ("case number", &h.case_number),
        ("evidence number", &h.evidence_number),
        ("examiner", &h.examiner),
        ("description", &h.description),
        ("notes", &h.notes),
        ("acquisition date", &h.acquisition_date),
        ("system date", &h.system_date),
        ("software version", &h.software_version),
        ("operating system", &h.os),
    ] {
        if let Some(v) = v {
            say!(f, "    {label}: {v}")?;
        }
    }
    for (name, d) in [("MD5", &e.md5), ("SHA-1", &e.sha1)]
        .into_iter()
        .chain(e.sha256.as_ref().map(|d| ("SHA-256", d)))
    {
        match (&d.stored, d.matches) {
            (Some(st), Some(true)) => say!(f, "  EWF {name} MATCH: stored {st} = media {}", d.computed)?,
            (Some(st), _) => say!(
                f,
                "  EWF {name} MISMATCH for {exhibit}: the image stores {st}, its media reads {}; recorded as found",
                d.computed
            )?,
            (None, _) => say!(f, "  EWF {name}: none stored; media {}", d.computed)?,
        }
    }
    if e.bad_chunk_count > 0 {
        say!(
            f,
            "  EWF UNREADABLE CHUNKS in {exhibit}: {} (their sectors read as zeros); recorded as found",
            e.bad_chunk_count
        )?;
        for b in e.bad_chunks.iter().take(20) {
            say!(
                f,
                "    chunk {} (sectors {}..{}, segment {}): {}",
                b.chunk,
                b.sector,
                b.sector + b.sectors,
                b.segment,
                b.problem
            )?;
        }
    }
    Ok(())
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
