//! RFC 6962 / RFC 9162 Merkle tree math over SHA-256: leaf and node hashes, the compact
//! frontier used for O(log n) appends, inclusion and consistency proofs and their
//! verification. Pure functions, no I/O; verification never panics and compares roots in
//! constant time.

use sha2::{Digest, Sha256};

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// RFC 6962 2.1: the hash of a leaf, SHA-256(0x00 || data).
pub fn leaf_hash(data: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    h.finalize().into()
}

/// RFC 6962 2.1: the hash of an interior node, SHA-256(0x01 || left || right).
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The root of the empty tree, SHA-256 of the empty string.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// Compares two hashes in constant time.
pub fn ct_eq(a: &Hash, b: &Hash) -> bool {
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

/// The largest power of two strictly smaller than `n` (n >= 2).
fn split_point(n: usize) -> usize {
    debug_assert!(n >= 2);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// MTH(D\[n\]) over already-hashed leaves.
pub fn root_of(leaves: &[Hash]) -> Hash {
    match leaves.len() {
        0 => empty_root(),
        1 => leaves[0],
        n => {
            let k = split_point(n);
            node_hash(&root_of(&leaves[..k]), &root_of(&leaves[k..]))
        }
    }
}

/// The right edge of a tree: the roots of its maximal perfect subtrees, largest first.
/// Appending a leaf and computing the root both take O(log n).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Frontier {
    size: u64,
    /// (height, root) of each perfect subtree, from left (tallest) to right.
    nodes: Vec<(u32, Hash)>,
}

impl Frontier {
    /// The empty tree.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rebuilds a frontier from stored parts, checking that the heights match `size`.
    pub fn from_parts(size: u64, nodes: Vec<(u32, Hash)>) -> Option<Self> {
        let expected: Vec<u32> = (0..64).rev().filter(|h| size >> h & 1 == 1).collect();
        let heights: Vec<u32> = nodes.iter().map(|n| n.0).collect();
        (expected == heights).then_some(Frontier { size, nodes })
    }

    /// The number of leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The perfect subtrees, tallest first.
    pub fn nodes(&self) -> &[(u32, Hash)] {
        &self.nodes
    }

    /// Appends a leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        let mut node = (0u32, leaf);
        while let Some(&(h, left)) = self.nodes.last() {
            if h != node.0 {
                break;
            }
            self.nodes.pop();
            node = (h + 1, node_hash(&left, &node.1));
        }
        self.nodes.push(node);
        self.size += 1;
    }

    /// The tree head, MTH of all leaves so far.
    pub fn root(&self) -> Hash {
        let mut it = self.nodes.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return empty_root();
        };
        for (_, left) in it {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

/// RFC 6962 2.1.1: the audit path of leaf `index` in the tree over `leaves`.
pub fn inclusion_proof(leaves: &[Hash], index: usize) -> Option<Vec<Hash>> {
    if index >= leaves.len() {
        return None;
    }
    let mut path = Vec::new();
    fn walk(m: usize, d: &[Hash], path: &mut Vec<Hash>) {
        if d.len() <= 1 {
            return;
        }
        let k = split_point(d.len());
        if m < k {
            walk(m, &d[..k], path);
            path.push(root_of(&d[k..]));
        } else {
            walk(m - k, &d[k..], path);
            path.push(root_of(&d[..k]));
        }
    }
    walk(index, leaves, &mut path);
    Some(path)
}

/// RFC 6962 2.1.2: the consistency proof from the first `old_size` leaves to all of `leaves`.
pub fn consistency_proof(leaves: &[Hash], old_size: usize) -> Option<Vec<Hash>> {
    if old_size == 0 || old_size > leaves.len() {
        return None;
    }
    fn sub(m: usize, d: &[Hash], complete: bool, out: &mut Vec<Hash>) {
        let n = d.len();
        if m == n {
            if !complete {
                out.push(root_of(d));
            }
            return;
        }
        let k = split_point(n);
        if m <= k {
            sub(m, &d[..k], complete, out);
            out.push(root_of(&d[k..]));
        } else {
            sub(m - k, &d[k..], false, out);
            out.push(root_of(&d[..k]));
        }
    }
    let mut out = Vec::new();
    sub(old_size, leaves, true, &mut out);
    Some(out)
}

/// Why a proof did not verify.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The index or sizes are out of range.
    #[error("index or size out of range")]
    OutOfRange,
    /// The proof has the wrong number of hashes.
    #[error("proof has the wrong length")]
    WrongLength,
    /// The recomputed root differs from the expected one.
    #[error("recomputed root does not match")]
    RootMismatch,
}

/// RFC 9162 2.1.3.2: verifies that `leaf` is at `index` in the tree of `size` with `root`.
pub fn verify_inclusion(
    index: u64,
    size: u64,
    leaf: &Hash,
    proof: &[Hash],
    root: &Hash,
) -> Result<(), ProofError> {
    if index >= size {
        return Err(ProofError::OutOfRange);
    }
    let (mut fnode, mut snode) = (index, size - 1);
    let mut r = *leaf;
    for p in proof {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            r = node_hash(p, &r);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            r = node_hash(&r, p);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if !ct_eq(&r, root) {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

/// RFC 9162 2.1.4.2: verifies that the tree (`size2`, `root2`) extends (`size1`, `root1`).
pub fn verify_consistency(
    size1: u64,
    size2: u64,
    root1: &Hash,
    root2: &Hash,
    proof: &[Hash],
) -> Result<(), ProofError> {
    if size1 == 0 || size1 > size2 {
        return Err(ProofError::OutOfRange);
    }
    if size1 == size2 {
        if !proof.is_empty() {
            return Err(ProofError::WrongLength);
        }
        return if ct_eq(root1, root2) {
            Ok(())
        } else {
            Err(ProofError::RootMismatch)
        };
    }
    if proof.is_empty() {
        return Err(ProofError::WrongLength);
    }
    let mut path: Vec<Hash> = Vec::with_capacity(proof.len() + 1);
    if size1.is_power_of_two() {
        path.push(*root1);
    }
    path.extend_from_slice(proof);
    let (mut fnode, mut snode) = (size1 - 1, size2 - 1);
    while fnode & 1 == 1 {
        fnode >>= 1;
        snode >>= 1;
    }
    let (mut fr, mut sr) = (path[0], path[0]);
    for c in &path[1..] {
        if snode == 0 {
            return Err(ProofError::WrongLength);
        }
        if fnode & 1 == 1 || fnode == snode {
            fr = node_hash(c, &fr);
            sr = node_hash(c, &sr);
            while fnode & 1 == 0 && fnode != 0 {
                fnode >>= 1;
                snode >>= 1;
            }
        } else {
            sr = node_hash(&sr, c);
        }
        fnode >>= 1;
        snode >>= 1;
    }
    if snode != 0 {
        return Err(ProofError::WrongLength);
    }
    if !(ct_eq(&fr, root1) & ct_eq(&sr, root2)) {
        return Err(ProofError::RootMismatch);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| leaf_hash(format!("leaf {i}").as_bytes()))
            .collect()
    }

    #[test]
    fn frontier_matches_recursive_root_for_every_size() {
        let l = leaves(70);
        let mut f = Frontier::new();
        assert_eq!(f.root(), empty_root());
        for (i, h) in l.iter().enumerate() {
            f.push(*h);
            assert_eq!(f.root(), root_of(&l[..=i]), "size {}", i + 1);
            assert!(Frontier::from_parts(f.size(), f.nodes().to_vec()).is_some());
        }
        assert!(Frontier::from_parts(5, f.nodes().to_vec()).is_none());
    }

    #[test]
    fn every_generated_proof_verifies_and_a_flipped_bit_does_not() {
        let l = leaves(21);
        for n in 1..=l.len() {
            let root = root_of(&l[..n]);
            for i in 0..n {
                let p = inclusion_proof(&l[..n], i).unwrap();
                verify_inclusion(i as u64, n as u64, &l[i], &p, &root).unwrap();
                let mut bad = root;
                bad[0] ^= 1;
                assert!(verify_inclusion(i as u64, n as u64, &l[i], &p, &bad).is_err());
            }
            for m in 1..=n {
                let p = consistency_proof(&l[..n], m).unwrap();
                let r1 = root_of(&l[..m]);
                verify_consistency(m as u64, n as u64, &r1, &root, &p).unwrap();
                if m < n {
                    let mut bad = r1;
                    bad[31] ^= 0x80;
                    assert!(verify_consistency(m as u64, n as u64, &bad, &root, &p).is_err());
                }
            }
        }
    }

    #[test]
    fn verification_rejects_out_of_range_without_panicking() {
        let h = [0u8; 32];
        assert!(verify_inclusion(3, 3, &h, &[], &h).is_err());
        assert!(verify_inclusion(0, 0, &h, &[], &h).is_err());
        assert!(verify_consistency(0, 3, &h, &h, &[h]).is_err());
        assert!(verify_consistency(4, 3, &h, &h, &[h]).is_err());
        assert!(verify_consistency(1, u64::MAX, &h, &h, &[h; 70]).is_err());
    }
}
