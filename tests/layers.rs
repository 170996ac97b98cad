//! The layers hold: every module of `src/` uses only modules of its own layer or of the layers
//! below it, no two modules use each other, and no command module (`ops`) uses another.
//!
//! Layers, lowest first (src/lib.rs describes them):
//!
//! | rank | modules            | what                                                     |
//! |------|--------------------|----------------------------------------------------------|
//! | 0    | crate root, error  | `VERSION`, the error type                                |
//! | 1    | format             | formats and types, no I/O                                |
//! | 2    | store, render      | storage and streaming; the PDF engine (no case knowledge) |
//! | 3    | case               | case services shared by several commands                 |
//! | 4    | report             | documents from a case                                    |
//! | 5    | ops                | one module per command                                   |
//! | 6    | the binary         | main.rs and its modules (cli, term, demo)                |
//!
//! Two top-level modules of the same rank (store and render) do not use each other either.
//!
//! The check reads the sources: comments, doc comments, string and character literals are
//! blanked first; then every path that starts with `crate`, `$crate`, `super`, `self`, a child
//! module declared in the file (`mod x;`), or (in the binary) `scelle`, in `use` items (with
//! nested, multi-line `{...}` groups) and in expressions alike, is resolved to the module it
//! names (the longest module prefix).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules of the library, with their rank and name.
const LAYERS: &[(&str, u8, &str)] = &[
    ("error", 0, "error (foundation)"),
    ("format", 1, "format (no I/O)"),
    ("store", 2, "store (storage and streaming)"),
    ("render", 2, "render (PDF engine, no case knowledge)"),
    ("case", 3, "case services"),
    ("report", 4, "report"),
    ("ops", 5, "ops (commands)"),
    ("output", 6, "output (text and JSON Lines of results)"),
];
/// What library modules may take from the crate root: the error type and the version.
const ROOT_ITEMS: &[&str] = &["Error", "ErrorClass", "Result", "VERSION"];
/// The binary's rank.
const BIN_RANK: u8 = 7;
/// The layer whose modules are one per command and never use each other.
const COMMANDS: &str = "ops";

/// Known exceptions, each to be removed (the test fails on an exception that no longer
/// occurs): a command module using another (from, to, why), or two modules using each other
/// (either order, why).
const PENDING: &[(&str, &str, &str)] = &[];

/// Which crate a source file belongs to.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Krate {
    Lib,
    Bin,
}

/// A module: its crate and path (`["store", "ledger"]`; empty for a crate root).
type Module = (Krate, Vec<String>);

fn show(m: &Module) -> String {
    let root = match m.0 {
        Krate::Lib => "crate",
        Krate::Bin => "bin",
    };
    if m.1.is_empty() {
        format!("{root} root")
    } else if m.0 == Krate::Bin {
        format!("bin::{}", m.1.join("::"))
    } else {
        m.1.join("::")
    }
}

/// The rank and layer name of a module; `None` for an unknown top-level module.
fn layer(m: &Module) -> Option<(u8, String)> {
    match (m.0, m.1.first()) {
        (Krate::Bin, _) => Some((BIN_RANK, "the binary (CLI)".into())),
        (Krate::Lib, None) => Some((0, "crate root".into())),
        (Krate::Lib, Some(top)) => LAYERS
            .iter()
            .find(|(name, ..)| name == top)
            .map(|(_, rank, what)| (*rank, what.to_string())),
    }
}

/// Blanks comments, string literals and character literals (keeping line breaks, so line
/// numbers stay right).
fn blank(src: &str) -> String {
    let c: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank_to = |out: &mut String, from: &[char]| {
        for &ch in from {
            out.push(if ch == '\n' { '\n' } else { ' ' });
        }
    };
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        let next = c.get(i + 1).copied();
        let prev_ident = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        // Line comment (also doc comments).
        if ch == '/' && next == Some('/') {
            let end = c[i..]
                .iter()
                .position(|&x| x == '\n')
                .map_or(c.len(), |p| i + p);
            blank_to(&mut out, &c[i..end]);
            i = end;
            continue;
        }
        // Block comment, nested.
        if ch == '/' && next == Some('*') {
            let mut depth = 0;
            let mut j = i;
            while j < c.len() {
                if c[j] == '/' && c.get(j + 1) == Some(&'*') {
                    depth += 1;
                    j += 2;
                } else if c[j] == '*' && c.get(j + 1) == Some(&'/') {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    j += 1;
                }
            }
            blank_to(&mut out, &c[i..j.min(c.len())]);
            i = j;
            continue;
        }
        // Raw strings: r"..", r#".."#, br#".."#.
        if !prev_ident && (ch == 'r' || (ch == 'b' && next == Some('r'))) {
            let start = if ch == 'b' { i + 2 } else { i + 1 };
            let hashes = c[start..].iter().take_while(|&&x| x == '#').count();
            if c.get(start + hashes) == Some(&'"') {
                let mut j = start + hashes + 1;
                loop {
                    if j >= c.len() {
                        break;
                    }
                    if c[j] == '"'
                        && c[j + 1..]
                            .iter()
                            .take(hashes)
                            .filter(|&&x| x == '#')
                            .count()
                            == hashes
                    {
                        j += 1 + hashes;
                        break;
                    }
                    j += 1;
                }
                blank_to(&mut out, &c[i..j.min(c.len())]);
                i = j;
                continue;
            }
        }
        // Strings and byte strings.
        if ch == '"' || (ch == 'b' && next == Some('"') && !prev_ident) {
            let mut j = if ch == 'b' { i + 2 } else { i + 1 };
            while j < c.len() && c[j] != '"' {
                j += if c[j] == '\\' { 2 } else { 1 };
            }
            blank_to(&mut out, &c[i..(j + 1).min(c.len())]);
            i = j + 1;
            continue;
        }
        // Character literals (not lifetimes): '\..' or 'x'.
        if ch == '\'' {
            if next == Some('\\') {
                let mut j = i + 2;
                while j < c.len() && c[j] != '\'' {
                    j += 1;
                }
                blank_to(&mut out, &c[i..(j + 1).min(c.len())]);
                i = j + 1;
                continue;
            }
            if c.get(i + 2) == Some(&'\'') {
                blank_to(&mut out, &c[i..i + 3]);
                i += 3;
                continue;
            }
        }
        out.push(ch);
        i += 1;
    }
    out
}

/// A token: an identifier (`$crate` included), `::`, or one punctuation character.
#[derive(Debug, Clone, PartialEq)]
struct Tok {
    text: String,
    line: usize,
}

fn tokens(src: &str) -> Vec<Tok> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch == '\n' {
            line += 1;
            i += 1;
        } else if ch.is_whitespace() {
            i += 1;
        } else if ch.is_alphabetic() || ch == '_' || (ch == '$' && c.get(i + 1) == Some(&'c')) {
            let mut j = i + 1;
            while j < c.len() && (c[j].is_alphanumeric() || c[j] == '_') {
                j += 1;
            }
            out.push(Tok {
                text: c[i..j].iter().collect(),
                line,
            });
            i = j;
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(Tok {
                text: "::".into(),
                line,
            });
            i += 2;
        } else {
            out.push(Tok {
                text: ch.to_string(),
                line,
            });
            i += 1;
        }
    }
    out
}

fn is_ident(t: &str) -> bool {
    t.chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
}

/// Parses a path (with `{...}` groups) from `toks[i]` on, pushing each leaf path onto `out`.
/// Returns the index after it.
fn parse_path(
    toks: &[Tok],
    mut i: usize,
    mut segs: Vec<String>,
    out: &mut Vec<(Vec<String>, usize)>,
) -> usize {
    loop {
        let Some(t) = toks.get(i) else {
            let line = toks.last().map_or(1, |t| t.line);
            out.push((segs, line));
            return i;
        };
        if t.text == "{" {
            i += 1;
            loop {
                match toks.get(i).map(|t| t.text.as_str()) {
                    None => return i,
                    Some("}") => return i + 1,
                    Some(",") => i += 1,
                    Some(_) => {
                        let before = i;
                        i = parse_path(toks, i, segs.clone(), out);
                        // Skip a rename (`as x`) up to the next item.
                        while let Some(t) = toks.get(i) {
                            if t.text == "," || t.text == "}" {
                                break;
                            }
                            i += 1;
                        }
                        if i == before {
                            i += 1;
                        }
                    }
                }
            }
        }
        if t.text == "*" || !is_ident(&t.text) {
            out.push((segs, t.line));
            return if t.text == "*" { i + 1 } else { i };
        }
        segs.push(t.text.clone());
        if toks.get(i + 1).map(|t| t.text.as_str()) == Some("::") {
            i += 2;
        } else {
            out.push((segs, t.line));
            return i + 1;
        }
    }
}

/// One source file to check.
struct Source {
    /// Path shown in messages (`src/store/ledger.rs`).
    shown: String,
    module: Module,
    text: String,
}

/// Every crate-internal reference of a file: (line, the path as written, the module it names).
fn references(src: &Source, modules: &BTreeSet<Module>) -> Vec<(usize, String, Module)> {
    let text = blank(&src.text);
    let toks = tokens(&text);
    let krate = src.module.0;
    // Child modules declared by this file (`mod x;`).
    let children: BTreeSet<String> = toks
        .windows(3)
        .filter(|w| w[0].text == "mod" && is_ident(&w[1].text) && w[2].text == ";")
        .map(|w| w[1].text.clone())
        .collect();
    let mut out = Vec::new();
    let mut inline: Vec<(String, usize)> = Vec::new(); // inline `mod x {` and its brace depth
    let mut depth = 0usize;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i].text;
        if t == "{" {
            depth += 1;
        } else if t == "}" {
            depth = depth.saturating_sub(1);
            if inline.last().is_some_and(|(_, d)| *d == depth) {
                inline.pop();
            }
        } else if t == "mod" && toks.get(i + 2).is_some_and(|t| t.text == "{") {
            inline.push((toks[i + 1].text.clone(), depth));
        }
        let starts_path = toks.get(i + 1).is_some_and(|n| n.text == "::")
            && (i == 0 || toks[i - 1].text != "::")
            && (matches!(t.as_str(), "crate" | "$crate" | "super" | "self")
                || (t == "scelle" && krate == Krate::Bin)
                || children.contains(t));
        // A `use` group right after `use` (`use {crate::a, super::b};`) is rare: not handled.
        if !starts_path {
            i += 1;
            continue;
        }
        let mut leaves = Vec::new();
        let end = parse_path(&toks, i, Vec::new(), &mut leaves);
        let here: Vec<String> = src
            .module
            .1
            .iter()
            .cloned()
            .chain(inline.iter().map(|(n, _)| n.clone()))
            .collect();
        for (leaf, line) in leaves {
            let written = leaf.join("::");
            let (target_krate, mut path) = match leaf[0].as_str() {
                "crate" | "$crate" => (krate, Vec::new()),
                "scelle" => (Krate::Lib, Vec::new()),
                "super" | "self" => (krate, here.clone()),
                _ => (krate, src.module.1.clone()), // a child module of this file
            };
            // Leading `crate`/`scelle`/`super`/`self` resolved; the rest appended.
            let mut leading = true;
            for seg in &leaf {
                match seg.as_str() {
                    "crate" | "$crate" | "scelle" if leading => {}
                    "self" => {}
                    "super" if leading => {
                        path.pop();
                    }
                    _ => {
                        leading = false;
                        path.push(seg.clone());
                    }
                }
            }
            // The longest prefix that is a module.
            let mut m = (target_krate, path.clone());
            while !m.1.is_empty() && !modules.contains(&m) {
                m.1.pop();
            }
            if !out.iter().any(|(l, _, o)| *l == line && *o == m) {
                out.push((line, written, m));
            }
        }
        i = end.max(i + 1);
    }
    out
}

/// Checks the layers over `sources`: the violations, one message each.
fn check(sources: &[Source], pending: &[(&str, &str, &str)]) -> Vec<String> {
    let modules: BTreeSet<Module> = sources.iter().map(|s| s.module.clone()).collect();
    let mut problems = Vec::new();
    // module -> module -> first (file, line)
    let mut edges: BTreeMap<Module, BTreeMap<Module, (String, usize)>> = BTreeMap::new();
    let mut pending_seen = BTreeSet::new();
    for s in sources {
        let Some((from_rank, from_name)) = layer(&s.module) else {
            problems.push(format!(
                "{}: module {} is in no layer: add its top-level module to LAYERS in tests/layers.rs and to src/lib.rs's description",
                s.shown,
                show(&s.module)
            ));
            continue;
        };
        // The crate root is the library's facade: it declares every layer and re-exports the
        // curated API, so its own references are not layering.
        if s.module.0 == Krate::Lib && s.module.1.is_empty() {
            continue;
        }
        for (line, written, target) in references(s, &modules) {
            if target == s.module {
                continue;
            }
            // A module reaches another layer's item by that layer's path, never through the
            // root's re-exports (which would hide the layer); the root's own items (the error
            // type and VERSION) are the foundation.
            if target.0 == Krate::Lib && target.1.is_empty() && s.module.0 == Krate::Lib {
                let item = written
                    .split("::")
                    .map(str::trim)
                    .find(|seg| !matches!(*seg, "crate" | "$crate" | "super" | "self" | ""))
                    .unwrap_or("");
                if !ROOT_ITEMS.contains(&item) {
                    problems.push(format!(
                        "{}:{line}: `{written}`: {} uses the crate root's re-export; use it from its layer's module",
                        s.shown,
                        show(&s.module)
                    ));
                }
                continue;
            }
            edges
                .entry(s.module.clone())
                .or_default()
                .entry(target.clone())
                .or_insert((s.shown.clone(), line));
            let Some((to_rank, to_name)) = layer(&target) else {
                continue;
            };
            let (from_top, to_top) = (s.module.1.first(), target.1.first());
            if to_rank > from_rank {
                problems.push(format!(
                    "{}:{line}: `{written}`: {} (layer {from_rank}, {from_name}) uses {} (layer {to_rank}, {to_name}), a layer above it",
                    s.shown,
                    show(&s.module),
                    show(&target)
                ));
            } else if to_rank == from_rank
                && from_top.is_some()
                && s.module.0 == Krate::Lib
                && target.0 == Krate::Lib
                && to_top.is_some()
                && from_top != to_top
            {
                problems.push(format!(
                    "{}:{line}: `{written}`: {} ({from_name}) uses {} ({to_name}), a sibling layer of the same rank {from_rank}",
                    s.shown,
                    show(&s.module),
                    show(&target)
                ));
            } else if s.module.0 == Krate::Lib
                && target.0 == Krate::Lib
                && from_top.map(String::as_str) == Some(COMMANDS)
                && to_top.map(String::as_str) == Some(COMMANDS)
            {
                let (f, t) = (show(&s.module), show(&target));
                if pending.iter().any(|(pf, pt, _)| *pf == f && *pt == t) {
                    pending_seen.insert((f, t));
                } else {
                    problems.push(format!(
                        "{}:{line}: `{written}`: command module {f} uses {t}: commands share code through the case services (src/case), not each other",
                        s.shown
                    ));
                }
            }
        }
    }
    for (a, uses) in &edges {
        for (b, (file, line)) in uses {
            if a < b && !a.1.is_empty() && !b.1.is_empty() {
                if let Some((file2, line2)) = edges.get(b).and_then(|u| u.get(a)) {
                    let (sa, sb) = (show(a), show(b));
                    if let Some((pf, pt, _)) = pending
                        .iter()
                        .find(|(f, t, _)| (*f == sa && *t == sb) || (*f == sb && *t == sa))
                    {
                        pending_seen.insert((pf.to_string(), pt.to_string()));
                        continue;
                    }
                    problems.push(format!(
                        "{} and {} use each other: {file}:{line} and {file2}:{line2}",
                        show(a),
                        show(b)
                    ));
                }
            }
        }
    }
    for (f, t, why) in pending {
        if !pending_seen.contains(&(f.to_string(), t.to_string())) {
            problems.push(format!(
                "tests/layers.rs: PENDING lists {f} -> {t} ({why}), which no longer occurs: remove it"
            ));
        }
    }
    problems
}

/// The module a source file is, given the binary's module names.
fn module_of(rel: &Path, bin_mods: &BTreeSet<String>) -> Module {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap();
    let stem = last.trim_end_matches(".rs").to_string();
    if parts.is_empty() && stem == "main" {
        return (Krate::Bin, Vec::new());
    }
    if parts.is_empty() && stem == "lib" {
        return (Krate::Lib, Vec::new());
    }
    if stem != "mod" {
        parts.push(stem);
    }
    if bin_mods.contains(&parts[0]) {
        (Krate::Bin, parts)
    } else {
        (Krate::Lib, parts)
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

fn crate_sources() -> Vec<Source> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let main = std::fs::read_to_string(src.join("main.rs")).unwrap();
    let bin_mods: BTreeSet<String> = tokens(&blank(&main))
        .windows(3)
        .filter(|w| w[0].text == "mod" && w[2].text == ";")
        .map(|w| w[1].text.clone())
        .collect();
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p.strip_prefix(&src).unwrap();
            Source {
                shown: format!("src/{}", rel.display()),
                module: module_of(rel, &bin_mods),
                text: std::fs::read_to_string(&p).unwrap(),
            }
        })
        .collect()
}

#[test]
fn no_module_uses_a_layer_above_it_or_a_module_that_uses_it() {
    let sources = crate_sources();
    assert!(sources.len() > 40, "src/ read");
    let problems = check(&sources, PENDING);
    assert!(
        problems.is_empty(),
        "the layers do not hold ({} problems):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

fn source(shown: &str, path: &[&str], text: &str) -> Source {
    Source {
        shown: shown.into(),
        module: (Krate::Lib, path.iter().map(|s| s.to_string()).collect()),
        text: text.into(),
    }
}

fn library(extra: Vec<Source>) -> Vec<Source> {
    let mut v = vec![
        source(
            "src/store/mod.rs",
            &["store"],
            "pub mod ledger;\npub mod tarhash;\n",
        ),
        source("src/store/ledger.rs", &["store", "ledger"], ""),
        source("src/store/tarhash.rs", &["store", "tarhash"], ""),
        source("src/ops/mod.rs", &["ops"], "pub mod init;\npub mod seal;\n"),
        source("src/ops/init.rs", &["ops", "init"], ""),
        source("src/case/mod.rs", &["case"], ""),
        source("src/render/mod.rs", &["render"], ""),
        source("src/format/mod.rs", &["format"], "pub mod body;\n"),
        source("src/format/body.rs", &["format", "body"], ""),
    ];
    v.extend(extra);
    v
}

#[test]
fn the_check_finds_an_upward_use_in_a_multi_line_group() {
    let p = check(&library(vec![source(
        "src/store/case.rs",
        &["store", "case"],
        "//! Uses crate::ops::init in a comment, and \"crate::ops::seal\" in a string: ignored.\n\
         use crate::{\n    format::body::Seal, // crate::ops\n    ops::init::{init, CaseParams},\n};\n",
    )]), &[]);
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with("src/store/case.rs:4: `crate::ops::init::init`: store::case (layer 2,"),
        "{p:#?}"
    );
    assert!(p[0].contains("uses ops::init (layer 5"), "{p:#?}");
}

#[test]
fn the_check_finds_super_paths_sideways_uses_and_mutual_uses() {
    let p = check(&library(vec![
        source(
            "src/ops/seal.rs",
            &["ops", "seal"],
            "fn f() { super::init::init(); }\n#[cfg(test)]\nmod tests {\n    use super::*;\n    use super::super::init;\n}\n",
        ),
        source("src/render/pdf.rs", &["render", "pdf"], "fn f() { crate::store::ledger::x(); }"),
    ]), &[]);
    assert!(
        p.iter().any(|m| m.starts_with(
            "src/ops/seal.rs:1: `super::init::init`: command module ops::seal uses ops::init"
        )),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("src/ops/seal.rs:5: `super::super::init`")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains("a sibling layer of the same rank 2")),
        "{p:#?}"
    );
    let p = check(
        &library(vec![
            source("src/store/a.rs", &["store", "a"], "use super::b::x;"),
            source(
                "src/store/b.rs",
                &["store", "b"],
                "fn f() { let c = '\"'; crate::store::a::y(c) }",
            ),
        ]),
        &[],
    );
    assert!(
        p.iter()
            .any(|m| m
                == "store::a and store::b use each other: src/store/a.rs:1 and src/store/b.rs:1"),
        "{p:#?}"
    );
}
