//! EWF (`.E01`) segment sets sealed as one exhibit (FORMAT.md 6.2, EWF images), against the
//! images `ewfacquire` (Debian `ewf-tools`, libewf) makes and what `ewfverify` and `ewfinfo`
//! say of them: the media digests, the header fields, a corrupted chunk, a missing segment,
//! `verify --rehash`, `ioc scan`, the independent verifier and `export --with-artifacts`.

mod common;

use common::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A case in a temporary folder, with its key.
struct Case {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    case: PathBuf,
    key: PathBuf,
}

impl Case {
    fn new() -> Case {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().to_path_buf();
        let (case, key) = init_case(&root, "EWF-1", "EWF images", &[]);
        Case {
            _tmp: tmp,
            root,
            case,
            key,
        }
    }

    fn c(&self) -> &str {
        self.case.to_str().unwrap()
    }

    fn seal(&self, path: &Path, extra: &[&str]) -> Output {
        let mut c = scelle();
        c.args(["-C", self.c(), "seal", "--key"])
            .arg(&self.key)
            .args(extra)
            .arg(path);
        exec(&mut c)
    }

    /// The body of the last ledger entry.
    fn last_body(&self) -> Value {
        let text = std::fs::read_to_string(self.case.join("ledger.jsonl")).unwrap();
        let line: Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
        line["body"].clone()
    }
}

/// 4 MiB of media: 2 MiB of incompressible bytes (stored chunks), then text naming a domain
/// (compressed chunks), then zeros.
fn media(path: &Path) {
    let mut data = Vec::with_capacity(4 << 20);
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    while data.len() < 2 << 20 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        data.extend_from_slice(&x.to_le_bytes());
    }
    while data.len() < 3 << 20 {
        data.extend_from_slice(b"log line: contacted c2.evil-pegasus-test.example at boot\n");
    }
    data.resize(4 << 20, 0);
    std::fs::write(path, data).unwrap();
}

fn tool(dir: &Path, cmd: &str, args: &[&str]) -> Output {
    Command::new(cmd)
        .current_dir(dir)
        .env("TZ", "UTC")
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{cmd}: {e} (Debian ewf-tools is needed: ./test installs it)"))
}

/// `ewfacquire` of `media.raw` into `dir/NAME.E01…` with 1 MiB segments; `format` as `-f`
/// (`ewfx`, libewf's extension, names its segments `.e01` and stores a SHA-256 too).
fn acquire(dir: &Path, name: &str, format: &str) -> PathBuf {
    media(&dir.join("media.raw"));
    let o = tool(
        dir,
        "ewfacquire",
        &[
            "-u",
            "-t",
            name,
            "-f",
            format,
            "-C",
            "CASE-42",
            "-D",
            "Laptop disk",
            "-E",
            "EV-7",
            "-e",
            "Jane Examiner",
            "-N",
            "seized at the office",
            "-S",
            "1MiB",
            "-c",
            "deflate:fast",
            "-b",
            "64",
            "-d",
            "sha1,sha256",
            "media.raw",
        ],
    );
    assert!(o.status.success(), "ewfacquire: {}", text(&o));
    let upper = dir.join(format!("{name}.E01"));
    if upper.exists() {
        upper
    } else {
        dir.join(format!("{name}.e01"))
    }
}

/// `ewfverify`'s stored and computed digests: (algorithm, stored, computed), and success.
fn ewfverify(image: &Path) -> (Vec<(String, String, String)>, bool) {
    let o = tool(
        image.parent().unwrap(),
        "ewfverify",
        &["-q", "-d", "sha1", image.to_str().unwrap()],
    );
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let field = |label: &str| {
        out.lines()
            .find(|l| l.starts_with(label))
            .map(|l| l.rsplit('\t').next().unwrap().trim().to_string())
            .unwrap_or_default()
    };
    let v = ["MD5", "SHA1"]
        .iter()
        .map(|a| {
            (
                a.to_string(),
                field(&format!("{a} hash stored in file:")),
                field(&format!("{a} hash calculated over data:")),
            )
        })
        .collect();
    (v, o.status.success())
}

/// `ewfinfo`'s "Label:\tvalue" lines.
fn ewfinfo(image: &Path) -> Vec<(String, String)> {
    let o = tool(
        image.parent().unwrap(),
        "ewfinfo",
        &[image.to_str().unwrap()],
    );
    assert!(o.status.success(), "ewfinfo: {}", text(&o));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .filter_map(|l| {
            let (k, v) = l.trim().split_once(':')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn info(i: &[(String, String)], k: &str) -> String {
    i.iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| panic!("ewfinfo has no {k:?}: {i:?}"))
}

/// The chunks of a segment file: (absolute offset, compressed), read with a parser of this
/// test's own (section descriptors, `sectors`-relative table entries).
fn chunks(segment: &Path) -> Vec<(u64, bool)> {
    let d = std::fs::read(segment).unwrap();
    let u64_at = |o: usize| u64::from_le_bytes(d[o..o + 8].try_into().unwrap());
    let u32_at = |o: usize| u32::from_le_bytes(d[o..o + 4].try_into().unwrap());
    let mut off = 13usize;
    let mut out = Vec::new();
    loop {
        let kind = String::from_utf8_lossy(&d[off..off + 16])
            .trim_end_matches('\0')
            .to_string();
        let next = u64_at(off + 16) as usize;
        if kind == "table" {
            let count = u32_at(off + 76) as usize;
            let base = u64_at(off + 84);
            for i in 0..count {
                let e = u32_at(off + 100 + 4 * i);
                out.push((base + u64::from(e & 0x7fff_ffff), e & 0x8000_0000 != 0));
            }
        }
        if kind == "next" || kind == "done" || next <= off {
            break;
        }
        off = next;
    }
    out
}

fn flip(path: &Path, at: u64) {
    let mut d = std::fs::read(path).unwrap();
    d[at as usize] ^= 0x55;
    std::fs::write(path, d).unwrap();
}

#[test]
fn a_segment_set_is_one_exhibit_checked_as_ewfverify_and_ewfinfo_read_it() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    let segments: Vec<PathBuf> = (1..)
        .map(|n| c.root.join(format!("disk.E{n:02}")))
        .take_while(|p| p.exists())
        .collect();
    assert!(segments.len() >= 3, "several segments: {segments:?}");
    let o = c.seal(&image, &[]);
    let shown = text(&o);
    assert!(o.status.success(), "{shown}");
    let body = c.last_body();
    let a = &body["artifact"];
    let e = &a["ewf"];
    assert_eq!(a["kind"], "ewf");
    // The media: the raw bytes acquired, and what ewfverify computes and finds stored.
    let raw = c.root.join("media.raw");
    assert_eq!(a["hashes"]["sha256"], sha256sum(&raw));
    assert_eq!(a["size"], 4 << 20);
    let (digests, verified) = ewfverify(&image);
    assert!(verified);
    for (alg, stored, computed) in digests {
        let name = if alg == "MD5" { "md5" } else { "sha1" };
        assert_eq!(e[name]["stored"], stored.as_str(), "{alg}");
        assert_eq!(e[name]["computed"], computed.as_str(), "{alg}");
        assert_eq!(e[name]["matches"], true);
        assert_eq!(a["hashes"][format!("legacy_{name}")], computed.as_str());
    }
    // The segments: each a member, hashed as sha256sum does.
    let members = a["members"].as_array().unwrap();
    assert_eq!(members.len(), segments.len());
    assert_eq!(e["segments"], segments.len());
    for (m, p) in members.iter().zip(&segments) {
        assert_eq!(m["path"], p.file_name().unwrap().to_str().unwrap());
        assert_eq!(m["size"], std::fs::metadata(p).unwrap().len());
        assert_eq!(m["hashes"]["sha256"], sha256sum(p));
    }
    // The header, as ewfinfo reads it.
    let i = ewfinfo(&image);
    let h = &e["header"];
    assert_eq!(e["header_source"], "header2");
    for (field, label) in [
        ("case_number", "Case number"),
        ("evidence_number", "Evidence number"),
        ("examiner", "Examiner name"),
        ("description", "Description"),
        ("notes", "Notes"),
        ("os", "Operating system used"),
        ("software_version", "Software version used"),
    ] {
        assert_eq!(h[field], info(&i, label).as_str(), "{field}");
    }
    assert_eq!(
        e["bytes_per_sector"].to_string(),
        info(&i, "Bytes per sector")
    );
    assert_eq!(e["sector_count"].to_string(), info(&i, "Number of sectors"));
    // header2's date is UTC: the same instant ewfinfo prints in TZ=UTC.
    let at = h["acquisition_date"].as_str().unwrap();
    let d = tool(&c.root, "date", &["-u", "-d", at, "+%a %b %e %H:%M:%S %Y"]);
    assert_eq!(
        String::from_utf8_lossy(&d.stdout).trim(),
        info(&i, "Acquisition date")
    );
    // Into the acquisition, where nothing was given.
    let acq = &body["acquisition"];
    assert_eq!(acq["operator"], "Jane Examiner");
    assert_eq!(acq["acquired_at"], at);
    assert_eq!(acq["source_md5"], e["md5"]["stored"]);
    assert_eq!(acq["source_md5_matches"], true);
    assert_eq!(acq["source_sha1_matches"], true);
    assert_eq!(
        body["description"],
        "Laptop disk, case CASE-42, evidence EV-7"
    );
    assert!(shown.contains("EWF MD5 MATCH"), "{shown}");
    assert!(shown.contains("case number: CASE-42"), "{shown}");
    // Both verifiers accept it, and a re-hash finds it unchanged.
    ok(&run(&["-C", c.c(), "verify", "--rehash"]));
    let py = exec(
        Command::new(pyenv_bin("python3"))
            .arg("tests/independent/verify_case.py")
            .arg(&c.case),
    );
    assert!(py.status.success(), "{}", text(&py));
}

#[test]
fn the_users_acquisition_fields_win_over_the_header() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    let o = c.seal(
        &image,
        &["--operator", "Officer Bloggs", "--description", "Exhibit A"],
    );
    assert!(o.status.success(), "{}", text(&o));
    let body = c.last_body();
    assert_eq!(body["acquisition"]["operator"], "Officer Bloggs");
    assert_eq!(body["description"], "Exhibit A");
    assert_eq!(
        body["artifact"]["ewf"]["header"]["examiner"],
        "Jane Examiner"
    );
}

#[test]
fn a_header_only_image_records_local_dates_without_an_offset_and_no_acquired_at() {
    let c = Case::new();
    let image = acquire(&c.root, "old", "encase2");
    let o = c.seal(&image, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let body = c.last_body();
    let e = &body["artifact"]["ewf"];
    assert_eq!(e["header_source"], "header");
    let at = e["header"]["acquisition_date"].as_str().unwrap();
    assert_eq!(at.len(), 19, "{at}: local time, no offset");
    assert!(!at.ends_with('Z'));
    assert!(body["acquisition"].get("acquired_at").is_none(), "{body}");
    // EnCase 2 stores an MD5 only.
    assert!(e["sha1"].get("stored").is_none());
    assert_eq!(e["md5"]["matches"], true);
    let (digests, _) = ewfverify(&image);
    assert_eq!(e["md5"]["computed"], digests[0].2.as_str());
}

#[test]
fn a_corrupted_chunk_is_recorded_exit_1_and_ewfverify_fails_too() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    // A compressed chunk (the text part) and a stored one (the random part).
    let mut compressed = None;
    let mut stored = None;
    for n in 1.. {
        let seg = c.root.join(format!("disk.E{n:02}"));
        if !seg.exists() {
            break;
        }
        for (off, z) in chunks(&seg) {
            if z && compressed.is_none() {
                compressed = Some((seg.clone(), off));
            }
            if !z && stored.is_none() {
                stored = Some((seg.clone(), off));
            }
        }
    }
    let (zseg, zoff) = compressed.expect("a compressed chunk");
    let (sseg, soff) = stored.expect("a stored chunk");
    flip(&zseg, zoff + 20);
    flip(&sseg, soff + 100);
    let (_, verified) = ewfverify(&image);
    assert!(!verified, "ewfverify must fail on the corrupted image");
    let before = std::fs::read(c.case.join("ledger.jsonl")).unwrap().len();
    let o = c.seal(&image, &[]);
    let shown = text(&o);
    assert_eq!(o.status.code(), Some(1), "{shown}");
    assert!(
        std::fs::read(c.case.join("ledger.jsonl")).unwrap().len() > before,
        "the entry is written"
    );
    let e = c.last_body()["artifact"]["ewf"].clone();
    assert_eq!(e["bad_chunk_count"], 2, "{e}");
    let problems: Vec<&str> = e["bad_chunks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["problem"].as_str().unwrap())
        .collect();
    assert!(problems.contains(&"checksum"), "{problems:?}");
    assert!(
        problems.iter().any(|p| *p == "zlib" || *p == "size"),
        "{problems:?}"
    );
    assert_eq!(e["md5"]["matches"], false);
    assert_eq!(e["sha1"]["matches"], false);
    assert_eq!(c.last_body()["acquisition"]["source_md5_matches"], false);
    assert!(shown.contains("EWF MD5 MISMATCH"), "{shown}");
    assert!(shown.contains("UNREADABLE CHUNKS"), "{shown}");
    let py = exec(
        Command::new(pyenv_bin("python3"))
            .arg("tests/independent/verify_case.py")
            .arg(&c.case),
    );
    // Recorded as found: a source-hash warning, not a broken ledger.
    assert!(
        !String::from_utf8_lossy(&py.stdout).contains("ERROR"),
        "{}",
        text(&py)
    );
}

#[test]
fn a_missing_segment_is_refused_naming_it_and_nothing_is_written() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    std::fs::remove_file(c.root.join("disk.E02")).unwrap();
    let before = snapshot(&c.case);
    let o = c.seal(&image, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("disk.E02"), "{}", text(&o));
    assert!(stderr(&o).contains("missing"), "{}", text(&o));
    assert_eq!(snapshot(&c.case), before);
}

#[test]
fn ewf2_and_logical_images_are_refused_by_their_format() {
    let c = Case::new();
    for (name, sig, says) in [
        ("x.Ex01", &b"EVF2\r\n\x81\x00"[..], "ewfexport"),
        ("y.L01", &b"LVF\x09\x0d\x0a\xff\x00"[..], "L01"),
    ] {
        let p = c.root.join(name);
        let mut d = sig.to_vec();
        d.resize(4096, 0);
        std::fs::write(&p, d).unwrap();
        let before = snapshot(&c.case);
        let o = c.seal(&p, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(stderr(&o).contains(says), "{}", text(&o));
        assert_eq!(snapshot(&c.case), before);
    }
    // A file named .E01 that is not EWF.
    let p = c.root.join("fake.E01");
    std::fs::write(&p, b"not an image at all").unwrap();
    let o = c.seal(&p, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains("--as file"), "{}", text(&o));
}

#[test]
fn verify_rehash_detects_a_changed_segment() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    assert!(c.seal(&image, &[]).status.success());
    ok(&run(&["-C", c.c(), "verify", "--rehash"]));
    let seg = c.root.join("disk.E03");
    let (off, _) = chunks(&seg)[0];
    flip(&seg, off + 8);
    let o = run(&["-C", c.c(), "verify", "--rehash", "--json"]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let out = stdout(&o);
    assert!(out.contains("disk.E03"), "{out}");
    assert!(out.contains("rehash-sha256"), "{out}");
    assert!(out.contains("rehash-ewf"), "{out}");
}

#[test]
fn ioc_scan_finds_an_indicator_in_the_media() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    assert!(c.seal(&image, &[]).status.success());
    let stix = c.root.join("ioc.stix2");
    let id = "indicator--00000000-0000-0000-0000-000000000001";
    std::fs::write(
        &stix,
        serde_json::json!({"type": "bundle", "id": "bundle--00000000-0000-0000-0000-000000000009",
            "objects": [
            {"type": "malware", "spec_version": "2.1", "id": "malware--00000000-0000-0000-0000-000000000002",
             "name": "TestMalware", "is_family": false},
            {"type": "indicator", "spec_version": "2.1", "id": id,
             "pattern": "[domain-name:value = 'c2.evil-pegasus-test.example']",
             "pattern_type": "stix", "valid_from": "2024-01-01T00:00:00Z"},
            {"type": "relationship", "spec_version": "2.1",
             "id": "relationship--00000000-0000-0000-0000-000000000003",
             "relationship_type": "indicates", "source_ref": id,
             "target_ref": "malware--00000000-0000-0000-0000-000000000002"}]})
        .to_string(),
    )
    .unwrap();
    let mut cmd = scelle();
    cmd.args(["-C", c.c(), "ioc", "scan", "--json", "--key"])
        .arg(&c.key)
        .arg("--stix")
        .arg(&stix)
        .arg("E-0001");
    let o = exec(&mut cmd);
    let body = c.last_body();
    assert!(
        body["matches"].as_array().is_some_and(|m| m
            .iter()
            .any(|x| x["indicator"] == id && x.get("member").is_none())),
        "{}\n{body}",
        text(&o)
    );
    ok(&run(&["-C", c.c(), "verify"]));
    let py = exec(
        Command::new(pyenv_bin("python3"))
            .arg("tests/independent/verify_case.py")
            .arg(&c.case),
    );
    assert!(py.status.success(), "{}", text(&py));
}

#[test]
fn export_with_artifacts_carries_every_segment() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    assert!(c.seal(&image, &[]).status.success());
    let bundle = c.root.join("out.tar");
    let mut cmd = scelle();
    cmd.args([
        "-C",
        c.c(),
        "export",
        "--with-artifacts",
        "--organization",
        "Lab",
        "--key",
    ])
    .arg(&c.key)
    .arg("--out")
    .arg(&bundle);
    let o = exec(&mut cmd);
    assert!(o.status.success(), "{}", text(&o));
    let list =
        String::from_utf8_lossy(&sh(&c.root, "tar", &["-tf", "out.tar"]).stdout).into_owned();
    for n in 1.. {
        let seg = format!("disk.E{n:02}");
        if !c.root.join(&seg).exists() {
            break;
        }
        assert!(
            list.lines()
                .any(|l| l.ends_with(&format!("data/artifacts/E-0001/{seg}"))),
            "{seg} not carried:\n{list}"
        );
    }
    let py = exec(
        Command::new(pyenv_bin("python3"))
            .arg("tests/independent/verify_bundle.py")
            .arg(&bundle),
    );
    assert!(py.status.success(), "{}", text(&py));
    ok(&run(&["verify-bundle", bundle.to_str().unwrap()]));
    // The documents' verification commands for an EWF exhibit run as printed in the
    // unpacked bundle: each segment's SHA-256, then ewfverify of the media.
    use scelle::report::{blocks::Block, build, data, DocumentKind, ReportRequest, TemplateSource};
    let case = scelle::store::case::CaseDir::open(&c.case).unwrap();
    let data = data::gather(&case).unwrap();
    let input: toml::Value = toml::from_str(
        "[case]\ncourt = \"T\"\n[expert]\nname = \"A\"\nplace = \"P\"\nqualifications = \"Q\"\n",
    )
    .unwrap();
    let doc = build(
        &data,
        &ReportRequest {
            kind: DocumentKind::Certificate,
            lang: "en".parse().unwrap(),
            jurisdiction: Some("us".parse().unwrap()),
            exhibits: vec![],
            input: Some(input),
            templates: TemplateSource::default(),
            correlate: Vec::new(),
        },
    )
    .unwrap();
    let script = doc
        .blocks
        .iter()
        .find_map(|b| match b {
            Block::Preformatted { text } if text.contains("ewfverify") => Some(text.clone()),
            _ => None,
        })
        .expect("the commands name ewfverify");
    let ewf_lines: Vec<&str> = script
        .lines()
        .skip_while(|l| !l.contains("Every EWF image"))
        .skip_while(|l| l.starts_with('#'))
        .take_while(|l| !l.starts_with('#'))
        .collect();
    assert!(ewf_lines.len() > 2 * 3, "{script}");
    let unpacked = c.root.join("unpacked");
    std::fs::create_dir(&unpacked).unwrap();
    let o = sh(&unpacked, "tar", &["-xf", bundle.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = exec(
        Command::new("sh")
            .current_dir(&unpacked)
            .arg("-ec")
            .arg(ewf_lines.join("\n")),
    );
    assert!(o.status.success(), "{}\n{}", ewf_lines.join("\n"), text(&o));
}

/// The text of a document's blocks (headings, key-value rows, tables).
fn blocks_text(blocks: &[scelle::report::blocks::Block]) -> String {
    use scelle::report::blocks::Block;
    let mut s = String::new();
    for b in blocks {
        match b {
            Block::Heading { text: t, .. } => s += &format!("{t}\n"),
            Block::Paragraph { runs } => {
                s += &(runs.iter().map(|r| r.text.as_str()).collect::<String>() + "\n")
            }
            Block::KeyValue { rows, .. } => {
                rows.iter().for_each(|(k, v)| s += &format!("{k}: {v}\n"))
            }
            Block::Table { rows, .. } => rows.iter().for_each(|r| s += &(r.join(" | ") + "\n")),
            _ => {}
        }
    }
    s
}

#[test]
fn every_document_shows_the_ewf_facts_and_a_corrupt_image_in_every_language() {
    use scelle::report::{build, data, DocumentKind, ReportRequest, TemplateSource};
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    let seg = c.root.join("disk.E02");
    let (off, _) = chunks(&seg)[3];
    flip(&seg, off + 40);
    assert_eq!(c.seal(&image, &[]).status.code(), Some(1));
    let e = c.last_body()["artifact"]["ewf"].clone();
    let stored = e["md5"]["stored"].as_str().unwrap().to_string();
    let computed = e["md5"]["computed"].as_str().unwrap().to_string();
    assert_ne!(stored, computed);
    let case = scelle::store::case::CaseDir::open(&c.case).unwrap();
    let data = data::gather(&case).unwrap();
    let input: toml::Value = toml::from_str(
        r#"
        [case]
        court = "Tribunal"
        [expert]
        name = "Dr. Ada Exemple"
        place = "Paris"
        qualifications = "Engineer."
        [mission]
        text = "Examine the disk."
        questions = ["Was it tampered with?"]
        "#,
    )
    .unwrap();
    for kind in DocumentKind::ALL {
        for (lang, mismatch) in [
            ("en", "MISMATCH"),
            ("fr", "DISCORDANT"),
            ("es", "NO COINCIDE"),
        ] {
            for jurisdiction in ["us", "fr", "es"] {
                let req = ReportRequest {
                    kind,
                    lang: lang.parse().unwrap(),
                    jurisdiction: Some(jurisdiction.parse().unwrap()),
                    exhibits: vec![],
                    input: Some(input.clone()),
                    templates: TemplateSource::default(),
                    correlate: Vec::new(),
                };
                let Ok(doc) = build(&data, &req) else {
                    continue; // a document of another jurisdiction
                };
                let t = blocks_text(&doc.blocks);
                let at = format!("{kind:?} {lang} {jurisdiction}");
                // The stored MD5 against the media's, and the unreadable chunk, everywhere.
                assert!(t.contains(&stored) && t.contains(&computed), "{at}:\n{t}");
                assert!(t.contains("EWF"), "{at}:\n{t}");
                if kind != DocumentKind::Seals {
                    assert!(t.contains("EWF MD5"), "{at}: no acquisition section:\n{t}");
                }
                if t.contains("EWF MD5") {
                    // The acquisition section: header fields and the comparison.
                    assert!(t.contains("Jane Examiner"), "{at}");
                    assert!(t.contains(mismatch), "{at}:\n{t}");
                }
            }
        }
    }
}

/// Re-signs ledger line `n` and the lines after it with the case's key (decrypted by openssl),
/// as someone holding the key could; checkpoints are removed (the root changes).
fn re_sign(c: &Case, lines: &mut [String], from: usize) {
    use base64::engine::general_purpose::STANDARD as B64;
    use base64::Engine as _;
    let plain = c.root.join("plain.pem");
    let o = exec(
        Command::new("openssl")
            .args(["pkey", "-passin"])
            .arg(format!("pass:{PASS}"))
            .arg("-in")
            .arg(&c.key)
            .arg("-out")
            .arg(&plain),
    );
    assert!(o.status.success(), "{}", text(&o));
    for n in from..lines.len() {
        let prev = sha256sum_bytes(lines[n - 1].as_bytes());
        let at = lines[n].find("\"prev\":\"").unwrap() + "\"prev\":\"".len();
        lines[n].replace_range(at..at + 64, &prev);
        let start = lines[n].find(",\"sig\":\"").unwrap();
        let vstart = start + ",\"sig\":\"".len();
        let vlen = lines[n][vstart..].find('"').unwrap();
        let message = format!("{}{}", &lines[n][..start], &lines[n][vstart + vlen + 1..]);
        let msg = c.root.join("msg.bin");
        std::fs::write(&msg, message).unwrap();
        let sig = exec(
            Command::new("openssl")
                .args(["pkeyutl", "-sign", "-rawin", "-inkey"])
                .arg(&plain)
                .arg("-in")
                .arg(&msg),
        )
        .stdout;
        assert_eq!(sig.len(), 64);
        lines[n].replace_range(vstart..vstart + vlen, &B64.encode(&sig));
    }
    std::fs::write(c.case.join("ledger.jsonl"), lines.join("\n") + "\n").unwrap();
    for e in std::fs::read_dir(c.case.join("checkpoints")).unwrap() {
        std::fs::remove_file(e.unwrap().path()).unwrap();
    }
    let _ = std::fs::remove_file(c.case.join("ledger.index"));
}

/// A signed `ewf` record that breaks the EWF rules (FORMAT.md 6.2) is refused by both
/// verifiers, scelle's and the independent one, each for its own reason; re-signing the
/// unchanged ledger is accepted by both (the control).
#[test]
fn both_verifiers_refuse_re_signed_inconsistent_ewf_records() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    assert!(c.seal(&image, &[]).status.success());
    let pristine: Vec<String> = std::fs::read_to_string(c.case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    let e = &c.last_body()["artifact"]["ewf"];
    let md5 = e["md5"]["computed"].as_str().unwrap().to_string();
    let date = e["header"]["acquisition_date"]
        .as_str()
        .unwrap()
        .to_string();
    let python = || {
        exec(
            Command::new(pyenv_bin("python3"))
                .arg("tests/independent/verify_case.py")
                .arg(&c.case),
        )
    };
    let mut control = pristine.clone();
    re_sign(&c, &mut control, 1);
    ok(&run(&["-C", c.c(), "verify"]));
    assert!(python().status.success(), "{}", text(&python()));
    let other = "0".repeat(32);
    for (what, from, to) in [
        (
            "matches contradicts",
            "\"matches\":true",
            "\"matches\":false",
        ),
        (
            "computed",
            &*format!("\"computed\":\"{md5}\""),
            &*format!("\"computed\":\"{other}\""),
        ),
        ("segments", "\"segments\":", "\"segments\":1"),
        (
            "bad_chunk",
            "\"bad_chunk_count\":0",
            "\"bad_chunk_count\":1",
        ),
        (
            "acquisition_date",
            &*format!("\"acquisition_date\":\"{date}\""),
            &*format!("\"acquisition_date\":\"{}\"", date.trim_end_matches('Z')),
        ),
        (
            "compression",
            "\"compressed_chunks\":",
            "\"compressed_chunks\":9999",
        ),
    ] {
        let mut lines = pristine.clone();
        assert!(lines[1].contains(from), "{what}: {from} not in the seal");
        lines[1] = lines[1].replacen(from, to, 1);
        re_sign(&c, &mut lines, 1);
        let o = run(&["-C", c.c(), "verify"]);
        assert_ne!(
            o.status.code(),
            Some(0),
            "{what}: scelle accepts\n{}",
            text(&o)
        );
        assert!(out(&o).contains("entry 1"), "{what}: {}", text(&o));
        let p = python();
        assert!(!p.status.success(), "{what}: verify_case.py accepts");
        assert!(
            stdout(&p).contains("ERROR [body] entry 1"),
            "{what}: {}",
            text(&p)
        );
    }
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &x in data {
        a = (a + u32::from(x)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

/// The offsets of a segment's section descriptors, with their types.
fn sections(d: &[u8]) -> Vec<(usize, String)> {
    let mut off = 13usize;
    let mut out = Vec::new();
    loop {
        let kind = String::from_utf8_lossy(&d[off..off + 16])
            .trim_end_matches('\0')
            .to_string();
        let next = u64::from_le_bytes(d[off + 16..off + 24].try_into().unwrap()) as usize;
        out.push((off, kind.clone()));
        if kind == "next" || kind == "done" || next <= off {
            return out;
        }
        off = next;
    }
}

/// Rewrites a descriptor's `next` and its checksum.
fn set_next(d: &mut [u8], at: usize, next: u64) {
    d[at + 16..at + 24].copy_from_slice(&next.to_le_bytes());
    let sum = adler32(&d[at..at + 72]);
    d[at + 72..at + 76].copy_from_slice(&sum.to_le_bytes());
}

fn refused(c: &Case, image: &Path, says: &str) {
    let before = snapshot(&c.case);
    let o = c.seal(image, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(stderr(&o).contains(says), "{says}: {}", text(&o));
    assert_eq!(snapshot(&c.case), before, "nothing written");
}

/// Hostile or broken sets are refused (exit 2, nothing written), each naming what is wrong:
/// a section pointing back (a loop: without the check the reader would never end), a
/// segment in another's place, a segment of another image, a truncated segment, a table
/// pointing outside its sectors, a descriptor whose checksum fails.
#[test]
fn hostile_and_broken_sets_are_refused_and_nothing_is_written() {
    let c = Case::new();
    let image = acquire(&c.root, "disk", "encase6");
    let e2 = c.root.join("disk.E02");
    let pristine = std::fs::read(&e2).unwrap();
    // A loop: the table's descriptor points back to the sectors section.
    let mut d = pristine.clone();
    let s = sections(&d);
    let table = s.iter().find(|(_, k)| k == "table").unwrap().0;
    let sectors = s.iter().find(|(_, k)| k == "sectors").unwrap().0;
    set_next(&mut d, table, sectors as u64);
    std::fs::write(&e2, &d).unwrap();
    refused(&c, &image, "points back");
    // A descriptor whose checksum fails.
    let mut d = pristine.clone();
    d[table + 30] ^= 1;
    std::fs::write(&e2, &d).unwrap();
    refused(&c, &image, "checksum");
    // A table entry pointing past its sectors section, in table and table2 (checksums right).
    let mut d = pristine.clone();
    for (at, _) in sections(&pristine)
        .into_iter()
        .filter(|(_, k)| k == "table" || k == "table2")
    {
        let count = u32::from_le_bytes(d[at + 76..at + 80].try_into().unwrap()) as usize;
        let e = at + 100;
        d[e..e + 4].copy_from_slice(&0x7fff_0000u32.to_le_bytes());
        let sum = adler32(&d[e..e + 4 * count]);
        d[e + 4 * count..e + 4 * count + 4].copy_from_slice(&sum.to_le_bytes());
    }
    std::fs::write(&e2, &d).unwrap();
    refused(&c, &image, "outside its sectors section");
    // A truncated segment.
    std::fs::write(&e2, &pristine[..pristine.len() - 100]).unwrap();
    refused(&c, &image, "disk.E02");
    // Segment 3 in segment 2's place.
    std::fs::copy(c.root.join("disk.E03"), &e2).unwrap();
    refused(&c, &image, "says segment 3");
    // Segment 2 of another image (another size) in its place.
    let other = c.root.join("other");
    std::fs::create_dir(&other).unwrap();
    let mut data = std::fs::read(c.root.join("media.raw")).unwrap();
    data.truncate(3 << 20);
    std::fs::write(other.join("media.raw"), &data).unwrap();
    let o = tool(
        &other,
        "ewfacquire",
        &[
            "-u",
            "-t",
            "x",
            "-S",
            "1MiB",
            "-c",
            "deflate:fast",
            "media.raw",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    std::fs::copy(other.join("x.E02"), &e2).unwrap();
    refused(&c, &image, "another image");
    // Restored, it seals.
    std::fs::write(&e2, &pristine).unwrap();
    assert!(c.seal(&image, &[]).status.success());
}

/// libewf's EWF-X variant stores a SHA-256 (`xhash`): it is compared with the media's and
/// becomes the acquisition's `source_sha256`; lower-case segment names are found too.
#[test]
fn a_stored_sha256_is_checked_and_lower_case_names_are_followed() {
    let c = Case::new();
    let image = acquire(&c.root, "x", "ewfx");
    let names: Vec<_> = std::fs::read_dir(&c.root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(
        image.to_str().unwrap().ends_with(".e01"),
        "{image:?} {names:?}"
    );
    assert!(c.root.join("x.e02").exists(), "several segments");
    let o = c.seal(&image, &[]);
    assert!(o.status.success(), "{}", text(&o));
    let body = c.last_body();
    let e = &body["artifact"]["ewf"];
    let sha = sha256sum(&c.root.join("media.raw"));
    assert_eq!(e["sha256"]["stored"], sha.as_str());
    assert_eq!(e["sha256"]["matches"], true);
    assert_eq!(
        e["segments"],
        body["artifact"]["members"].as_array().unwrap().len()
    );
    assert_eq!(body["acquisition"]["source_sha256"], sha.as_str());
    assert_eq!(body["acquisition"]["source_hash_matches"], true);
    assert!(text(&o).contains("EWF SHA-256 MATCH"), "{}", text(&o));
    let py = exec(
        Command::new(pyenv_bin("python3"))
            .arg("tests/independent/verify_case.py")
            .arg(&c.case),
    );
    assert!(py.status.success(), "{}", text(&py));
    // An encase6 image stores none: no sha256 object.
    let c = Case::new();
    let image = acquire(&c.root, "y", "encase6");
    assert!(c.seal(&image, &[]).status.success());
    assert!(c.last_body()["artifact"]["ewf"].get("sha256").is_none());
}

/// The header is hostile input: an escape sequence in a field is recorded as written but
/// never reaches the terminal raw.
#[test]
fn header_fields_are_escaped_on_the_terminal() {
    let c = Case::new();
    media(&c.root.join("media.raw"));
    let o = tool(
        &c.root,
        "ewfacquire",
        &[
            "-u",
            "-t",
            "h",
            "-C",
            "CASE\u{1b}[2J\u{1b}]0;pwned\u{7}",
            "-e",
            "Ex\u{202e}am",
            "-S",
            "8MiB",
            "-c",
            "deflate:fast",
            "media.raw",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = c.seal(&c.root.join("h.E01"), &[]);
    assert!(o.status.success(), "{}", text(&o));
    let shown = out(&o);
    assert!(
        !shown.contains('\u{1b}') && !shown.contains('\u{7}'),
        "{shown:?}"
    );
    assert!(!shown.contains('\u{202e}'), "{shown:?}");
    assert!(shown.contains("case number: CASE"), "{shown}");
    let h = &c.last_body()["artifact"]["ewf"]["header"];
    assert_eq!(h["case_number"], "CASE\u{1b}[2J\u{1b}]0;pwned\u{7}");
}

/// The EnCase 1 layout (chunks inside the table section, no sectors section) is refused by
/// name, with the conversion that makes it readable.
#[test]
fn the_encase1_layout_is_refused_by_name() {
    let c = Case::new();
    let image = acquire(&c.root, "old", "encase1");
    refused(&c, &image, "EnCase 1 layout");
}

/// A source whose size is not a whole number of sectors: ewfacquire stores its partial last
/// sector past the media and its MD5 over the whole source, so the image fails ewfverify; the
/// seal reads the media as ewfverify does (same computed digests), records the mismatch and
/// exits 1.
#[test]
fn a_partial_last_sector_reads_as_ewfverify_reads_it() {
    let c = Case::new();
    let mut data = vec![0u8; (1 << 20) + 300];
    for (i, b) in data.iter_mut().enumerate() {
        *b = (i * 7 % 251) as u8;
    }
    std::fs::write(c.root.join("odd.raw"), &data).unwrap();
    let o = tool(
        &c.root,
        "ewfacquire",
        &[
            "-u",
            "-t",
            "odd",
            "-b",
            "16",
            "-c",
            "deflate:fast",
            "-d",
            "sha1",
            "odd.raw",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    let image = c.root.join("odd.E01");
    let (digests, verified) = ewfverify(&image);
    assert!(!verified);
    let o = c.seal(&image, &[]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let e = c.last_body()["artifact"]["ewf"].clone();
    assert_eq!(e["media_size"], 1 << 20);
    assert_eq!(e["chunk_count"], 129, "one chunk past the media");
    assert_eq!(e["bad_chunk_count"], 0);
    for (alg, stored, computed) in digests {
        let name = if alg == "MD5" { "md5" } else { "sha1" };
        assert_eq!(e[name]["computed"], computed.as_str(), "{alg}");
        assert_eq!(e[name]["stored"], stored.as_str(), "{alg}");
        assert_eq!(e[name]["matches"], false);
    }
    let py = exec(
        Command::new(pyenv_bin("python3"))
            .arg("tests/independent/verify_case.py")
            .arg(&c.case),
    );
    assert!(!stdout(&py).contains("ERROR"), "{}", text(&py));
}
