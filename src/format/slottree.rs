//! The fixed-depth Merkle tree over numbered slots that authenticates the rows of the ledger
//! index (docs/FORMAT.md section 10): one row per slot (an exhibit's custody, a scan's
//! findings), the root in the head the writer signs. A row is checked against the root with
//! its [`DEPTH`] siblings, and changed with the same path, in O(log) reads whatever the number
//! of rows. Pure functions, no I/O; checking never panics.

use super::merkle::{ct_eq, leaf_hash, node_hash, Hash};

/// The depth of the tree: 2^32 slots.
pub const DEPTH: u32 = 32;

/// The number of a slot (its leaf's position, from 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slot(pub u64);

impl Slot {
    /// The position of this slot's ancestor (or itself at level 0) at `level`.
    pub fn at(self, level: u32) -> u64 {
        self.0 >> level
    }
    /// The position of the sibling of this slot's ancestor at `level`.
    pub fn sibling_at(self, level: u32) -> u64 {
        self.at(level) ^ 1
    }
    /// Whether the slot fits in the tree.
    pub fn fits(self) -> bool {
        self.0 < (1u64 << DEPTH)
    }
}

/// The hash of the empty subtree of each height, 0 to [`DEPTH`]: 32 zero bytes at height 0 (an
/// empty slot), then node_hash(`h`, `h`) of the one below.
pub fn empties() -> Vec<Hash> {
    let mut out = Vec::with_capacity(DEPTH as usize + 1);
    let mut h = [0u8; 32];
    for _ in 0..=DEPTH {
        out.push(h);
        h = node_hash(&h, &h);
    }
    out
}

/// The leaf hash of a row: RFC 6962's SHA-256(0x00 || row), the row being its canonical JSON.
pub fn row_hash(row: &[u8]) -> Hash {
    leaf_hash(row)
}

/// The nodes from a slot's leaf to the root when the leaf is `leaf` and the siblings
/// (level 0 to `DEPTH - 1`, an absent one being the empty subtree) are `siblings`: element
/// `l` is the node at level `l` on the slot's path; the last is the root. `None` if
/// `siblings` does not hold [`DEPTH`] hashes or the slot does not fit.
pub fn path_up(slot: Slot, leaf: Hash, siblings: &[Hash]) -> Option<Vec<Hash>> {
    if siblings.len() != DEPTH as usize || !slot.fits() {
        return None;
    }
    let mut out = Vec::with_capacity(DEPTH as usize + 1);
    let mut h = leaf;
    out.push(h);
    for (level, sib) in siblings.iter().enumerate() {
        h = if slot.at(level as u32) & 1 == 0 {
            node_hash(&h, sib)
        } else {
            node_hash(sib, &h)
        };
        out.push(h);
    }
    Some(out)
}

/// Whether `row` is in `slot` of the tree of root `root`, given the slot's siblings.
pub fn check_row(slot: Slot, row: &[u8], siblings: &[Hash], root: &Hash) -> bool {
    path_up(slot, row_hash(row), siblings).is_some_and(|p| ct_eq(&p[DEPTH as usize], root))
}

/// Every stored node of a tree whose slots `0..leaves.len()` hold `leaves` (the others are
/// empty), bottom-up: `levels[l]` holds the nodes of level `l` from position 0 (levels 0 to
/// `DEPTH - 1`), and the root is returned beside them.
pub fn build(leaves: Vec<Hash>) -> (Vec<Vec<Hash>>, Hash) {
    let empties = empties();
    let mut levels = Vec::with_capacity(DEPTH as usize);
    let mut cur = leaves;
    for empty in &empties[..DEPTH as usize] {
        let next: Vec<Hash> = cur
            .chunks(2)
            .map(|pair| match pair {
                [l, r] => node_hash(l, r),
                [l] => node_hash(l, empty),
                _ => unreachable!("chunks of two"),
            })
            .collect();
        levels.push(std::mem::replace(&mut cur, next));
    }
    let root = cur.first().copied().unwrap_or(empties[DEPTH as usize]);
    (levels, root)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> Vec<Vec<u8>> {
        (0..n)
            .map(|i| format!("{{\"row\":{i}}}").into_bytes())
            .collect()
    }

    fn siblings(levels: &[Vec<Hash>], slot: Slot) -> Vec<Hash> {
        let e = empties();
        (0..DEPTH)
            .map(|l| {
                levels[l as usize]
                    .get(slot.sibling_at(l) as usize)
                    .copied()
                    .unwrap_or(e[l as usize])
            })
            .collect()
    }

    #[test]
    fn every_row_checks_against_the_built_root_and_no_other_row_does() {
        for n in [0usize, 1, 2, 3, 5, 8, 13] {
            let rows = rows(n);
            let (levels, root) = build(rows.iter().map(|r| row_hash(r)).collect());
            if n == 0 {
                assert_eq!(root, empties()[DEPTH as usize]);
            }
            for (i, r) in rows.iter().enumerate() {
                let slot = Slot(i as u64);
                let sib = siblings(&levels, slot);
                assert!(check_row(slot, r, &sib, &root), "n={n} row {i}");
                // Another slot, another row, a changed byte, a wrong root: refused.
                assert!(!check_row(Slot(i as u64 + 1), r, &sib, &root));
                assert!(!check_row(slot, b"{\"row\":99}", &sib, &root));
                let mut bad = root;
                bad[0] ^= 1;
                assert!(!check_row(slot, r, &sib, &bad));
                assert!(!check_row(slot, r, &sib[1..], &root), "short path");
            }
        }
    }

    #[test]
    fn changing_a_row_along_its_path_gives_the_root_of_the_rebuilt_tree() {
        let mut rows = rows(11);
        let (levels, _) = build(rows.iter().map(|r| row_hash(r)).collect());
        let slot = Slot(6);
        rows[6] = b"{\"row\":\"changed\"}".to_vec();
        let path = path_up(slot, row_hash(&rows[6]), &siblings(&levels, slot)).unwrap();
        let (_, rebuilt) = build(rows.iter().map(|r| row_hash(r)).collect());
        assert_eq!(path[DEPTH as usize], rebuilt);
        // Appending at the next free slot, too.
        let (levels, _) = build(rows.iter().map(|r| row_hash(r)).collect());
        let slot = Slot(11);
        rows.push(b"{\"row\":\"new\"}".to_vec());
        let path = path_up(slot, row_hash(&rows[11]), &siblings(&levels, slot)).unwrap();
        let (_, rebuilt) = build(rows.iter().map(|r| row_hash(r)).collect());
        assert_eq!(path[DEPTH as usize], rebuilt);
    }

    #[test]
    fn a_slot_beyond_the_tree_is_refused_without_panicking() {
        let sib = empties()[..DEPTH as usize].to_vec();
        assert!(path_up(Slot(1 << DEPTH), [0; 32], &sib).is_none());
        assert!(!check_row(
            Slot(u64::MAX),
            b"x",
            &sib,
            &empties()[DEPTH as usize]
        ));
    }
}
