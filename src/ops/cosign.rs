//! `scelle cosign`: a witness (counsel, the opposing expert, a court clerk) checks a
//! checkpoint against the ledger and adds a C2SP cosignature to the case's stored copy.

use crate::error::{Error, Result};
use crate::format::cosign::{check_note, cosign as cosign_note};
use crate::format::merkle::{ct_eq, leaf_hash, Frontier};
use crate::store::case::CaseDir;
use crate::store::checkpoints;
use crate::store::fsutil;
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::read_all_lines;
use std::path::{Path, PathBuf};

/// What `cosign` did.
#[derive(Debug)]
pub struct Cosigned {
    /// The case's checkpoint file that now carries the cosignature.
    pub path: PathBuf,
    /// The tree size cosigned.
    pub size: u64,
    /// The cosignature time (seconds since 1970).
    pub time: u64,
}

/// Cosigns the checkpoint in `file` with `key`, after checking it against the ledger.
pub fn cosign(case: &CaseDir, file: &Path, key: &LoadedKey) -> Result<Cosigned> {
    let _lock = case.lock()?;
    let given = checkpoints::read(file)?;
    let lines = read_all_lines(case)?;
    let mut state = crate::format::chain::ChainState::new();
    let mut frontier = Frontier::new();
    let size = given.checkpoint.size;
    let mut root_at_size = (size == 0).then(|| frontier.root());
    for l in &lines {
        state.apply_shared(l, None);
        frontier.push(leaf_hash(l));
        if frontier.size() == size {
            root_at_size = Some(frontier.root());
        }
    }
    let origin = state
        .case
        .as_ref()
        .map(|c| c.origin.clone())
        .unwrap_or_default();
    let fail = |why: String| {
        Err(Error::input(format!(
            "{}: {why}; not cosigned",
            file.display()
        )))
    };
    if given.checkpoint.origin != origin {
        return fail(format!(
            "origin {:?} is not this case's",
            given.checkpoint.origin
        ));
    }
    match root_at_size {
        None => {
            return fail(format!(
                "size {size} is larger than the ledger ({} entries)",
                lines.len()
            ))
        }
        Some(r) if !ct_eq(&r, &given.checkpoint.root) => {
            return fail("its root does not match the ledger: the ledger was rewritten".into())
        }
        _ => {}
    }
    let now = crate::format::cosign::now_secs();
    let check = check_note(&state, &given.note, size, now);
    if check.signed_by.is_empty() || !check.invalid.is_empty() || !check.misplaced.is_empty() {
        return fail(format!(
            "it does not carry a valid signature by a key of this case that may sign size {size}"
        ));
    }
    let me = state
        .active_key(&key.id())
        .ok_or_else(|| Error::input(format!("{}: the witness key is not enrolled (or is revoked) in this case; the administrator enrols it with `scelle key enrol --role witness`", key.path.display())))?;
    if let Err(why) = state.may_sign_checkpoint(me, size) {
        return fail(format!(
            "{why}: a witness cosigns a checkpoint of the ledger as it was when its key was enrolled, or later; cosign the latest checkpoint"
        ));
    }
    let stored_path = case.checkpoints().join(checkpoints::file_name(size));
    let mut stored = checkpoints::read_in_case(&stored_path)?;
    if stored.note.text != given.note.text {
        return fail(format!(
            "{} holds a different text for size {size}",
            stored_path.display()
        ));
    }
    let time = now;
    let line = cosign_note(&stored.note, &me.record.name, &key.signing, time);
    stored
        .note
        .signatures
        .retain(|s| !(s.name == line.name && s.key_id == line.key_id));
    stored.note.signatures.push(line);
    fsutil::atomic_write(&stored_path, stored.note.encode().as_bytes(), 0o644)?;
    Ok(Cosigned {
        path: stored_path,
        size,
        time,
    })
}
