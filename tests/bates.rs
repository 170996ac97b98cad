//! Bates numbers across a production (report::bates): documents numbered with one prefix get
//! continuous, non-overlapping ranges, read from the PDFs with pdftotext and from the ledger's
//! `report` entries; an overlapping --bates-start and a prefix whose numbers read as a seal
//! number are refused (exit 2) with nothing written.

mod common;

use common::{key_pair, out, run_in, snapshot_files as snapshot};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const PASS: &str = "bates test passphrase";

struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Case {
    /// A US case with two exhibits sealed as SMITH-001 and SMITH-002.
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let c = Case {
            root: tmp.path().to_path_buf(),
            _tmp: tmp,
        };
        key_pair(&c.root, PASS, "expert", None);
        c.ok(&[
            "init",
            "case",
            "--case-id",
            "B-1",
            "--title",
            "Bates test",
            "--court",
            "United States District Court, Northern District of California",
            "--jurisdiction",
            "us",
            "--key",
            "expert.key",
        ]);
        for (i, f) in ["a.bin", "b.bin"].iter().enumerate() {
            std::fs::write(c.root.join(f), format!("artifact {i}")).unwrap();
            let no = format!("SMITH-00{}", i + 1);
            c.ok(&[
                "-C",
                "case",
                "seal",
                f,
                "--seal-no",
                &no,
                "--key",
                "expert.key",
            ]);
        }
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        run_in(&self.root, PASS, args)
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert!(o.status.success(), "{args:?}: {}", out(&o));
        out(&o)
    }

    /// `report DOC --lang en` to FILE with the Bates options `extra`, recorded with the key.
    fn report(&self, doc: &str, file: &str, extra: &[&str]) -> Output {
        let file = format!("case/{file}");
        // The demo's US input gives every field a US document requires.
        let input = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/demo/report-en.toml");
        let mut args = vec![
            "-C",
            "case",
            "report",
            doc,
            "--input",
            input,
            "--lang",
            "en",
            "--out",
            &file,
            "--key",
            "expert.key",
        ];
        args.extend_from_slice(extra);
        self.run(&args)
    }

    /// (document, file, bates_first, bates_last) of every `report` entry.
    fn recorded(&self) -> Vec<(String, String, Option<String>, Option<String>)> {
        std::fs::read_to_string(self.root.join("case/ledger.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter(|e| e["kind"] == "report")
            .map(|e| {
                let b = &e["body"];
                let s = |k: &str| b[k].as_str().map(String::from);
                (
                    s("document").unwrap(),
                    s("file").unwrap(),
                    s("bates_first"),
                    s("bates_last"),
                )
            })
            .collect()
    }
}

/// The Bates number printed at the bottom of each page, by pdftotext.
fn printed_numbers(pdf: &Path, prefix: &str) -> Vec<String> {
    let o = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by this test");
    assert!(o.status.success());
    let t = String::from_utf8(o.stdout).unwrap();
    t.split('\u{c}')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            let found: Vec<&str> = p
                .split_whitespace()
                .filter(|w| {
                    w.strip_prefix(prefix)
                        .is_some_and(|r| !r.is_empty() && r.bytes().all(|b| b.is_ascii_digit()))
                })
                .collect();
            assert_eq!(found.len(), 1, "one Bates number per page: {p}");
            found[0].to_string()
        })
        .collect()
}

fn counter(n: &str, prefix: &str) -> u64 {
    n.strip_prefix(prefix).unwrap().parse().unwrap()
}

#[test]
fn three_documents_with_one_prefix_get_continuous_ranges() {
    let c = Case::new();
    // (a US case admits the expert report and the certificate)
    let docs = ["certificate", "expert-report", "certificate"];
    let mut expected_next = 1;
    for (i, doc) in docs.iter().enumerate() {
        let file = format!("{doc}-{i}.pdf");
        let o = c.report(doc, &file, &["--bates-prefix", "SMITH-PROD-"]);
        assert!(o.status.success(), "{doc}: {}", out(&o));
        let pages = printed_numbers(&c.root.join("case").join(&file), "SMITH-PROD-");
        assert!(!pages.is_empty());
        for (k, p) in pages.iter().enumerate() {
            assert_eq!(counter(p, "SMITH-PROD-"), expected_next + k as u64, "{doc}");
        }
        let rec = c.recorded();
        assert_eq!(rec.len(), i + 1);
        let (d, f, first, last) = &rec[i];
        assert_eq!((d.as_str(), f.as_str()), (*doc, file.as_str()));
        assert_eq!(first.as_deref(), Some(pages[0].as_str()), "{doc}");
        assert_eq!(last.as_deref(), pages.last().map(String::as_str), "{doc}");
        assert!(
            out(&o).contains(&format!("Bates {} to {}", pages[0], pages.last().unwrap())),
            "{}",
            out(&o)
        );
        expected_next += pages.len() as u64;
    }
    // Another prefix starts its own series, and an explicit start after the recorded ones
    // (a gap) is accepted.
    // (here with 8 digits, which the next document of the series keeps).
    let o = c.report(
        "certificate",
        "other.pdf",
        &["--bates-prefix", "JONES-", "--bates-digits", "8"],
    );
    assert!(o.status.success(), "{}", out(&o));
    let p = printed_numbers(&c.root.join("case/other.pdf"), "JONES-");
    assert_eq!(p[0], "JONES-00000001");
    let o = c.report("expert-report", "other2.pdf", &["--bates-prefix", "JONES-"]);
    assert!(o.status.success(), "{}", out(&o));
    let q = printed_numbers(&c.root.join("case/other2.pdf"), "JONES-");
    assert_eq!(q[0], format!("JONES-{:08}", p.len() + 1));
    let start = (expected_next + 100).to_string();
    let o = c.report(
        "certificate",
        "gap.pdf",
        &["--bates-prefix", "SMITH-PROD-", "--bates-start", &start],
    );
    assert!(o.status.success(), "{}", out(&o));
    let p = printed_numbers(&c.root.join("case/gap.pdf"), "SMITH-PROD-");
    assert_eq!(counter(&p[0], "SMITH-PROD-"), expected_next + 100);
    // And the next one continues after the highest.
    let o = c.report(
        "certificate",
        "next.pdf",
        &["--bates-prefix", "SMITH-PROD-"],
    );
    assert!(o.status.success(), "{}", out(&o));
    let q = printed_numbers(&c.root.join("case/next.pdf"), "SMITH-PROD-");
    assert_eq!(
        counter(&q[0], "SMITH-PROD-"),
        counter(p.last().unwrap(), "SMITH-PROD-") + 1
    );
}

#[test]
fn an_overlap_or_a_prefix_that_reads_as_a_seal_number_is_refused_and_nothing_written() {
    let c = Case::new();
    let o = c.report(
        "certificate",
        "first.pdf",
        &["--bates-prefix", "SMITH-PROD-"],
    );
    assert!(o.status.success(), "{}", out(&o));
    let rec = c.recorded();
    let (first, last) = (rec[0].2.clone().unwrap(), rec[0].3.clone().unwrap());
    let before = snapshot(&c.root);
    let refused = |extra: &[&str], needles: &[&str]| {
        let o = c.report("certificate", "second.pdf", extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", out(&o));
        for n in needles {
            assert!(out(&o).contains(n), "{extra:?}: {n:?} not in {}", out(&o));
        }
        assert_eq!(
            snapshot(&c.root),
            before,
            "{extra:?}: something was written"
        );
    };
    // Starting inside (or before and across) the recorded range: names the entry and range.
    let seq = {
        let ledger = std::fs::read_to_string(c.root.join("case/ledger.jsonl")).unwrap();
        ledger.lines().count() - 1
    };
    for start in ["1", &counter(&last, "SMITH-PROD-").to_string()] {
        refused(
            &["--bates-prefix", "SMITH-PROD-", "--bates-start", start],
            &[
                &format!("entry #{seq}"),
                &format!("{first} to {last}"),
                "first.pdf",
            ],
        );
    }
    // The same prefix in other letter case is the same series.
    refused(
        &["--bates-prefix", "smith-prod-", "--bates-start", "1"],
        &[&format!("entry #{seq}"), &format!("{first} to {last}")],
    );
    // Numbers that would read as the seal numbers SMITH-001, SMITH-002.
    for prefix in ["SMITH-", "smith-"] {
        refused(&["--bates-prefix", prefix], &["SMITH-00", "seal"]);
    }
    // A prefix ending with a digit hides where the counter starts.
    refused(&["--bates-prefix", "SMITH2"], &["ends with a digit"]);
}

#[test]
fn the_demo_numbers_its_documents_as_one_production() {
    let tmp = tempfile::tempdir().unwrap();
    let o = common::demo(&tmp.path().join("demo"));
    assert!(o.status.success(), "{}", out(&o));
    // Every case of the demo: per prefix, in ledger order, each range starts right after the
    // previous one.
    let mut ranges = 0;
    for entry in walk(tmp.path()) {
        if entry.file_name().is_none_or(|n| n != "ledger.jsonl") {
            continue;
        }
        let mut last: std::collections::BTreeMap<String, u64> = Default::default();
        for l in std::fs::read_to_string(&entry).unwrap().lines() {
            let e: serde_json::Value = serde_json::from_str(l).unwrap();
            if e["kind"] != "report" {
                continue;
            }
            let (Some(first), Some(end)) = (
                e["body"]["bates_first"].as_str(),
                e["body"]["bates_last"].as_str(),
            ) else {
                continue;
            };
            let prefix = first.trim_end_matches(|c: char| c.is_ascii_digit());
            let (a, b) = (counter(first, prefix), counter(end, prefix));
            let prev = last.get(prefix).copied().unwrap_or(0);
            assert_eq!(
                a,
                prev + 1,
                "{}: {first} after {prefix}{prev}",
                entry.display()
            );
            assert!(b >= a);
            last.insert(prefix.to_string(), b);
            ranges += 1;
        }
    }
    assert!(ranges >= 2, "the demo numbers several documents");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if e.file_type().unwrap().is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
