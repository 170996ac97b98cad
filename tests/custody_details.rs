//! Everything the ledger knows of each custody event is printed (issue 17): persons present,
//! seal conditions, places, re-hashes, the acquisition's facts, a missing one as "not
//! recorded"; times in the case's time zone with their UTC offset (or UTC, said so); the gap
//! between acquisition and sealing and acts one second apart flagged; the verification's
//! summary and the IOC summary follow the actual results. Checked by the text pdftotext
//! extracts, in English, French and Spanish.

mod common;

use common::{key_pair, run_in, stderr, stdout};
use std::path::Path;
use std::process::Command;

const PASS: &str = "custody details test passphrase";

/// The words of one language the documents must (or must never) print.
struct Words {
    lang: &'static str,
    not_recorded: &'static str,
    utc_note: &'static str,
    zone_note: &'static str,
    all_passed: &'static str,
    no_error_but: &'static str,
    present: &'static str,
    quick: &'static str,
    late_seal: &'static str,
    matches_total: &'static str,
    no_match_anywhere: &'static str,
    no_match_here: &'static str,
    others_matched: &'static str,
}

const WORDS: [Words; 3] = [
    Words {
        lang: "en",
        not_recorded: "not recorded",
        utc_note: "The case records no time zone: times are in UTC",
        zone_note: "Times are in the case's local time",
        all_passed: "all checks passed",
        no_error_but: "no error; warnings: ",
        present: "Persons present",
        quick: "after the previous act on this exhibit",
        late_seal: "after the acquisition, more than 1 d",
        matches_total: "Indicator matches recorded: ",
        no_match_anywhere: "No indicator matched in any recorded scan",
        no_match_here: "This scan found none of its indicators",
        others_matched: "Other scans did",
    },
    Words {
        lang: "fr",
        not_recorded: "information non consignée",
        utc_note: "L'affaire ne consigne aucun fuseau horaire : les heures sont données en UTC",
        zone_note: "Les heures sont données à l'heure locale de l'affaire",
        all_passed: "toutes les vérifications sont conformes",
        no_error_but: "aucune erreur ; avertissements : ",
        present: "Personnes présentes",
        quick: "après l'acte précédent sur cette pièce",
        late_seal: "après l'acquisition, plus de 1 j",
        matches_total: "Correspondances d'indicateurs enregistrées : ",
        no_match_anywhere: "Aucun indicateur n'a été retrouvé par les recherches",
        no_match_here: "Cette recherche n'a retrouvé aucun de ses indicateurs",
        others_matched: "D'autres recherches en ont retrouvé",
    },
    Words {
        lang: "es",
        not_recorded: "no consta",
        utc_note: "La causa no consigna huso horario: las horas se dan en UTC",
        zone_note: "Las horas se dan en la hora local de la causa",
        all_passed: "todas las comprobaciones son correctas",
        no_error_but: "ningún error; advertencias: ",
        present: "Personas presentes",
        quick: "después del acto anterior sobre este efecto",
        late_seal: "después de la adquisición, más de 1 d",
        matches_total: "Coincidencias de indicadores registradas: ",
        no_match_anywhere: "Ningún indicador coincidió en las búsquedas",
        no_match_here: "Esta búsqueda no halló ninguno de sus indicadores",
        others_matched: "Otras búsquedas sí los hallaron",
    },
];

/// The text of a PDF, white space (line breaks, no-break spaces) folded to single spaces.
fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    assert!(o.status.success(), "{}", pdf.display());
    String::from_utf8(o.stdout)
        .unwrap()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Each ledger line's `seq`, `kind` and time as seconds since 1970 (via `date`, an
/// independent reading of the UTC time).
fn ledger_times(case: &Path) -> Vec<(u64, String, i64)> {
    std::fs::read_to_string(case.join("ledger.jsonl"))
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let t = v["time"].as_str().unwrap().to_string();
            (
                v["seq"].as_u64().unwrap(),
                v["kind"].as_str().unwrap().to_string(),
                epoch(&t),
            )
        })
        .collect()
}

fn epoch(utc: &str) -> i64 {
    let o = Command::new("date")
        .args(["-u", "-d", utc, "+%s"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().parse().unwrap()
}

/// `secs` in `zone` as the documents print it, computed by `date` from the system's tz
/// database (independent of the one compiled into scelle): `2026-03-14 10:05:00 +01:00`.
fn local(secs: i64, zone: &str) -> String {
    let o = Command::new("date")
        .env("TZ", zone)
        .args(["-d", &format!("@{secs}"), "+%Y-%m-%d %H:%M:%S %:z"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

fn utc(secs: i64) -> String {
    let o = Command::new("date")
        .args(["-u", "-d", &format!("@{secs}"), "+%Y-%m-%d %H:%M:%S UTC"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// Whether `text` holds a raw RFC 3339 timestamp (`2026-12-06T11:37:21Z`,
/// `2021-09-07T09:30:00-07:00`) instead of a printed time.
fn has_raw_iso_time(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(20)).any(|i| {
        let w = &b[i..i + 20];
        w[4] == b'-'
            && w[10] == b'T'
            && w[13] == b':'
            && matches!(w[19], b'Z' | b'+' | b'-')
            && w[..4].iter().all(u8::is_ascii_digit)
    })
}

/// The act-to-act gaps of ≤ 1 s among an exhibit's custody acts (`open`, `reseal` after the
/// seal here), from the ledger's own times.
fn quick_acts(times: &[(u64, String, i64)]) -> usize {
    let acts: Vec<&(u64, String, i64)> = times
        .iter()
        .filter(|t| {
            ["seal", "open", "reseal", "release", "accept", "dispose"].contains(&t.1.as_str())
        })
        .collect();
    acts.windows(2)
        .filter(|w| (0..=1).contains(&(w[1].2 - w[0].2)))
        .count()
}

/// A Spanish case with no time zone, one exhibit sealed with nothing said of its
/// acquisition and a source hash that does not match (a `source-hash` warning), opened with
/// nothing said, and re-sealed with the persons present and the place: the custody record in
/// every language prints the missing facts as missing, the re-seal's facts, times in UTC and
/// says so, and never "all checks passed" beside the warning.
#[test]
fn missing_facts_printed_as_missing_and_no_all_clear_beside_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    key_pair(root, PASS, "expert", Some("expert"));
    let ok = |args: &[&str]| {
        let o = run_in(root, PASS, args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    };
    // An unknown zone is refused at init, naming the option, nothing made.
    let o = run_in(
        root,
        PASS,
        &[
            "init",
            "bad",
            "--case-id",
            "DP 1/2026",
            "--title",
            "T",
            "--timezone",
            "Mars/Base",
            "--key",
            "expert.key",
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--timezone") && !root.join("bad").exists());
    ok(&[
        "init",
        "case",
        "--case-id",
        "DP 1/2026",
        "--title",
        "Diligencias de prueba",
        "--court",
        "Juzgado Central de Instrucción n.º 4",
        "--jurisdiction",
        "es",
        "--lang",
        "es",
        "--key",
        "expert.key",
    ]);
    std::fs::write(root.join("a.bin"), b"evidence").unwrap();
    let zeros = "0".repeat(64);
    let o = run_in(
        root,
        PASS,
        &[
            "-C",
            "case",
            "seal",
            "a.bin",
            "--source-sha256",
            &zeros,
            "--key",
            "expert.key",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "a mismatching source hash: {}",
        stderr(&o)
    );
    ok(&[
        "-C",
        "case",
        "open",
        "E-0001",
        "--operations",
        "copia de trabajo",
        "--key",
        "expert.key",
    ]);
    ok(&[
        "-C",
        "case",
        "reseal",
        "E-0001",
        "--new-seal-no",
        "R1",
        "--present",
        "Ana López Peña",
        "--present",
        "Luis Gómez",
        "--location",
        "Laboratorio de informática forense, Madrid",
        "--seal-condition",
        "precinto R1 firmado",
        "--key",
        "expert.key",
    ]);
    let ledger = std::fs::read_to_string(root.join("case/ledger.jsonl")).unwrap();
    assert!(
        ledger.contains(r#""present":["Ana López Peña","Luis Gómez"]"#),
        "{ledger}"
    );
    let times = ledger_times(&root.join("case"));
    let input = format!(
        "{}/examples/demo/report-es.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    for w in &WORDS {
        let out = root.join(format!("custody-{}.pdf", w.lang));
        ok(&[
            "-C",
            "case",
            "report",
            "custody",
            "--lang",
            w.lang,
            "--input",
            &input,
            "--out",
            out.to_str().unwrap(),
            "--key",
            "expert.key",
        ]);
        let text = pdf_text(&out);
        let l = w.lang;
        // Nothing said of the acquisition or the opening: ten acquisition facts, seven on
        // the seal's row, four on the opening's, one (the new seal's state) on the re-seal's.
        let missing = text.matches(w.not_recorded).count();
        assert!(
            missing >= 10 + 7 + 3,
            "{l}: {missing} '{}' in {text}",
            w.not_recorded
        );
        // (French typography: a space before « ; ».)
        let people = if l == "fr" {
            "Ana López Peña ; Luis Gómez"
        } else {
            "Ana López Peña; Luis Gómez"
        };
        for said in [
            people,
            "Laboratorio de informática forense, Madrid",
            "precinto R1 firmado",
        ] {
            assert!(text.contains(said), "{l}: {said:?} missing: {text}");
        }
        assert!(text.matches(w.present).count() >= 3, "{l}: {text}");
        // Headings name the seal number and the description, never an empty "— —".
        assert!(text.contains("E-0001 — "), "{l}");
        assert!(
            !text.contains("— —") && !text.contains("— :"),
            "{l}: {text}"
        );
        // Times: in UTC, said so; never the raw ledger form in prose.
        assert!(text.contains(w.utc_note), "{l}: {text}");
        assert!(!text.contains(w.zone_note), "{l}");
        assert!(!has_raw_iso_time(&text), "{l}: raw timestamp in {text}");
        for (seq, _, secs) in &times[1..] {
            assert!(
                text.contains(&utc(*secs)),
                "{l}: entry {seq} at {}: {text}",
                utc(*secs)
            );
        }
        // The summary follows the result: a warning, so no all-clear.
        assert!(
            !text.contains(w.all_passed),
            "{l}: all-clear beside a warning: {text}"
        );
        assert!(text.contains(w.no_error_but), "{l}: {text}");
        // Acts one second apart or less are flagged (each in its row and again below).
        let quick = quick_acts(&times);
        assert_eq!(
            text.matches(w.quick).count(),
            2 * quick,
            "{l}: {quick} quick acts: {text}"
        );
        // No acquisition time: no gap to flag.
        assert!(!text.contains(w.late_seal), "{l}");
    }
}

/// The demo's cases record their time zones (America/Los_Angeles, Europe/Paris,
/// Europe/Madrid): each document gives every custody time in local time with the offset of
/// that date, flags the years between the demo's acquisition dates and their sealing, and,
/// with IOC matches recorded, states them and never a bare "no match".
#[test]
fn demo_times_are_local_with_their_offset_and_matches_are_stated() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let o = common::demo(&dir);
    assert!(o.status.success(), "{}", stderr(&o));
    let cases = [
        (
            "case",
            "America/Los_Angeles",
            &WORDS[0],
            vec!["us/expert-report-en.pdf"],
        ),
        (
            "case-fr",
            "Europe/Paris",
            &WORDS[1],
            vec!["fr/expert-report-fr.pdf", "fr/seals-fr.pdf"],
        ),
        (
            "case-es",
            "Europe/Madrid",
            &WORDS[2],
            vec!["es/expert-report-es.pdf", "es/custody-es.pdf"],
        ),
    ];
    // The FRE 902(14) certificate dates the copy in the case's local time, never raw.
    let cert = pdf_text(&dir.join("reports/us/certificate-en.pdf"));
    assert!(
        !has_raw_iso_time(&cert),
        "certificate: raw timestamp: {cert}"
    );
    let case_json = std::fs::read_to_string(dir.join("case/ledger.jsonl")).unwrap();
    let acquired = case_json
        .split(r#""acquired_at":""#)
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("the US demo seal records its acquisition time");
    let want = local(epoch(acquired), "America/Los_Angeles");
    assert!(
        cert.contains(&want),
        "certificate: copy dated {want}? {cert}"
    );
    for (case, zone, w, docs) in cases {
        let times = ledger_times(&dir.join(case));
        for doc in docs {
            let text = pdf_text(&dir.join("reports").join(doc));
            assert!(
                text.contains(w.zone_note) && text.contains(zone),
                "{doc}: {text}"
            );
            assert!(!text.contains(w.utc_note), "{doc}");
            assert!(!has_raw_iso_time(&text), "{doc}: raw timestamp");
            for (seq, kind, secs) in &times {
                if ["seal", "open", "reseal", "release", "accept"].contains(&kind.as_str()) {
                    let want = local(*secs, zone);
                    assert!(
                        text.contains(&want),
                        "{doc}: entry {seq} ({kind}) at {want}: {text}"
                    );
                }
            }
            // Each demo exhibit was acquired years before the demo sealed it.
            assert!(
                text.contains(w.late_seal),
                "{doc}: no late-seal warning: {text}"
            );
            assert!(text.contains(w.present), "{doc}");
            if doc.contains("expert-report") {
                assert!(text.contains(w.matches_total), "{doc}: {text}");
                assert!(!text.contains(w.no_match_anywhere), "{doc}");
                assert_eq!(
                    text.matches(w.no_match_here).count(),
                    text.matches(w.others_matched).count(),
                    "{doc}: a scan's negative result without the others' matches"
                );
            }
        }
    }
}

/// A re-hash that fails at re-sealing (the file changed while the seal was open): the
/// re-seal's row says the copy DIFFERS and why, and the summary never gives the all-clear.
#[test]
fn a_failed_rehash_is_printed_and_the_summary_follows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    key_pair(root, PASS, "expert", Some("expert"));
    let ok = |args: &[&str]| {
        let o = run_in(root, PASS, args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    };
    ok(&[
        "init",
        "case",
        "--case-id",
        "DP 2/2026",
        "--title",
        "Rehash",
        "--court",
        "Juzgado Central de Instrucción n.º 4",
        "--jurisdiction",
        "es",
        "--lang",
        "es",
        "--timezone",
        "Europe/Madrid",
        "--key",
        "expert.key",
    ]);
    std::fs::write(root.join("b.bin"), b"original bytes").unwrap();
    ok(&[
        "-C",
        "case",
        "seal",
        "b.bin",
        "--seal-no",
        "P-1",
        "--key",
        "expert.key",
    ]);
    ok(&[
        "-C",
        "case",
        "open",
        "E-0001",
        "--operations",
        "examen",
        "--key",
        "expert.key",
    ]);
    let sealed = common::sha256sum(&root.join("b.bin"));
    std::fs::write(root.join("b.bin"), b"altered bytes!").unwrap();
    let found = common::sha256sum(&root.join("b.bin"));
    let o = run_in(
        root,
        PASS,
        &[
            "-C",
            "case",
            "reseal",
            "E-0001",
            "--new-seal-no",
            "P-1 BIS",
            "--key",
            "expert.key",
        ],
    );
    assert_ne!(o.status.code(), Some(0), "a failed re-hash: {}", stdout(&o));
    let input = format!(
        "{}/examples/demo/report-es.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    for (w, differs) in WORDS.iter().zip([
        "DIFFERS from the seal record",
        "DIFFÈRE du scellé",
        "NO COINCIDE con el precinto",
    ]) {
        let out = root.join(format!("custody-{}.pdf", w.lang));
        ok(&[
            "-C",
            "case",
            "report",
            "custody",
            "--lang",
            w.lang,
            "--input",
            &input,
            "--out",
            out.to_str().unwrap(),
            "--key",
            "expert.key",
        ]);
        let text = pdf_text(&out);
        let l = w.lang;
        assert!(text.contains(differs), "{l}: {text}");
        assert!(
            text.contains("SHA-256 differs"),
            "{l}: the discrepancy as recorded: {text}"
        );
        // Both hashes of the difference in full, each unbroken (listed full width below the
        // table, not wrapped inside a narrow cell).
        for h in [&sealed, &found] {
            assert!(text.contains(h.as_str()), "{l}: {h} not whole in: {text}");
        }
        assert!(
            !text.contains(w.all_passed),
            "{l}: all-clear beside a failed re-hash: {text}"
        );
        assert!(text.contains(w.no_error_but), "{l}: {text}");
        assert!(
            text.contains(w.zone_note) && text.contains("Europe/Madrid"),
            "{l}"
        );
    }
}

/// A STIX bundle with one domain indicator.
fn stix(domain: &str) -> String {
    serde_json::json!({
        "type": "bundle",
        "id": "bundle--34d0032b-b342-4076-955d-6c0020fe6930",
        "objects": [{
            "type": "indicator", "spec_version": "2.1",
            "id": "indicator--05b7c427-1452-437e-a19e-32590edf60c3",
            "created": "2024-01-26T21:28:21.013288Z", "modified": "2024-01-26T21:28:21.013288Z",
            "pattern": format!("[domain-name:value='{domain}']"),
            "pattern_type": "stix", "pattern_version": "2.1",
            "valid_from": "2024-01-26T21:28:21.013288Z"
        }]
    })
    .to_string()
}

/// Two scans, the first without a match and the second with one: the expert report states
/// the match first, and the first scan's negative result is said of that scan alone, with the
/// scan that matched named beside it, never a bare "no match".
#[test]
fn a_scan_without_match_never_stands_alone_beside_a_match() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    key_pair(root, PASS, "expert", Some("expert"));
    let ok = |args: &[&str]| {
        let o = run_in(root, PASS, args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    };
    ok(&[
        "init",
        "case",
        "--case-id",
        "DP 3/2026",
        "--title",
        "IOC",
        "--court",
        "Juzgado Central de Instrucción n.º 4",
        "--jurisdiction",
        "es",
        "--lang",
        "es",
        "--key",
        "expert.key",
    ]);
    std::fs::write(root.join("log.txt"), b"contact weather4free.com now").unwrap();
    ok(&["-C", "case", "seal", "log.txt", "--key", "expert.key"]);
    std::fs::write(root.join("none.stix2"), stix("nothing-here.example")).unwrap();
    std::fs::write(root.join("hit.stix2"), stix("weather4free.com")).unwrap();
    ok(&[
        "-C",
        "case",
        "ioc",
        "scan",
        "--stix",
        "none.stix2",
        "--key",
        "expert.key",
    ]);
    ok(&[
        "-C",
        "case",
        "ioc",
        "scan",
        "--stix",
        "hit.stix2",
        "--key",
        "expert.key",
    ]);
    let input = format!(
        "{}/examples/demo/report-es.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    for w in &WORDS {
        let out = root.join(format!("report-{}.pdf", w.lang));
        ok(&[
            "-C",
            "case",
            "report",
            "expert-report",
            "--lang",
            w.lang,
            "--input",
            &input,
            "--out",
            out.to_str().unwrap(),
            "--key",
            "expert.key",
        ]);
        let text = pdf_text(&out);
        let l = w.lang;
        assert!(text.contains(w.matches_total), "{l}: {text}");
        assert!(!text.contains(w.no_match_anywhere), "{l}: {text}");
        assert!(text.contains("weather4free.com"), "{l}");
        // The negative result of entry 2, then the scan that matched (entry 3) named.
        let whole = match l {
            "en" => "Other scans did: entry(ies) 3.",
            "fr" => "D'autres recherches en ont retrouvé : entrée(s) 3.",
            _ => "Otras búsquedas sí los hallaron: asiento(s) 3.",
        };
        let at = text
            .find(w.no_match_here)
            .unwrap_or_else(|| panic!("{l}: {text}"));
        assert!(text[at..].contains(whole), "{l}: {}", &text[at..]);
        assert_eq!(text.matches(w.no_match_here).count(), 1, "{l}");
    }
}

/// RFC 3339 for `offset` seconds from now, with a local offset as an expert would type it.
fn acquired(offset: i64) -> String {
    let now: i64 = String::from_utf8(Command::new("date").arg("+%s").output().unwrap().stdout)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let o = Command::new("date")
        .env("TZ", "Europe/Paris")
        .args(["-d", &format!("@{}", now + offset), "+%Y-%m-%dT%H:%M:%S%:z"])
        .output()
        .unwrap();
    String::from_utf8(o.stdout).unwrap().trim().to_string()
}

/// The gap between acquisition and sealing is printed for every seal, and flagged beyond
/// 24 hours (sealed 23 h after: printed, not flagged; 25 h after: flagged; sealed before the
/// time given for the acquisition: flagged as a clock or typing error), in every language.
#[test]
fn the_gap_between_acquisition_and_sealing_is_printed_and_flagged_beyond_a_day() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    key_pair(root, PASS, "expert", Some("expert"));
    let ok = |args: &[&str]| {
        let o = run_in(root, PASS, args);
        assert!(o.status.success(), "{args:?}: {}{}", stdout(&o), stderr(&o));
    };
    ok(&[
        "init",
        "case",
        "--case-id",
        "DP 4/2026",
        "--title",
        "Gap",
        "--court",
        "Juzgado Central de Instrucción n.º 4",
        "--jurisdiction",
        "es",
        "--lang",
        "es",
        "--timezone",
        "Europe/Madrid",
        "--key",
        "expert.key",
    ]);
    for (name, offset) in [("a", -23 * 3600), ("b", -25 * 3600), ("c", 3600)] {
        std::fs::write(root.join(name), name).unwrap();
        ok(&[
            "-C",
            "case",
            "seal",
            name,
            "--acquired-at",
            &acquired(offset),
            "--key",
            "expert.key",
        ]);
    }
    let input = format!(
        "{}/examples/demo/report-es.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    let words = [
        (
            "en",
            "WARNING",
            "before sealing",
            "after the acquisition, more than 1 d",
            "BEFORE the recorded acquisition time",
        ),
        (
            "fr",
            "AVERTISSEMENT",
            "avant la mise sous scellé",
            "après l'acquisition, plus de 1 j",
            "AVANT l'heure d'acquisition consignée",
        ),
        (
            "es",
            "ADVERTENCIA",
            "antes del precintado",
            "después de la adquisición, más de 1 d",
            "ANTES de la hora de adquisición consignada",
        ),
    ];
    for (l, warning, gap_before, late, early) in words {
        let out = root.join(format!("custody-{l}.pdf"));
        ok(&[
            "-C",
            "case",
            "report",
            "custody",
            "--lang",
            l,
            "--input",
            &input,
            "--out",
            out.to_str().unwrap(),
            "--key",
            "expert.key",
        ]);
        let text = pdf_text(&out);
        // The gap is printed for the two seals made after their acquisition: 23 h, 25 h.
        assert_eq!(text.matches(gap_before).count(), 2, "{l}: {text}");
        assert!(text.contains("23 h"), "{l}: {text}");
        // Only the 25-hour one and the one sealed before its acquisition are flagged, each
        // in its row and again below the table.
        assert_eq!(text.matches(late).count(), 2, "{l}: {text}");
        assert_eq!(text.matches(early).count(), 2, "{l}: {text}");
        let entry = if l == "en" {
            "entry"
        } else if l == "fr" {
            "entrée"
        } else {
            "asiento"
        };
        assert!(
            text.contains(&format!("E-0002, {entry} 2 — {warning}")),
            "{l}: {text}"
        );
        // (the timeline's title lists "E-0001, E-0002, …": only a warning line is looked for)
        assert!(
            !text.contains(&format!("E-0001, {entry}")),
            "{l}: 23 h flagged: {text}"
        );
    }
}
