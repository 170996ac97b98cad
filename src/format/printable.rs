//! Text from a case, a bundle or a file system, made safe to show on a terminal.
//!
//! Notes, descriptions, seal numbers, file and member names, checkpoint file names and
//! discrepancies are written by whoever could write the case or the evidence: they are hostile
//! input (docs/SECURITY.md section 13.6). Shown raw, an escape sequence can clear the screen,
//! move the cursor over a real finding or paint a forged "OK … 0 errors", and a bidirectional
//! override can make a name read backwards. Every human-readable output therefore passes what
//! it prints through this module:
//!
//! - [`field`] for one value inside a line: every control character (C0 including newline,
//!   carriage return and tab, DEL, C1) and every bidirectional formatting character is shown
//!   as a visible escape (`\n`, `\x1b`, `\u{202e}`), so a value can neither start a new line
//!   nor rewrite the terminal;
//! - [`text`] for whole lines the program composed: the same, except that newline and tab
//!   are kept.
//!
//! A literal backslash is left as it is: an escape shown here is harmless either way, and the
//! exact bytes are in the JSON output and in the ledger.

use std::borrow::Cow;
use std::fmt;

/// Bidirectional formatting characters: ALM (U+061C), LRM and RLM (U+200E, U+200F), the
/// embeddings and overrides U+202A–U+202E, and the isolates U+2066–U+2069.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A character that must not reach a terminal as itself: C0 (U+0000–U+001F), DEL (U+007F),
/// C1 (U+0080–U+009F) and the bidirectional formatting characters.
pub fn is_unsafe(c: char) -> bool {
    c.is_control() || is_bidi_control(c)
}

fn escape(s: &str, keep_lines: bool) -> Cow<'_, str> {
    let keep = |c: char| keep_lines && (c == '\n' || c == '\t');
    if !s.chars().any(|c| is_unsafe(c) && !keep(c)) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if !is_unsafe(c) || keep(c) {
            out.push(c);
            continue;
        }
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
        }
    }
    Cow::Owned(out)
}

/// One value shown inside a line: all control and bidirectional characters escaped,
/// newlines included.
pub fn field(s: &str) -> Cow<'_, str> {
    escape(s, false)
}

/// Lines composed by the program: control and bidirectional characters escaped, except
/// newline and tab.
pub fn text(s: &str) -> Cow<'_, str> {
    escape(s, true)
}

/// JSON text (serialised by scelle, or a canonical ledger line) made safe for a terminal
/// without changing its meaning: DEL, C1 and bidirectional characters, which JSON allows raw
/// inside strings, become `\uXXXX` escapes, which denote the same string. (JSON serialisers
/// already escape C0 inside strings, and JSON has no such character outside them.)
pub fn json(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_unsafe) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if is_unsafe(c) {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A value shown with [`field`] when formatted with `{}`.
pub struct Field<'a>(pub &'a str);

impl fmt::Display for Field<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&field(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_cannot_start_a_line_or_rewrite_the_screen() {
        let hostile = "a\x1b[2J\rOK 0 errors\n\u{9b}31m\u{202e}gpj.exe\u{2066}\u{7f}";
        let shown = field(hostile);
        assert!(!shown.chars().any(is_unsafe), "{shown}");
        assert_eq!(
            shown,
            "a\\x1b[2J\\rOK 0 errors\\n\\x9b31m\\u{202e}gpj.exe\\u{2066}\\x7f"
        );
    }

    #[test]
    fn text_keeps_newlines_and_tabs_only() {
        assert_eq!(text("a\tb\nc\x1bd\r"), "a\tb\nc\\x1bd\\r");
        assert!(matches!(text("plain é ü ñ — text"), Cow::Borrowed(_)));
    }

    #[test]
    fn json_escapes_keep_the_value() {
        let v = serde_json::json!({"note": "x\u{202e}y\u{85}z\u{7f}"});
        let raw = serde_json::to_string(&v).unwrap();
        let safe = json(&raw);
        assert!(!safe.chars().any(is_unsafe));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, v);
    }
}
