//! Each command's help, man page and completions list the shared options (-C/--case,
//! --passphrase-file, --no-timestamp, --no-witness) exactly where they apply, and a command
//! refuses one that does not apply to it (but ignores -C, as it ignores $SCELLE_CASE); the
//! completion scripts offer the case's exhibit ids.

mod common;

use common::{init_case, ok, run, scelle, text, PASS};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// The four shared options, by the letter the table below uses.
const OPTIONS: [(char, &str); 4] = [
    ('C', "--case"),
    ('P', "--passphrase-file"),
    ('T', "--no-timestamp"),
    ('W', "--no-witness"),
];

/// Which shared options each command takes: a case (C), a key's passphrase (P), appending
/// (T and W). Every command is here: a new one fails [`every_command_lists_the_options_that_apply`]
/// until it is classified.
const EXPECTED: &[(&str, &str)] = &[
    ("accept", "CPTW"),
    ("checkpoint", "C"),
    ("completions", ""),
    ("consistency", "C"),
    ("cosign", "CP"),
    ("demo", ""),
    ("dispose", "CPTW"),
    ("exhibits", "C"),
    ("export", "CPTW"),
    ("import", ""),
    ("init", "P"),
    ("ioc", ""),
    ("ioc correlate", ""),
    ("ioc findings", "C"),
    ("ioc review", "CPTW"),
    ("ioc scan", "CPTW"),
    ("key", ""),
    ("key enrol", "CPTW"),
    ("key list", "C"),
    ("key new", "P"),
    ("key revoke", "CPTW"),
    ("key rotate", "CPTW"),
    ("key show", "P"),
    ("log", "C"),
    ("man", ""),
    ("note", "CPTW"),
    ("open", "CPTW"),
    ("prove", "C"),
    ("release", "CPTW"),
    ("repair", "C"),
    ("report", "CPTW"),
    ("report init-input", "C"),
    ("reseal", "CPTW"),
    ("seal", "CPTW"),
    ("show", "C"),
    ("timestamp", "C"),
    ("tsa", ""),
    ("tsa add", "CPTW"),
    ("tsa list", "C"),
    ("verifier", ""),
    ("verify", "C"),
    ("verify-bundle", ""),
    ("witness", ""),
    ("witness add", "CPTW"),
    ("witness request", "C"),
    ("witness serve", "P"),
    ("witness vkey", "P"),
];

/// The options part of a help text (usage and description left out).
fn options_of(help: &str) -> &str {
    help.split_once("Options:").map_or("", |(_, o)| o)
}

/// Whether `text` names `option` (`--case`, not `--case-id`; in roff, `\-\-case`).
fn names(text: &str, option: &str) -> bool {
    text.match_indices(option).any(|(i, m)| {
        let rest = &text[i + m.len()..];
        !rest.starts_with(|c: char| c.is_alphanumeric() || c == '-') && !rest.starts_with("\\-")
    })
}

/// The `opts="..."` of the command at `path` in the bash completion script.
fn bash_opts<'a>(script: &'a str, path: &str) -> &'a str {
    let name = format!(
        "        scelle__subcmd__{})\n",
        path.replace([' ', '-'], "__subcmd__")
    );
    let at = script
        .find(&name)
        .unwrap_or_else(|| panic!("{path}: not in the script"))
        + name.len();
    let line = script[at..].lines().next().unwrap();
    line.trim().strip_prefix("opts=\"").unwrap()
}

#[test]
fn every_command_lists_the_options_that_apply() {
    let dir = tempfile::tempdir().unwrap();
    let man = dir.path().join("man");
    ok(&run(&["man", "--out", man.to_str().unwrap()]));
    // Every command, from the man pages the definitions give (scelle-key-new.1: `key new`).
    let mut commands: Vec<String> = std::fs::read_dir(&man)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|f| {
            f.strip_suffix(".1")
                .and_then(|f| f.strip_prefix("scelle-"))
                .map(str::to_string)
        })
        .collect();
    commands.sort();
    let expected: BTreeMap<String, &str> = EXPECTED
        .iter()
        .map(|(c, o)| (c.replace(' ', "-"), *o))
        .collect();
    // `verify-bundle` and `report init-input` are both `-` joined; compare those names.
    assert_eq!(
        commands,
        expected.keys().cloned().collect::<Vec<_>>(),
        "every command is classified"
    );
    let bash = ok(&run(&["completions", "bash"]));
    for (path, letters) in EXPECTED {
        let args: Vec<&str> = path.split(' ').collect();
        let help = ok(&run(&[args.as_slice(), &["--help"]].concat()));
        let short = ok(&run(&[args.as_slice(), &["-h"]].concat()));
        let page =
            std::fs::read_to_string(man.join(format!("scelle-{}.1", path.replace(' ', "-"))))
                .unwrap();
        let opts = bash_opts(&bash, path);
        for (letter, option) in OPTIONS {
            let applies = letters.contains(letter);
            let roff = option.replace('-', "\\-");
            for (what, listed) in [
                ("--help", names(options_of(&help), option)),
                ("-h", names(options_of(&short), option)),
                ("man page", names(&page, &roff)),
                ("bash completion", opts.split(' ').any(|o| o == option)),
            ] {
                assert_eq!(
                    listed, applies,
                    "`scelle {path}` {what}: {option} listed {listed}, applies {applies}"
                );
            }
            // Not applying: given on the command line, before or after the command, it is
            // refused (exit 2) by name, before anything else is checked; but -C is ignored,
            // as $SCELLE_CASE is (scripts give it to every command).
            if !applies {
                let value: &[&str] = match letter {
                    'C' | 'P' => &["x"],
                    _ => &[],
                };
                for line in [
                    [&[option], value, args.as_slice()].concat(),
                    [args.as_slice(), &[option], value].concat(),
                ] {
                    // In a scratch folder: with -C ignored, `demo` really runs and writes
                    // its case into the current directory.
                    let scratch = tempfile::tempdir().unwrap();
                    let o = scelle()
                        .current_dir(scratch.path())
                        .args(&line)
                        .output()
                        .unwrap();
                    let err = String::from_utf8_lossy(&o.stderr);
                    let refused = err.contains(&format!("does not apply to `scelle {path}`"))
                        && err.contains(option);
                    if letter == 'C' {
                        assert!(!err.contains("does not apply"), "{line:?}: {err}");
                    } else {
                        assert_eq!(o.status.code(), Some(2), "{line:?}: {}", text(&o));
                        assert!(refused, "{line:?}: {err}");
                    }
                }
            }
        }
    }
    // The root lists all four: they may be written before the command.
    let root = ok(&run(&["--help"]));
    for (_, option) in OPTIONS {
        assert!(names(options_of(&root), option), "{root}");
    }
}

#[test]
fn pinned_examples() {
    let help = |args: &[&str]| ok(&run(&[args, &["--help"]].concat()));
    let key_new = help(&["key", "new"]);
    assert!(!key_new.contains("--no-witness"), "{key_new}");
    assert!(!names(&key_new, "--case"), "{key_new}");
    assert!(key_new.contains("--passphrase-file"), "{key_new}");
    let seal = help(&["seal"]);
    for (_, option) in OPTIONS {
        assert!(seal.contains(option), "{seal}");
    }
    for cmd in [&["completions"][..], &["verify-bundle"], &["verifier"]] {
        let h = help(cmd);
        for (_, option) in OPTIONS {
            assert!(!names(options_of(&h), option), "{cmd:?}: {h}");
        }
    }
    // The message names the option and the command.
    let o = run(&["--no-witness", "key", "new", "--name", "x", "--out", "k"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("--no-witness does not apply to `scelle key new`"),
        "{}",
        text(&o)
    );
    // $SCELLE_CASE and -C are harmless where no case is used.
    let o = scelle()
        .env("SCELLE_CASE", "/nonexistent")
        .args(["completions", "bash"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let dir = tempfile::tempdir().unwrap();
    let keys = dir.path().join("keys");
    std::fs::create_dir(&keys).unwrap();
    let o = run(&[
        "-C",
        "/nonexistent",
        "key",
        "new",
        "--name",
        "k",
        "--out",
        keys.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(keys.join("k.key").is_file());
    ok(&run(&["completions", "bash", "-C", "/nonexistent"]));
}

/// A case with three sealed exhibits, in `root/case`.
fn case_with_exhibits(root: &Path) -> std::path::PathBuf {
    let (case, key) = init_case(root, "2026/1", "Completions", &[]);
    for name in ["a.txt", "b.txt", "c.txt"] {
        let f = root.join(name);
        std::fs::write(&f, name).unwrap();
        ok(&scelle()
            .arg("-C")
            .arg(&case)
            .arg("seal")
            .arg(&f)
            .arg("--key")
            .arg(&key)
            .output()
            .unwrap());
    }
    case
}

#[test]
fn exhibits_ids_prints_the_ids() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_with_exhibits(dir.path());
    let o = ok(&run(&["-C", case.to_str().unwrap(), "exhibits", "--ids"]));
    assert_eq!(o, "E-0001\nE-0002\nE-0003\n");
    let o = run(&["-C", case.to_str().unwrap(), "exhibits", "--ids", "--json"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
}

/// Runs `script` in a real bash, with the completion script sourced and `comp WORDS...`
/// printing what completing the last word offers, one line per call; `cwd` and `env`
/// as given.
fn bash(dir: &Path, script: &str, cwd: &Path, env: &[(&str, &Path)]) -> String {
    let completion = dir.join("scelle.bash");
    std::fs::write(&completion, ok(&run(&["completions", "bash"]))).unwrap();
    let full = format!(
        r#"source "{}"
comp() {{
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_LINE="$*"; COMPREPLY=()
    _scelle_with_exhibits "${{COMP_WORDS[0]}}" "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
    echo "${{COMPREPLY[*]}}"
}}
{script}"#,
        completion.display()
    );
    let mut c = Command::new("bash");
    c.arg("--norc")
        .arg("-c")
        .arg(full)
        .current_dir(cwd)
        .env_remove("SCELLE_CASE")
        .env("SCELLE_PASSPHRASE", PASS);
    for (k, v) in env {
        c.env(k, v);
    }
    ok(&c.output().expect("bash (./test installs it)"))
}

#[test]
fn bash_completion_offers_the_exhibit_ids() {
    let dir = tempfile::tempdir().unwrap();
    let case = case_with_exhibits(dir.path());
    let bin = env!("CARGO_BIN_EXE_scelle");
    let c = case.display();
    let all = "E-0001 E-0002 E-0003";
    let script = format!(
        r#"comp {bin} show ""
comp {bin} -C {c} show ""
comp {bin} -C {c} release ""
comp {bin} -C {c} release E-0001 ""
comp {bin} --case {c} release E-0001 --to ""
comp {bin} show --case {c} E-000
comp {bin} -C {c} seal x.bin --parent ""
comp {bin} -C {c} export --exhibits E-0001,""
comp {bin} -C {c} verify --rehash --path ""
comp {bin} -C {c} ioc scan --json ""
comp {bin} -C {c} prove E-0002
comp {bin} -C {c} se
"#
    );
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let lines = bash(dir.path(), &script, &elsewhere, &[]);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(
        lines,
        [
            "", // no case here, none named: nothing
            all,
            all,
            all,
            "", // --to takes a key, not an exhibit: files (none here)
            all,
            all,
            "E-0001,E-0001 E-0001,E-0002 E-0001,E-0003",
            "E-0001= E-0002= E-0003=",
            all,
            "E-0002",
            "seal",
        ]
    );
    // The case from $SCELLE_CASE, else the current directory.
    let by_env = bash(
        dir.path(),
        &format!("comp {bin} show \"\""),
        &elsewhere,
        &[("SCELLE_CASE", &case)],
    );
    assert_eq!(by_env.trim(), all);
    let by_cwd = bash(dir.path(), &format!("comp {bin} dispose \"\""), &case, &[]);
    assert_eq!(by_cwd.trim(), all);
}

/// Whether `shell` runs here (`./test` installs zsh and fish).
fn have(shell: &str) -> bool {
    Command::new(shell)
        .arg("-c")
        .arg("true")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A directory holding `scelle` (a link to the binary), and PATH with it first: the scripts
/// complete the command `scelle`.
fn path_with_scelle(dir: &Path) -> String {
    let bin = dir.join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_scelle"), bin.join("scelle")).unwrap();
    format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    )
}

#[test]
fn zsh_and_fish_offer_the_exhibit_ids() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["zsh", "fish"] {
        assert!(have(shell), "{shell} is needed (./test installs it)");
        let script = dir.path().join(format!("scelle.{shell}"));
        let text = ok(&run(&["completions", shell]));
        assert!(text.contains("exhibits --ids"), "{text}");
        std::fs::write(&script, text).unwrap();
        let o = Command::new(shell).arg("-n").arg(&script).output().unwrap();
        assert!(o.status.success(), "{shell} -n: {}", common::text(&o));
    }
    let case = case_with_exhibits(dir.path());
    let path = path_with_scelle(dir.path());
    let c = case.display();
    let ids = ["E-0001", "E-0002", "E-0003"].map(String::from);
    let id_paths = ["E-0001=", "E-0002=", "E-0003="].map(String::from);
    // fish computes a completion without a terminal (`complete -C`).
    let o = Command::new("fish")
        .arg("-c")
        .arg(format!(
            r#"source {}
complete -C "scelle -C {c} show "; echo ---
complete -C "scelle -C {c} seal x --parent "; echo ---
complete -C "scelle -C {c} verify --path "; echo ---
cd {c}; complete -C "scelle release E-0001 ""#,
            dir.path().join("scelle.fish").display()
        ))
        .env("PATH", &path)
        .env_remove("SCELLE_CASE")
        .output()
        .unwrap();
    let out = ok(&o);
    let first = |s: &str| -> Vec<String> {
        s.lines()
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect()
    };
    let parts: Vec<Vec<String>> = out.split("---\n").map(first).collect();
    assert_eq!(
        parts,
        [ids.to_vec(), ids.to_vec(), id_paths.to_vec(), ids.to_vec()],
        "{out}"
    );
    // zsh completes only in an interactive shell: one in a pseudo-terminal (zpty), TAB typed,
    // what the completion adds recorded by a compadd that writes it down first.
    let hits = dir.path().join("hits.txt");
    let script = format!(
        r#"zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT=''"
zpty -w z "autoload -Uz compinit; compinit -u -D"
zpty -w z "source {script}"
zpty -w z 'compadd() {{ local -a h; builtin compadd -O h "$@"; (( $#h )) && print -r -- "${{(j: :)h}}" >> {hits}; builtin compadd "$@" }}'
zpty -w z "bindkey '^I' complete-word"
tab() {{
    zpty -n -w z "$1"$'\t'
    for i in {{1..200}}; do [[ -f {hits} ]] && (( $(wc -l < {hits}) >= $2 )) && break; sleep 0.05; done
    zpty -n -w z $'\C-u'
}}
tab "scelle -C {c} show " 1
tab "scelle -C {c} verify --rehash --path " 2
tab "scelle --case {c} export --exhibits E-0001," 3
zpty -d z
"#,
        script = dir.path().join("scelle.zsh").display(),
        hits = hits.display(),
    );
    let o = Command::new("zsh")
        .arg("-f")
        .arg("-c")
        .arg(script)
        .env("PATH", &path)
        .env_remove("SCELLE_CASE")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let got = std::fs::read_to_string(&hits).unwrap_or_default();
    assert_eq!(
        got,
        "E-0001 E-0002 E-0003\nE-0001 E-0002 E-0003\nE-0001 E-0002 E-0003\n",
        "{}",
        text(&o)
    );
}
