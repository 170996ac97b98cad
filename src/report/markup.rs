//! The report markup: what a template renders to, before layout. Line-based and small, so a
//! lawyer can edit a template without knowing Rust (templates/README.md documents it):
//!
//! ```text
//! # Title / ## Section / ### Subsection      headings
//! Text lines, joined into one paragraph      **bold**, *italic*, `monospace` inside
//! - item                                     a bulleted paragraph
//! | Label | value                            key-value rows (consecutive lines form one block)
//! |= Label | value                           the same, value in monospace (hashes, paths)
//! ::name [argument]                          a block scelle generates (exhibits, custody ...)
//! ::pagebreak                                a new page
//! ```
//!
//! A blank line ends a paragraph. `\` at the start of a line keeps it literal.

pub use crate::render::{Run, Style};

/// One block of markup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Markup {
    /// A heading of level 1 to 3.
    Heading(u8, String),
    /// A paragraph.
    Paragraph(Vec<Run>),
    /// A bulleted paragraph.
    Bullet(Vec<Run>),
    /// Key-value rows; `true` for a monospace value.
    KeyValue(Vec<(String, String, bool)>),
    /// A generated block: its name and optional argument.
    Directive(String, Option<String>),
    /// A page break.
    PageBreak,
}

/// Splits inline `**bold**`, `*italic*` and `` `mono` `` markers into runs.
pub fn runs(text: &str) -> Vec<Run> {
    let mut out: Vec<Run> = Vec::new();
    let mut style = Style::Regular;
    let mut buf = String::new();
    let mut chars = text.chars().peekable();
    let flush = |buf: &mut String, style: Style, out: &mut Vec<Run>| {
        if !buf.is_empty() {
            out.push(Run {
                style,
                text: std::mem::take(buf),
            });
        }
    };
    while let Some(c) = chars.next() {
        let toggle = match c {
            '`' if style == Style::Mono || style == Style::Regular => Some(Style::Mono),
            '*' if style != Style::Mono && chars.peek() == Some(&'*') => {
                chars.next();
                Some(Style::Bold)
            }
            '*' if style != Style::Mono => Some(Style::Italic),
            _ => None,
        };
        match toggle {
            Some(t) => {
                flush(&mut buf, style, &mut out);
                style = if style == t { Style::Regular } else { t };
            }
            None => buf.push(c),
        }
    }
    flush(&mut buf, style, &mut out);
    out
}

/// Parses rendered template text into blocks.
pub fn parse(text: &str) -> Vec<Markup> {
    let mut out = Vec::new();
    let mut para: Vec<String> = Vec::new();
    let mut bullet = false;
    let mut kv: Vec<(String, String, bool)> = Vec::new();
    fn end_para(para: &mut Vec<String>, bullet: &mut bool, out: &mut Vec<Markup>) {
        if !para.is_empty() {
            let r = runs(&para.join(" "));
            out.push(if *bullet {
                Markup::Bullet(r)
            } else {
                Markup::Paragraph(r)
            });
            para.clear();
        }
        *bullet = false;
    }
    fn end_kv(kv: &mut Vec<(String, String, bool)>, out: &mut Vec<Markup>) {
        if !kv.is_empty() {
            out.push(Markup::KeyValue(std::mem::take(kv)));
        }
    }
    for raw in text.lines() {
        let line = raw.trim_end();
        let trimmed = line.trim_start();
        if trimmed.is_empty() {
            end_para(&mut para, &mut bullet, &mut out);
            end_kv(&mut kv, &mut out);
            continue;
        }
        if let Some(rest) = trimmed.strip_prefix('\\') {
            end_kv(&mut kv, &mut out);
            para.push(rest.to_string());
            continue;
        }
        let heading = ["### ", "## ", "# "]
            .iter()
            .zip([3u8, 2, 1])
            .find(|(p, _)| trimmed.starts_with(**p));
        if let Some((p, level)) = heading {
            end_para(&mut para, &mut bullet, &mut out);
            end_kv(&mut kv, &mut out);
            out.push(Markup::Heading(
                level,
                trimmed[p.len()..].trim().to_string(),
            ));
        } else if let Some(rest) = trimmed.strip_prefix("::") {
            end_para(&mut para, &mut bullet, &mut out);
            end_kv(&mut kv, &mut out);
            let mut parts = rest.trim().splitn(2, char::is_whitespace);
            let name = parts.next().unwrap_or("").to_string();
            let arg = parts
                .next()
                .map(|a| a.trim().to_string())
                .filter(|a| !a.is_empty());
            out.push(if name == "pagebreak" {
                Markup::PageBreak
            } else {
                Markup::Directive(name, arg)
            });
        } else if let Some(rest) = trimmed.strip_prefix('|') {
            end_para(&mut para, &mut bullet, &mut out);
            let (mono, rest) = match rest.strip_prefix('=') {
                Some(r) => (true, r),
                None => (false, rest),
            };
            let (k, v) = rest.split_once('|').unwrap_or((rest, ""));
            kv.push((k.trim().to_string(), v.trim().to_string(), mono));
        } else if let Some(rest) = trimmed.strip_prefix("- ") {
            end_para(&mut para, &mut bullet, &mut out);
            end_kv(&mut kv, &mut out);
            para.push(rest.to_string());
            bullet = true;
        } else {
            end_kv(&mut kv, &mut out);
            para.push(trimmed.to_string());
        }
    }
    end_para(&mut para, &mut bullet, &mut out);
    end_kv(&mut kv, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_construct() {
        let text = "# Rapport d'expertise\n\nLe **scellé** n° `NSO-1` a été\nouvert *sous* contrôle.\n- premier\n| Tribunal | Paris\n|= SHA-256 | ab12\n::exhibits\n::custody E-0001\n::pagebreak\n\\# pas un titre\n";
        let m = parse(text);
        assert_eq!(m[0], Markup::Heading(1, "Rapport d'expertise".into()));
        let Markup::Paragraph(r) = &m[1] else {
            panic!("{m:?}")
        };
        assert_eq!(
            r.iter().map(|r| r.text.as_str()).collect::<String>(),
            "Le scellé n° NSO-1 a été ouvert sous contrôle."
        );
        assert_eq!(
            r[1],
            Run {
                style: Style::Bold,
                text: "scellé".into()
            }
        );
        assert_eq!(
            r[3],
            Run {
                style: Style::Mono,
                text: "NSO-1".into()
            }
        );
        assert_eq!(
            r[5],
            Run {
                style: Style::Italic,
                text: "sous".into()
            }
        );
        assert!(matches!(&m[2], Markup::Bullet(_)));
        assert_eq!(
            m[3],
            Markup::KeyValue(vec![
                ("Tribunal".into(), "Paris".into(), false),
                ("SHA-256".into(), "ab12".into(), true)
            ])
        );
        assert_eq!(m[4], Markup::Directive("exhibits".into(), None));
        assert_eq!(
            m[5],
            Markup::Directive("custody".into(), Some("E-0001".into()))
        );
        assert_eq!(m[6], Markup::PageBreak);
        assert_eq!(
            m[7],
            Markup::Paragraph(vec![Run {
                style: Style::Regular,
                text: "# pas un titre".into()
            }])
        );
    }
}
