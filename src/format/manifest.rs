//! The manifest of a sealed directory or tar: the regular files, one line each, in the exact
//! format GNU `sha256sum` writes, so that `sha256sum -c` can check it. Its SHA-256 is the
//! directory's (or tar's member set's) single digest.

use super::body::Member;

/// One manifest line for `path` with hex digest `sha256`, as `sha256sum` prints it: names with
/// a backslash or newline are escaped and the line starts with a backslash.
pub fn sha256sum_line(sha256: &str, path: &str) -> String {
    if path.contains('\\') || path.contains('\n') || path.contains('\r') {
        let escaped = path
            .replace('\\', "\\\\")
            .replace('\n', "\\n")
            .replace('\r', "\\r");
        format!("\\{sha256}  {escaped}\n")
    } else {
        format!("{sha256}  {path}\n")
    }
}

/// The manifest text of the regular-file members, in the order given.
pub fn manifest_text(members: &[Member]) -> String {
    let mut s = String::new();
    for m in members {
        if m.kind == "file" {
            if let Some(h) = &m.hashes {
                s.push_str(&sha256sum_line(&h.sha256, &m.path));
            }
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_gnu_sha256sum() {
        assert_eq!(sha256sum_line("ab", "a b"), "ab  a b\n");
        assert_eq!(sha256sum_line("ab", "a\\b\nc"), "\\ab  a\\\\b\\nc\n");
    }
}
