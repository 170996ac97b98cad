//! Release quality: the man pages, the shell completions and `--version` all come from the
//! clap definitions (src/cli.rs), and third-party tools (groff, bash) accept what we generate.

mod common;

use common::{ok_utf8 as ok, run as scelle};
use std::path::Path;
use std::process::Command;

#[test]
fn version_names_the_ledger_format_it_writes() {
    let out = ok(&scelle(&["--version"]));
    assert_eq!(
        out.trim(),
        format!(
            "scelle {} (ledger format {})",
            env!("CARGO_PKG_VERSION"),
            scelle::format::entry::FORMAT_VERSION
        )
    );
}

/// Renders a page with groff, warnings on; returns the text.
fn groff(page: &Path) -> String {
    let o = Command::new("groff")
        .args([
            "-man",
            "-Tutf8",
            "-ww",
            "-rHY=0",
            "-rLL=200n",
            "-P-c",
            "-P-b",
            "-P-u",
        ])
        .arg(page)
        .output()
        .expect("groff (package groff-base) is needed");
    assert!(o.status.success(), "groff failed on {}", page.display());
    assert!(
        o.stderr.is_empty(),
        "groff warnings on {}: {}",
        page.display(),
        String::from_utf8_lossy(&o.stderr)
    );
    // Justification pads with spaces: compare words.
    String::from_utf8_lossy(&o.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn man_pages_cover_every_command_and_render_without_warnings() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("man/man1");
    let said = ok(&scelle(&["man", "--out", dir.to_str().unwrap()]));
    let mut pages: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    pages.sort();
    assert!(
        said.starts_with(&format!("{} man pages written", pages.len())),
        "{said}"
    );

    // One page per command listed by `scelle --help`, and per `key`/`ioc` subcommand.
    let help = ok(&scelle(&["--help"]));
    let commands: Vec<&str> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter(|l| !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .collect();
    assert!(commands.len() >= 20, "{commands:?}");
    for c in &commands {
        let page = format!("scelle-{c}.1");
        assert!(pages.contains(&page), "no man page {page} in {pages:?}");
    }
    for sub in ["key-new", "key-rotate", "ioc-scan", "ioc-correlate"] {
        assert!(pages.contains(&format!("scelle-{sub}.1")), "{pages:?}");
    }

    for p in &pages {
        groff(&dir.join(p));
    }
    let root = groff(&dir.join("scelle.1"));
    assert!(root.contains("Exit codes: 0 success"), "{root}");
    assert!(root.contains("ledger format"), "{root}");
    // Each main command's page ends with EXAMPLES, the same as its `--help` shows.
    for (page, example) in [
        (
            "scelle-seal.1",
            "scelle seal iphone-ffs.tar --seal-no PV-117-1",
        ),
        ("scelle-verify.1", "scelle verify --rehash --path E-0001="),
        ("scelle-verifier.1", "scelle verifier --out verify.html"),
    ] {
        let text = groff(&dir.join(page));
        let examples = text
            .split("EXAMPLES")
            .nth(1)
            .unwrap_or_else(|| panic!("{text}"));
        assert!(examples.contains(example), "{page}: {text}");
        let command: Vec<&str> = page
            .trim_start_matches("scelle-")
            .trim_end_matches(".1")
            .split('-')
            .collect();
        let mut args = command.clone();
        args.push("--help");
        let help = ok(&scelle(&args));
        assert!(help.contains("Examples:"), "{help}");
        assert!(
            help.replace('\n', " ")
                .contains(example.split(' ').nth(1).unwrap()),
            "{help}"
        );
    }
    let export = groff(&dir.join("scelle-export.1"));
    assert!(export.contains("--with-artifacts"), "{export}");
    assert!(export.contains("case-uco"), "{export}");

    // Running it again replaces the pages, byte for byte the same.
    let before = std::fs::read(dir.join("scelle-seal.1")).unwrap();
    ok(&scelle(&["man", "--out", dir.to_str().unwrap()]));
    assert_eq!(before, std::fs::read(dir.join("scelle-seal.1")).unwrap());
}

#[test]
fn bash_completion_completes_commands_and_options() {
    let tmp = tempfile::tempdir().unwrap();
    let script = tmp.path().join("scelle.bash");
    std::fs::write(&script, ok(&scelle(&["completions", "bash"]))).unwrap();
    // bash calls a completion function with (command, current word, previous word).
    let complete = |words: &str, cword: usize| -> Vec<String> {
        let w: Vec<&str> = words.split(' ').collect();
        let (cur, prev) = (w[cword], w[cword - 1]);
        let o = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "source '{}'; COMP_WORDS=({words}); COMP_CWORD={cword}; \
                 COMP_LINE='{words}'; COMP_POINT=${{#COMP_LINE}}; _scelle scelle '{cur}' '{prev}'; \
                 printf '%s\\n' \"${{COMPREPLY[@]}}\"",
                script.display()
            ))
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout)
            .lines()
            .map(str::to_owned)
            .collect()
    };
    let first = complete("scelle ver", 1);
    assert!(first.contains(&"verify".to_owned()), "{first:?}");
    assert!(first.contains(&"verify-bundle".to_owned()), "{first:?}");
    assert!(!first.contains(&"seal".to_owned()), "{first:?}");
    let opts = complete("scelle export --with", 2);
    assert!(opts.contains(&"--with-artifacts".to_owned()), "{opts:?}");

    // The other shells' scripts are generated from the same definitions.
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let s = ok(&scelle(&["completions", shell]));
        assert!(s.contains("verify-bundle"), "{shell}: no verify-bundle");
    }
    // An unknown shell is bad usage (exit 2), with the accepted values named.
    let bad = scelle(&["completions", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("bash"));
}
