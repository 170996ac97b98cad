//! `scelle prove` (RFC 6962 inclusion proof of one entry against the latest checkpoint) and
//! `scelle consistency` (proof that the ledger only grew since an older checkpoint).

use crate::error::{Error, Result};
use crate::format::body::{Body, KIND_SEAL};
use crate::format::chain::ChainState;
use crate::format::encoding::{b64, hex, unb64, unhex};
use crate::format::entry::{SharedLine, TypedLine};
use crate::format::merkle::{self, leaf_hash, Hash};
use crate::store::case::CaseDir;
use crate::store::checkpoints::{self, StoredCheckpoint};
use crate::store::flatjson::{read_flat_object, FlatValue};
use crate::store::ledger::read_all_lines;
use serde::Serialize;
use sha2::Digest;
use std::path::Path;

/// An inclusion proof, with everything needed to check it by hand (docs/FORMAT.md).
#[derive(Debug, Clone, Serialize)]
pub struct InclusionProof {
    /// The exhibit, when proving a seal.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exhibit: Option<String>,
    /// The entry's sequence number, which is its leaf index.
    pub leaf_index: u64,
    /// The tree size of the checkpoint proved against.
    pub tree_size: u64,
    /// The entry's line (the leaf's data).
    pub line: ProvedLine,
    /// SHA-256(0x00 || line), hex.
    pub leaf_hash: String,
    /// The audit path, hex, leaf to root.
    pub path: Vec<String>,
    /// The root, base64 (as in the checkpoint).
    pub root: String,
    /// The checkpoint proved against: its file and signed note text.
    pub checkpoint_file: String,
    /// The signed note.
    pub checkpoint: String,
}

/// A consistency proof between an older checkpoint and the latest one.
#[derive(Debug, Clone, Serialize)]
pub struct ConsistencyProof {
    /// The old checkpoint's size.
    pub old_size: u64,
    /// The old root, base64.
    pub old_root: String,
    /// The latest checkpoint's size.
    pub new_size: u64,
    /// The latest root, base64.
    pub new_root: String,
    /// The proof hashes, hex.
    pub proof: Vec<String>,
    /// Whether the proof verifies (RFC 9162 2.1.4.2): false means the ledger was rewritten.
    pub consistent: bool,
    /// Names of case keys whose signatures on the old checkpoint verify.
    pub old_signed_by: Vec<String>,
    /// The latest checkpoint's signed note.
    pub new_checkpoint: String,
}

/// The chain state after applying `lines` in order.
pub fn state_of(lines: &[SharedLine]) -> ChainState {
    let mut s = ChainState::new();
    for l in lines {
        s.apply_shared(l, None);
    }
    s
}

/// Who, among the case's keys, signed or cosigned this checkpoint validly.
fn signers(state: &ChainState, cp: &StoredCheckpoint) -> Vec<String> {
    let check = crate::format::cosign::check_note(
        state,
        &cp.note,
        cp.checkpoint.size,
        crate::format::cosign::now_secs(),
    );
    let mut names = check.signed_by;
    names.extend(check.cosigned_by.into_iter().map(|(n, _)| n));
    names
}

/// Finds the entry for `target`: an exhibit id (`E-0003`) or a sequence number.
fn find_target(lines: &[SharedLine], target: &str) -> Result<(u64, Option<String>)> {
    if let Ok(seq) = target.parse::<u64>() {
        if seq as usize >= lines.len() {
            return Err(Error::input(format!(
                "entry {seq} does not exist (the ledger has {} entries)",
                lines.len()
            )));
        }
        return Ok((seq, None));
    }
    for (i, l) in lines.iter().enumerate() {
        if let Ok((e, body)) = TypedLine::parse_shared_or_explain(l) {
            if e.kind == KIND_SEAL {
                if let Ok(Body::Seal(s)) = body {
                    if s.exhibit == target {
                        return Ok((i as u64, Some(s.exhibit.clone())));
                    }
                }
            }
        }
    }
    Err(Error::input(format!(
        "{target}: no such exhibit or entry number; `scelle log` lists them"
    )))
}

/// The inclusion proof of `target` against the latest checkpoint.
pub fn prove(case: &CaseDir, target: &str) -> Result<InclusionProof> {
    let lines = read_all_lines(case)?;
    let (seq, exhibit) = find_target(&lines, target)?;
    let state = state_of(&lines);
    Prover::new(case, &lines, &state)?.prove(seq, exhibit)
}

/// Inclusion proofs of entries of one ledger against its latest checkpoint: the checkpoint
/// found and the leaf hashes computed once, however many entries are proved (a bundle
/// carries one proof per exhibit).
pub struct Prover<'a> {
    lines: &'a [SharedLine],
    cp: StoredCheckpoint,
    /// The leaf hashes of the checkpoint's first `size` lines.
    leaves: Vec<Hash>,
}

impl<'a> Prover<'a> {
    /// The prover for the ledger of `case` whose lines are `lines` and state after them
    /// `state`: against its latest checkpoint signed by a case key.
    pub fn new(case: &CaseDir, lines: &'a [SharedLine], state: &ChainState) -> Result<Self> {
        let cp = checkpoints::latest(case, state)?;
        let size = cp.checkpoint.size;
        if size as usize > lines.len() {
            return Err(Error::input(format!(
                "{}: checkpoint size {size} exceeds the ledger's {} entries; run `scelle verify`",
                cp.path.display(),
                lines.len()
            )));
        }
        let leaves: Vec<Hash> = lines[..size as usize]
            .iter()
            .map(|l| leaf_hash(l))
            .collect();
        Ok(Prover { lines, cp, leaves })
    }

    /// The inclusion proof of entry `seq` (the seal of `exhibit`, if it is one).
    pub fn prove(&self, seq: u64, exhibit: Option<String>) -> Result<InclusionProof> {
        let (cp, leaves) = (&self.cp, &self.leaves);
        let size = cp.checkpoint.size;
        if seq >= size {
            return Err(Error::input(format!(
                "entry {seq} is newer than the latest checkpoint (size {size}); append again or wait for the next checkpoint"
            )));
        }
        let path = merkle::inclusion_proof(leaves, seq as usize).expect("index in range");
        merkle::verify_inclusion(seq, size, &leaves[seq as usize], &path, &cp.checkpoint.root)
            .map_err(|e| {
                Error::input(format!(
                    "{}: the ledger does not match this checkpoint ({e}); run `scelle verify`",
                    cp.path.display()
                ))
            })?;
        Ok(InclusionProof {
            exhibit,
            leaf_index: seq,
            tree_size: size,
            line: ProvedLine(self.lines[seq as usize].clone()),
            leaf_hash: hex(&leaves[seq as usize]),
            path: path.iter().map(|h| hex(h)).collect(),
            root: b64(&cp.checkpoint.root),
            checkpoint_file: cp.path.display().to_string(),
            checkpoint: cp.note.encode(),
        })
    }
}

/// The line an inclusion proof proves: shared with the ledger read (not copied), written as
/// a JSON string (lossily if it is not UTF-8, which no valid entry is).
#[derive(Debug, Clone)]
pub struct ProvedLine(pub SharedLine);

impl ProvedLine {
    /// The line as text.
    pub fn text(&self) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(&self.0)
    }
}

impl Serialize for ProvedLine {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.text())
    }
}

/// The consistency proof from the checkpoint in `old_file` to the latest checkpoint, proved
/// against the ledger itself (docs/FORMAT.md section 8.4): the old checkpoint must be this
/// case's (origin) and signed by a key enrolled in the ledger's first `old size` entries; the
/// latest checkpoint is the one of the largest size among the files named by their size (its
/// text must be of that size); both roots are recomputed from the ledger's lines. Consistent
/// only if the old root is the ledger's root at the old size, the latest checkpoint's root is
/// the ledger's at its size and is signed by a case key, and the RFC 9162 proof computed from
/// the ledger verifies between the two.
pub fn consistency(case: &CaseDir, old_file: &Path) -> Result<ConsistencyProof> {
    let old = checkpoints::read(old_file)?;
    let lines = read_all_lines(case)?;
    let state = state_of(&lines);
    let latest = checkpoints::latest(case, &state)?;
    let (m, n) = (old.checkpoint.size, latest.checkpoint.size);
    if m == 0 || m > n {
        return Err(Error::input(format!(
            "{}: size {m} is not between 1 and the latest checkpoint's {n}",
            old_file.display()
        )));
    }
    if n as usize > lines.len() {
        return Err(Error::input(format!(
            "{}: size {n} exceeds the ledger's {} entries; run `scelle verify`",
            latest.path.display(),
            lines.len()
        )));
    }
    // The keys that may have signed the old checkpoint: those of the ledger's first m
    // entries, which its root covers.
    let at_old = state_of(&lines[..m as usize]);
    let origin = at_old
        .case
        .as_ref()
        .map(|c| c.origin.clone())
        .unwrap_or_default();
    if old.checkpoint.origin != origin {
        return Err(Error::input(format!(
            "{}: origin {:?} is not this case's ({origin:?})",
            old_file.display(),
            old.checkpoint.origin
        )));
    }
    let now = crate::format::cosign::now_secs();
    if crate::format::cosign::check_note(&state, &old.note, m, now)
        .signed_by
        .is_empty()
    {
        return Err(Error::input(format!(
            "{}: not signed by a key of this case enrolled in its first {m} entries; a consistency proof needs the checkpoint a case key signed",
            old_file.display()
        )));
    }
    let leaves: Vec<Hash> = lines[..n as usize].iter().map(|l| leaf_hash(l)).collect();
    let ledger_old_root = merkle::root_of(&leaves[..m as usize]);
    let ledger_new_root = merkle::root_of(&leaves);
    let proof = merkle::consistency_proof(&leaves, m as usize).expect("sizes in range");
    let latest_ok = latest.checkpoint.origin == origin
        && merkle::ct_eq(&latest.checkpoint.root, &ledger_new_root)
        && !crate::format::cosign::check_note(&state, &latest.note, n, now)
            .signed_by
            .is_empty();
    let consistent = latest_ok
        && merkle::ct_eq(&old.checkpoint.root, &ledger_old_root)
        && merkle::verify_consistency(m, n, &old.checkpoint.root, &ledger_new_root, &proof).is_ok();
    Ok(ConsistencyProof {
        old_size: m,
        old_root: b64(&old.checkpoint.root),
        new_size: n,
        new_root: b64(&ledger_new_root),
        proof: proof.iter().map(|h| hex(h)).collect(),
        consistent,
        old_signed_by: signers(&state, &old),
        new_checkpoint: latest.note.encode(),
    })
}

/// What checking the proofs of one ledger needs, computed once for all of them (so that the
/// work is linear in the ledger plus the proofs, never ledger × proofs): the leaf hash of
/// every line, the seal entry of every exhibit, and the tree root at each size the proofs name
/// (all in one pass over the leaves, O(log n) per size). The lines themselves are not kept:
/// a proof's line is checked by its leaf hash.
pub struct ProofContext<'a> {
    state: &'a ChainState,
    leaves: Vec<Hash>,
    seals: std::collections::HashMap<String, u64>,
    roots: std::collections::HashMap<u64, Hash>,
    leaf_hashes: u64,
}

impl<'a> ProofContext<'a> {
    /// The context for a ledger of `leaves` (the leaf hash of each line, in order) whose
    /// seals are at `seals` (exhibit → entry), with `state` the chain state after them (the
    /// keys that may sign a checkpoint) and `sizes` the tree sizes whose roots the proofs
    /// will need (a size not given, or larger than the ledger, has no root: the proof naming
    /// it fails).
    pub fn new(
        leaves: Vec<Hash>,
        seals: std::collections::HashMap<String, u64>,
        state: &'a ChainState,
        sizes: impl IntoIterator<Item = u64>,
    ) -> Self {
        let wanted: std::collections::HashSet<u64> = sizes.into_iter().collect();
        let mut roots = std::collections::HashMap::new();
        let mut frontier = merkle::Frontier::new();
        if wanted.contains(&0) {
            roots.insert(0, merkle::empty_root());
        }
        for leaf in &leaves {
            frontier.push(*leaf);
            if wanted.contains(&frontier.size()) {
                roots.insert(frontier.size(), frontier.root());
            }
        }
        let leaf_hashes = leaves.len() as u64;
        ProofContext {
            state,
            leaves,
            seals,
            roots,
            leaf_hashes,
        }
    }

    /// How many leaf hashes were computed: the ledger's size, however many proofs are
    /// checked (a measure of the work, independent of time).
    pub fn leaf_hashes(&self) -> u64 {
        self.leaf_hashes
    }

    /// The root of the whole ledger (MTH of every line).
    pub fn ledger_root(&self) -> Hash {
        self.roots
            .get(&(self.leaves.len() as u64))
            .copied()
            .unwrap_or_else(|| merkle::root_of(&self.leaves))
    }
}

/// The `tree_size` a proof names, if it names one (for [`ProofContext::new`]); its line is
/// read past, not held.
pub fn proof_tree_size(proof: impl std::io::BufRead) -> Option<u64> {
    let (members, _) = read_flat_object(proof, "line", &mut |_| {}).ok()?;
    match members.get("tree_size") {
        Some(FlatValue::Num(n)) => Some(*n),
        _ => None,
    }
}

/// Checks one `scelle prove --json` output (an [`InclusionProof`], as found in a bundle's
/// `data/proofs/EXHIBIT.json`, read from `proof`) against the case's ledger (in `ctx`): it
/// names `exhibit`, its `line` is that exhibit's seal line at `leaf_index` (its leaf hash is
/// the ledger's there), `leaf_hash` is the leaf hash of that line, the audit path leads to
/// `root` (RFC 9162 2.1.3.2), `root` is the ledger's root at `tree_size`, and its checkpoint
/// is the case's, of that size and root, signed by a case key. The work per proof is
/// O(log n) plus the proof's own size, and its line (a seal line may be tens of MiB) is hashed
/// as it is read, never held: the ledger's hashes are `ctx`'s. Returns what does not hold;
/// empty when the proof holds.
pub fn check_inclusion(
    ctx: &ProofContext<'_>,
    proof: impl std::io::BufRead,
    exhibit: &str,
) -> Vec<String> {
    let state = ctx.state;
    let mut wrong = Vec::new();
    let mut line_hash = sha2::Sha256::new();
    line_hash.update([0u8]);
    let (v, has_line) = match read_flat_object(proof, "line", &mut |b| line_hash.update(b)) {
        Ok(v) => v,
        Err(e) => return vec![format!("not a proof ({e})")],
    };
    let num = |k: &str| match v.get(k) {
        Some(FlatValue::Num(n)) => Some(*n),
        _ => None,
    };
    let text_of = |k: &str| match v.get(k) {
        Some(FlatValue::Str(s)) => Some(s.as_str()),
        _ => None,
    };
    let (Some(index), Some(size), true, Some(root), Some(text)) = (
        num("leaf_index"),
        num("tree_size"),
        has_line,
        text_of("root"),
        text_of("checkpoint"),
    ) else {
        return vec!["leaf_index, tree_size, line, root or checkpoint is missing".into()];
    };
    let path: Option<Vec<Hash>> = match v.get("path") {
        Some(FlatValue::Strs(a)) => a.iter().map(|h| unhex::<32>(h)).collect(),
        _ => None,
    };
    let Some(path) = path else {
        return vec!["path is not a list of 64-digit hex hashes".into()];
    };
    let Some(root) = unb64(root).and_then(|r| <Hash>::try_from(r).ok()) else {
        return vec!["root is not a base64 SHA-256 hash".into()];
    };
    if text_of("exhibit") != Some(exhibit) {
        wrong.push(format!("it does not name {exhibit}"));
    }
    match ctx.seals.get(exhibit) {
        Some(&seq) if seq != index => wrong.push(format!(
            "leaf_index is {index}, but {exhibit} is sealed by entry {seq}"
        )),
        Some(_) => {}
        None => wrong.push(format!("the ledger has no seal of {exhibit}")),
    }
    let leaf: Hash = line_hash.finalize().into();
    if ctx.leaves.get(index as usize) != Some(&leaf) {
        wrong.push(format!("line is not the ledger's entry {index}"));
    }
    if text_of("leaf_hash") != Some(hex(&leaf).as_str()) {
        wrong.push("leaf_hash is not SHA-256(0x00 || line)".into());
    }
    if let Err(e) = merkle::verify_inclusion(index, size, &leaf, &path, &root) {
        wrong.push(format!("the audit path does not lead to root ({e})"));
    }
    if size > ctx.leaves.len() as u64 {
        wrong.push(format!(
            "tree_size {size} is larger than the ledger ({} entries)",
            ctx.leaves.len()
        ));
    } else {
        match ctx.roots.get(&size) {
            Some(r) if merkle::ct_eq(r, &root) => {}
            _ => wrong.push(format!("root is not the ledger's root at size {size}")),
        }
    }
    match crate::format::note::Note::parse(text) {
        Err(e) => wrong.push(format!("checkpoint: {e}")),
        Ok(note) => {
            match crate::format::note::Checkpoint::parse_text(&note.text) {
                Ok(cp) if cp.size == size && merkle::ct_eq(&cp.root, &root) => {
                    if state.case.as_ref().map(|c| c.origin.as_str()) != Some(cp.origin.as_str()) {
                        wrong.push(format!("checkpoint origin {} is not the case's", cp.origin));
                    }
                }
                Ok(_) => wrong.push("the checkpoint's size or root is not the proof's".into()),
                Err(e) => wrong.push(format!("checkpoint: {e}")),
            }
            let check = crate::format::cosign::check_note(
                state,
                &note,
                size,
                crate::format::cosign::now_secs(),
            );
            if check.signed_by.is_empty() {
                wrong.push(format!(
                    "the checkpoint is not signed by a key of the case that may sign size {size}"
                ));
            }
            wrong.extend(check.invalid);
            wrong.extend(check.misplaced);
            wrong.extend(check.future);
        }
    }
    wrong
}
