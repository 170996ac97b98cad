//! `scelle demo [DIR]`: builds a complete demo case from the synthetic files bundled under
//! `examples/demo/` (compiled into the binary, so the demo runs from any directory): two keys,
//! the case "Apple Inc. v. NSO Group Technologies", three sealed artifacts (an iOS
//! full-file-system zip, a log folder, a single file), an examination (open and re-seal), the
//! hand-over of every exhibit to counsel with re-hash on receipt, counsel's cosignature of the
//! checkpoint, and a verification; a French case (a journalist's phone under scellé n° UN,
//! opened and re-made) and a Spanish case (Audiencia Nacional, DP 150/2022), each scanned for
//! Pegasus indicators; each case's documents, in its own jurisdiction and language.

use scelle::case::verify::{Report, VerifyOptions};
use scelle::error::{Error, IoContext, Result};
use scelle::format::body::{Acquisition, Item};
use scelle::format::lang::{Jurisdiction, Lang};
use scelle::ops::custody;
use scelle::ops::init::CaseParams;
use scelle::ops::seal::{SealOptions, Sealed};
use scelle::store::hashing::no_progress;
use scelle::store::hashing::HashSelection;
use scelle::store::keyfile;
use secrecy::SecretString;
use std::path::{Path, PathBuf};

/// The demo keys' passphrase. Printed by the demo: these keys protect nothing.
pub const DEMO_PASSPHRASE: &str = "demo passphrase, not a secret";

/// Marks a directory as made by `scelle demo`, so `--force` may replace it.
const MARKER: &str = ".scelle-demo";

/// Modification time of the extraction's members: 2021-09-07T16:30:00Z, the (synthetic)
/// acquisition.
const IOS_MTIME: u64 = 1_631_032_200;

macro_rules! demo_file {
    ($path:literal) => {
        (
            $path,
            include_bytes!(concat!("../examples/demo/", $path)) as &[u8],
        )
    };
}

/// The full name of the demo key `expert`'s holder (fictitious), recorded with the key in each
/// case and signed in each document; accented, as real names are.
const EXPERT_FULL_NAME: &str = "Jean-Marc Dupré";
/// The full name of the demo key `counsel`'s holder (fictitious).
const COUNSEL_FULL_NAME: &str = "María José Núñez Peña";

/// The demo keys: name, encrypted private key (passphrase [`DEMO_PASSPHRASE`]), public key.
const DEMO_KEYS: &[(&str, &[u8], &[u8])] = &[
    (
        "expert",
        include_bytes!("../examples/demo/keys/expert.key"),
        include_bytes!("../keys/demo/expert.pub"),
    ),
    (
        "counsel",
        include_bytes!("../examples/demo/keys/counsel.key"),
        include_bytes!("../keys/demo/counsel.pub"),
    ),
];

/// The synthetic iOS full-file-system extraction, packed as a zip at run time.
const IOS_FFS: &[(&str, &[u8])] = &[
    demo_file!("ios-ffs/System/Library/CoreServices/SystemVersion.plist"),
    demo_file!("ios-ffs/private/var/mobile/Library/Logs/CrashReporter/SafariViewService-2021-08-30-101512.ips"),
    demo_file!("ios-ffs/private/var/mobile/Library/Preferences/com.apple.identityservices.idstatuscache.plist"),
    demo_file!("ios-ffs/private/var/mobile/Library/Safari/History-export.tsv"),
    demo_file!("ios-ffs/private/var/root/Library/Preferences/com.apple.osanalytics.addaily.plist"),
    demo_file!("ios-ffs/private/var/root/Library/Preferences/roleaccountd.plist"),
    demo_file!("ios-ffs/private/var/wireless/Library/Databases/DataUsage.sqlite"),
];

/// The sysdiagnose log folder.
const LOGS: &[(&str, &[u8])] = &[
    demo_file!("sysdiagnose-logs/logs/system_logs.txt"),
    demo_file!("sysdiagnose-logs/ps.txt"),
    demo_file!("sysdiagnose-logs/shutdown.log"),
];

/// The second case's phone: a sysdiagnose log folder (Spanish investigation).
const ES_LOGS: &[(&str, &[u8])] = &[
    demo_file!("es-sysdiagnose/logs/system_logs.txt"),
    demo_file!("es-sysdiagnose/ps.txt"),
    demo_file!("es-sysdiagnose/shutdown.log"),
];

/// Amnesty International's Pegasus indicators (STIX 2.1), unmodified; provenance in
/// `examples/demo/ioc/SOURCES.txt`.
const PEGASUS_STIX: (&str, &[u8]) = demo_file!("ioc/pegasus.stix2");

/// The single file.
const NOTES: (&str, &[u8]) = demo_file!("acquisition-notes.txt");

/// The disk image exhibit: a tiny synthetic FAT12 USB stick acquired with ewfacquire into an
/// EWF (E01) set (examples/demo/disk-image/PROVENANCE.txt gives the commands).
const USB_E01: &[(&str, &[u8])] = &[demo_file!("disk-image/usb-stick.E01")];

/// Copies the E01 set into `art` and adds it to `plan` as the last exhibit: its header gives
/// the examiner, the acquisition date and the stored MD5 / SHA-1 the seal compares with the
/// media it reads.
fn plan_disk_image(
    art: &Path,
    acquisition: &Acquisition,
    plan: &mut Vec<(PathBuf, SealOptions)>,
) -> Result<()> {
    for (name, bytes) in USB_E01 {
        let base = Path::new(name).file_name().expect("a file name");
        let path = art.join(base);
        std::fs::write(&path, bytes).at(&path)?;
    }
    let first = art.join("usb-stick.E01");
    plan.push((
        first,
        SealOptions {
            seal_no: some("NSO-DEMO-004"),
            item: Item {
                item_type: some("USB stick"),
                capacity: some("512 KiB"),
                condition: some("found in the bag with the iPhone"),
                ..Default::default()
            },
            acquisition: Acquisition {
                method: some("physical (EWF image)"),
                tool: some("ewfacquire (libewf)"),
                present: acquisition.present.clone(),
                location: acquisition.location.clone(),
                authority: acquisition.authority.clone(),
                reason: acquisition.reason.clone(),
                operator_role: acquisition.operator_role.clone(),
                organisation: acquisition.organisation.clone(),
                ..Default::default()
            },
            ..Default::default()
        },
    ));
    Ok(())
}

/// What the demo made.
#[derive(Debug)]
#[allow(
    dead_code,
    reason = "the binary reads `verified`; tests that include this file read the rest"
)]
pub struct DemoOutcome {
    /// The demo directory.
    pub dir: PathBuf,
    /// The case directory.
    pub case: PathBuf,
    /// The exhibits sealed.
    pub sealed: Vec<Sealed>,
    /// The final verification (with re-hashing).
    pub report: Report,
    /// Whether it passed (the case, the bundle and the imported copy).
    pub verified: bool,
    /// The evidence bundle exported from the case.
    pub bundle: PathBuf,
    /// Where the bundle was imported (a second directory, as a receiving party would).
    pub imported: PathBuf,
}

fn prepare_dir(dir: &Path, force: bool) -> Result<()> {
    if dir.exists() {
        let empty = dir.is_dir() && std::fs::read_dir(dir).at(dir)?.next().is_none();
        if !empty {
            if force && dir.join(MARKER).is_file() {
                std::fs::remove_dir_all(dir).at(dir)?;
            } else if force {
                return Err(Error::input(format!(
                    "{} exists and was not made by `scelle demo`; --force only replaces a demo directory",
                    dir.display()
                )));
            } else {
                return Err(Error::input(format!(
                    "{} already exists; give another DIR, or --force to replace an earlier demo",
                    dir.display()
                )));
            }
        }
    }
    std::fs::create_dir_all(dir).at(dir)?;
    std::fs::write(dir.join(MARKER), b"made by scelle demo\n").at(dir.join(MARKER))
}

fn write_tree(root: &Path, files: &[(&str, &[u8])], strip: &str) -> Result<()> {
    for (name, data) in files {
        let p = root.join(
            name.strip_prefix(strip)
                .expect("demo paths share the prefix"),
        );
        let parent = p.parent().expect("has a parent");
        std::fs::create_dir_all(parent).at(parent)?;
        std::fs::write(&p, data).at(&p)?;
    }
    Ok(())
}

/// Packs the extraction as a deterministic zip, as UFED and GrayKey deliver full-file-system
/// extractions: every file deflated, made on Unix (mode 0644), the MS-DOS time and an extended
/// timestamp field (0x5455) both at `IOS_MTIME`, no data descriptors, no comment. A few
/// lines of writer (flate2 and crc32fast, already dependencies) rather than the `zip` crate:
/// the bytes are fixed by this code alone.
fn write_ios_zip(path: &Path) -> Result<()> {
    use std::io::Write;
    // 2021-09-07 16:30:00 in MS-DOS form (the time zone is not recorded: UTC here).
    let (dos_time, dos_date): (u16, u16) = ((16 << 11) | (30 << 5), (41 << 9) | (9 << 5) | 7);
    let mut ut = vec![0x55, 0x54, 5, 0, 1];
    ut.extend_from_slice(&(IOS_MTIME as u32).to_le_bytes());
    let (mut out, mut central) = (Vec::new(), Vec::new());
    for (name, data) in IOS_FFS {
        let name = name.strip_prefix("ios-ffs/").expect("prefix").as_bytes();
        let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(data).at(path)?;
        let packed = z.finish().at(path)?;
        let offset = out.len() as u32;
        // The fields the local header and the central directory entry share.
        let mut common = Vec::new();
        for v in [20u16, 0, 8, dos_time, dos_date] {
            common.extend_from_slice(&v.to_le_bytes());
        }
        for v in [
            crc32fast::hash(data),
            packed.len() as u32,
            data.len() as u32,
        ] {
            common.extend_from_slice(&v.to_le_bytes());
        }
        common.extend_from_slice(&(name.len() as u16).to_le_bytes());
        common.extend_from_slice(&(ut.len() as u16).to_le_bytes());
        out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        out.extend_from_slice(&common);
        out.extend_from_slice(name);
        out.extend_from_slice(&ut);
        out.extend_from_slice(&packed);
        central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
        central.extend_from_slice(&(0x0300u16 | 20).to_le_bytes()); // made by Unix
        central.extend_from_slice(&common);
        central.extend_from_slice(&[0; 6]); // comment length, disk, internal attributes
        central.extend_from_slice(&(0o100644u32 << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
        central.extend_from_slice(&ut);
    }
    let (cd_at, count) = (out.len() as u32, IOS_FFS.len() as u16);
    out.extend_from_slice(&central);
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    for v in [0u16, 0, count, count] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_at.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    std::fs::write(path, out).at(path)
}

/// Prints each checkpoint timestamp `verify` checked (FORMAT.md 8.6): TSA, time, serial.
fn say_timestamps(say: &mut dyn FnMut(&str), report: &scelle::case::verify::Report) {
    for t in &report.timestamps {
        say(&format!(
            "  checkpoint {} timestamped by {} at {} (serial {})",
            t.size, t.tsa, t.time, t.serial
        ));
    }
}

/// Prints a scan's matches, one line each.
fn say_scan(say: &mut dyn FnMut(&str), out: &scelle::ops::ioc::ScanOutcome) {
    let f = &out.scan.ioc_files[0];
    say(&format!(
        "IOC scan (entry {}) with {} (sha256 {}): {} of {} indicators used, {} findings, {} mentions (low confidence, not findings)",
        out.seq,
        f.file,
        f.sha256,
        f.used,
        f.indicator_objects,
        out.scan.matches.len(),
        out.scan.mentions.len()
    ));
    for m in &out.scan.matches {
        say(&format!(
            "  {} {} {:?} in {}{} ({}{})",
            m.indicates.join(", "),
            m.kind,
            m.value,
            m.exhibit,
            m.member
                .as_ref()
                .map(|x| format!(" {x}"))
                .unwrap_or_default(),
            m.on,
            m.offset
                .map(|o| format!(" at byte {o}"))
                .or_else(|| m
                    .location
                    .as_ref()
                    .map(|l| format!(" {}", scelle::output::ioc::location_text(l))))
                .unwrap_or_default()
        ));
    }
}

/// The expert reviews the scan's findings (FORMAT.md 6.11): the first is confirmed, and
/// another finding of the same exhibit (so that the timelines' grouping of the other exhibits
/// stays as it was) is dismissed with the reason, so that the documents show both decisions:
/// a process name matched in raw bytes (not in a value read from a table or a log naming
/// processes), else a second finding of the same value.
fn review_findings(
    case: &scelle::store::case::CaseDir,
    scan: &scelle::ops::ioc::ScanOutcome,
    notes_exhibit: &str,
    key: &keyfile::LoadedKey,
    say: &mut dyn FnMut(&str),
) -> Result<()> {
    use scelle::ops::ioc_review::{review, ReviewRequest};
    let matches = &scan.scan.matches;
    let Some(first) = matches.first() else {
        return Ok(());
    };
    let mut decide = |n: usize, confirmed: bool, reason: String| -> Result<()> {
        let out = review(
            case,
            &ReviewRequest {
                scan: Some(scan.seq),
                finding: n.to_string(),
                confirmed,
                reason,
            },
            key,
        )?;
        say(&format!(
            "expert {} finding {} (entry {}): {}",
            out.review.decision,
            out.review.id(),
            out.seq,
            out.review.reason
        ));
        Ok(())
    };
    decide(
        0,
        true,
        format!(
            "{} {:?} is an indicator of {} published by Amnesty International's Security Lab; \
             found in {} as recorded, in data the device itself wrote",
            first.kind,
            first.value,
            first.indicates.join(", "),
            first.member.as_deref().unwrap_or(&first.exhibit)
        ),
    )?;
    // The examiner's own notes (an exhibit too) name the indicator they were to look for: a
    // true match of the text, and no trace of anything on the device. Dismissed, with why.
    let dismissed = matches
        .iter()
        .position(|m| m.exhibit == notes_exhibit)
        .map(|n| {
            (
                n,
                format!(
                    "{notes_exhibit} is the examiner's own acquisition notes, which name {:?} as \
                     an indicator to be searched for: written by the examiner, not data from \
                     the device, so not a trace of {}",
                    matches[n].value,
                    matches[n].indicates.join(", ")
                ),
            )
        });
    if let Some((n, reason)) = dismissed {
        decide(n, false, reason)?;
    }
    Ok(())
}

/// The Spanish case: one phone's sysdiagnose folder, sealed and scanned.
fn build_spanish_case(
    dir: &Path,
    key: &keyfile::LoadedKey,
    ioc_path: &Path,
    say: &mut dyn FnMut(&str),
) -> Result<PathBuf> {
    let logs = dir.join("artifacts-es").join("sysdiagnose-logs");
    write_tree(&logs, ES_LOGS, "es-sysdiagnose/")?;
    let case_dir = dir.join("case-es");
    let params = CaseParams {
        case_id: "DP 150/2022".into(),
        title: "Diligencias previas 150/2022 (Pegasus), Juzgado Central de Instrucción n.º 4"
            .into(),
        court: some("Juzgado Central de Instrucción n.º 4, Audiencia Nacional"),
        jurisdiction: Some(Jurisdiction::Es),
        lang: Some(Lang::Es),
        timezone: some("Europe/Madrid"),
        full_name: some(EXPERT_FULL_NAME),
    };
    let init = scelle::ops::init::init(&case_dir, &params, key)?;
    let case = init.case;
    say(&format!(
        "second case {} \u{2014} {}: {}",
        params.case_id,
        params.title,
        case_dir.display()
    ));
    scelle::ops::seal::seal(
        &case,
        std::slice::from_ref(&logs),
        key,
        &SealOptions {
            seal_no: some("DP150-001"),
            description: some("carpeta sysdiagnose del segundo teléfono"),
            acquisition: Acquisition {
                method: some("lógica (sysdiagnose)"),
                acquired_at: some("2022-05-12T10:00:00+02:00"),
                ..Default::default()
            },
            ..Default::default()
        },
        &no_progress,
    )?;
    let scan = scelle::ops::ioc::scan(
        &case,
        &scelle::ops::ioc::ScanOptions {
            stix: vec![ioc_path.to_path_buf()],
            ..Default::default()
        },
        key,
        &no_progress,
    )?;
    say_scan(say, &scan);
    Ok(case_dir)
}

/// The French case: a journalist's phone (its sysdiagnose folder) under scellé n° UN, sealed,
/// opened for the expertise and re-made as UN BIS (CPP art. 163), and scanned.
fn build_french_case(
    dir: &Path,
    key: &keyfile::LoadedKey,
    ioc_path: &Path,
    say: &mut dyn FnMut(&str),
) -> Result<PathBuf> {
    let logs = dir.join("artifacts-fr").join("sysdiagnose-logs");
    write_tree(&logs, ES_LOGS, "es-sysdiagnose/")?;
    let case_dir = dir.join("case-fr");
    let params = CaseParams {
        case_id: "2123/21/7".into(),
        title: "Information judiciaire contre X (Pegasus) : atteintes à des systèmes de traitement automatisé de données".into(),
        court: some("Tribunal judiciaire de Paris, pôle de l'instruction"),
        jurisdiction: Some(Jurisdiction::Fr),
        lang: Some(Lang::Fr),
        timezone: some("Europe/Paris"),
        full_name: some(EXPERT_FULL_NAME),
    };
    let case = scelle::ops::init::init(&case_dir, &params, key)?.case;
    say(&format!(
        "French case n° {} \u{2014} {}: {}",
        params.case_id,
        params.title,
        case_dir.display()
    ));
    scelle::ops::seal::seal(
        &case,
        std::slice::from_ref(&logs),
        key,
        &SealOptions {
            seal_no: some("UN"),
            description: some("dossier sysdiagnose du téléphone d'un journaliste"),
            item: Item {
                item_type: some("téléphone mobile"),
                make: some("Apple"),
                model: some("iPhone 11"),
                serial: some("DEMO0000SN02"),
                condition: some("allumé, mode avion, écran intact"),
                ..Default::default()
            },
            acquisition: Acquisition {
                method: some("logique (sysdiagnose)"),
                operator: some(EXPERT_FULL_NAME),
                operator_role: some("expert en criminalistique numérique"),
                present: vec![
                    "Capitaine Élodie Marchal, officier de police judiciaire (fictive)".into(),
                    "Hélène Lefèvre, technicienne du laboratoire (fictive)".into(),
                ],
                acquired_at: some("2021-08-02T10:00:00+02:00"),
                location: some("Laboratoire Example Forensics, Paris"),
                authority: some("Ordonnance de commission d'expert du 26 juillet 2021"),
                reason: some("Recherche de traces du logiciel Pegasus"),
                ..Default::default()
            },
            ..Default::default()
        },
        &no_progress,
    )?;
    custody::open(
        &case,
        "E-0001",
        "examen en lecture seule du dossier pour les besoins de l'expertise",
        &custody::Circumstances {
            present: vec![
                "Capitaine Élodie Marchal, officier de police judiciaire (fictive)".to_string(),
                "Hélène Lefèvre, technicienne du laboratoire (fictive)".to_string(),
            ],
            location: some("Laboratoire Example Forensics, Paris"),
            seal_condition: some("scellé UN intact, sans trace d'ouverture"),
        },
        key,
    )?;
    custody::reseal(
        &case,
        "E-0001",
        "UN BIS",
        None,
        &custody::Circumstances {
            present: vec![
                "Capitaine Élodie Marchal, officier de police judiciaire (fictive)".to_string(),
                "Hélène Lefèvre, technicienne du laboratoire (fictive)".to_string(),
            ],
            location: some("Laboratoire Example Forensics, Paris"),
            seal_condition: some("scellé UN BIS apposé, signé par l'expert"),
        },
        key,
        &no_progress,
    )?;
    say("opened scellé UN and re-made it as UN BIS");
    let scan = scelle::ops::ioc::scan(
        &case,
        &scelle::ops::ioc::ScanOptions {
            stix: vec![ioc_path.to_path_buf()],
            ..Default::default()
        },
        key,
        &no_progress,
    )?;
    say_scan(say, &scan);
    Ok(case_dir)
}

/// Renders each of `docs` for the case at `case_dir` in `lang`, into `out_dir`, each recorded
/// in that case's ledger.
#[allow(
    clippy::too_many_arguments,
    reason = "one call per case, each argument differs"
)]
fn render_documents(
    case_dir: &Path,
    docs: &[scelle::report::DocumentKind],
    lang: Lang,
    input: (&str, &str),
    bates_prefix: &str,
    correlate: &[PathBuf],
    out_dir: &Path,
    key: &keyfile::LoadedKey,
    tsa: Option<&scelle::ops::localtsa::LocalTsa>,
    say: &mut dyn FnMut(&str),
) -> Result<()> {
    let case = scelle::store::case::CaseDir::open(case_dir)?;
    std::fs::create_dir_all(out_dir).at(out_dir)?;
    if let Some(tsa) = tsa {
        add_tsa(&case, tsa, key, say)?;
    }
    let input = scelle::report::parse_input(input.1, input.0)?;
    for &kind in docs {
        let req = scelle::report::ReportRequest {
            kind,
            lang,
            jurisdiction: None,
            exhibits: Vec::new(),
            input: Some(input.clone()),
            templates: Default::default(),
            correlate: if kind == scelle::report::DocumentKind::ExpertReport {
                correlate.to_vec()
            } else {
                Vec::new()
            },
        };
        let pdf_opts = scelle::report::pdf::PdfOptions {
            bates: Some(scelle::report::pdf::Bates {
                prefix: bates_prefix.into(),
                // Continued from the case's previous document (report::bates).
                start: None,
                digits: Some(6),
            }),
            ..Default::default()
        };
        let out_path = out_dir.join(format!("{}-{lang}.pdf", kind.name()));
        let out = scelle::ops::report::report(
            &case,
            &req,
            &pdf_opts,
            &out_path,
            false,
            Some(key),
            Some(&pades_signing(tsa.is_some())),
        )?;
        say(&format!(
            "rendered {} ({} pages, Bates {}), sha256 {} recorded",
            out_path.display(),
            out.pages,
            out.bates
                .as_ref()
                .map(|(a, b)| format!("{a} to {b}"))
                .unwrap_or_default(),
            out.sha256
        ));
        if let Some(filing) = &out.filing {
            say(&format!(
                "  and its filing variant {} (PDF/A-2b, no attachments, {} pages), sha256 {} recorded",
                filing.path.display(),
                filing.pages,
                filing.sha256
            ));
        }
        if tsa.is_some() {
            timestamp_after_append(&case, say);
        }
    }
    Ok(())
}

/// The demo's documents are signed (PAdES baseline) with the expert's key and the certificate
/// made for it from its key record, written next to each as NAME-signer.pem: B-T, the
/// signature timestamped by the demo's TSA, when it runs; else B-B.
fn pades_signing(timestamped: bool) -> scelle::ops::report::SignOptions {
    scelle::ops::report::SignOptions {
        with: scelle::ops::report::SignWith::CaseKey,
        tsa: timestamped.then(|| DEMO_TSA.to_string()),
    }
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

/// Builds the demo in `dir`, reporting each step through `say`.
pub fn run(dir: &Path, force: bool, say: &mut dyn FnMut(&str)) -> Result<DemoOutcome> {
    prepare_dir(dir, force)?;
    let pass = SecretString::from(DEMO_PASSPHRASE.to_string());
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).at(&keys)?;
    let mut key_paths = Vec::new();
    say(&format!(
        "keys (passphrase {DEMO_PASSPHRASE:?}; public keys also in the repository's keys/demo/):"
    ));
    for (name, private, public) in DEMO_KEYS {
        let (kp, pp) = (
            keys.join(format!("{name}.key")),
            keys.join(format!("{name}.pub")),
        );
        scelle::store::fsutil::create_new(&kp, private, 0o600)?;
        scelle::store::fsutil::create_new(&pp, public, 0o644)?;
        let info =
            scelle::ops::keys::key_show(&pp, || unreachable!("a public key needs no passphrase"))?;
        say(&format!(
            "  {name:<8} {}  key id {}  fingerprint {}",
            kp.display(),
            info.key_id,
            info.fingerprint
        ));
        key_paths.push(kp);
    }

    let art = dir.join("artifacts");
    std::fs::create_dir_all(&art).at(&art)?;
    let ios_zip = art.join("iphone-ffs.zip");
    write_ios_zip(&ios_zip)?;
    let logs = art.join("sysdiagnose-logs");
    write_tree(&logs, LOGS, "sysdiagnose-logs/")?;
    let notes = art.join(NOTES.0);
    std::fs::write(&notes, NOTES.1).at(&notes)?;
    say(&format!(
        "artifacts (synthetic, no real device): {}",
        art.display()
    ));

    let tsa = start_tsa(dir, say);
    let case_dir = dir.join("case");
    let key = keyfile::load_signing_key(&key_paths[0], &pass)?;
    let params = CaseParams {
        case_id: "3:21-cv-09078-JD".into(),
        title: "Apple Inc. v. NSO Group Technologies".into(),
        court: some("United States District Court, Northern District of California"),
        jurisdiction: Some(Jurisdiction::Us),
        lang: Some(Lang::En),
        timezone: some("America/Los_Angeles"),
        full_name: some(EXPERT_FULL_NAME),
    };
    let init = scelle::ops::init::init(&case_dir, &params, &key)?;
    say(&format!(
        "case {} \u{2014} {}: {}",
        params.case_id,
        params.title,
        case_dir.display()
    ));
    say(&format!("  origin {}", init.origin));

    let case = init.case;
    let acquisition = Acquisition {
        method: some("full-file-system"),
        tool: some("synthetic-extractor"),
        tool_version: some("1.0"),
        operator: some(EXPERT_FULL_NAME),
        operator_role: some("forensic expert"),
        organisation: some("Example Forensics LLC"),
        present: vec![format!("{COUNSEL_FULL_NAME} (counsel for plaintiff)")],
        acquired_at: some("2021-09-07T09:30:00-07:00"),
        clock: some("examiner workstation, NTP-synchronised"),
        location: some("Example Forensics LLC laboratory, San Francisco"),
        authority: some("Stipulated Protective Order"),
        reason: some("Search for traces of FORCEDENTRY / Pegasus infection"),
        changes: some("device unlocked with the owner's passcode to permit extraction"),
        ..Default::default()
    };
    let phone = Item {
        item_type: some("mobile phone"),
        make: some("Apple"),
        model: some("iPhone 12 Pro (iPhone13,3)"),
        serial: some("DEMO0000SN01"),
        imei: vec!["350000000000006".into()],
        os_version: some("iOS 14.6"),
        seized_seal_no: some("SFPD-2021-0042"),
        capacity: some("128 GB"),
        condition: some("powered on, airplane mode, screen intact"),
        ..Default::default()
    };
    let mut sealed = Vec::new();
    let mut plan: Vec<(PathBuf, SealOptions)> = vec![
        (
            ios_zip.clone(),
            SealOptions {
                seal_no: some("NSO-DEMO-001"),
                description: some("Full file system extraction of the iPhone, as a zip"),
                hashes: HashSelection {
                    sha512: true,
                    legacy: false,
                },
                item: phone.clone(),
                // the extraction tool's own hash of what it wrote, as its log gives it: the
                // FRE 902(14) certificate compares it with the sealed copy's
                acquisition: Acquisition {
                    source_sha256: Some(sha256_hex_of(&ios_zip)?),
                    ..acquisition.clone()
                },
                ..Default::default()
            },
        ),
        (
            logs.clone(),
            SealOptions {
                seal_no: some("NSO-DEMO-002"),
                description: some("sysdiagnose log folder from the same iPhone"),
                item: phone,
                acquisition: Acquisition {
                    method: some("logical (sysdiagnose)"),
                    ..acquisition.clone()
                },
                ..Default::default()
            },
        ),
        (
            notes.clone(),
            SealOptions {
                seal_no: some("NSO-DEMO-003"),
                description: some("Acquisition notes, written at the time"),
                hashes: HashSelection {
                    sha512: false,
                    legacy: true,
                },
                ..Default::default()
            },
        ),
    ];
    plan_disk_image(&art, &acquisition, &mut plan)?;
    for (path, opts) in &plan {
        let out = scelle::ops::seal::seal(
            &case,
            std::slice::from_ref(path),
            &key,
            opts,
            &scelle::store::hashing::no_progress,
        )?;
        for s in out.sealed {
            let extra = s
                .artifact
                .file_count
                .map(|n| format!(", {n} files"))
                .unwrap_or_default();
            say(&format!(
                "sealed {} [{}] {} {} ({} bytes{extra})\n  sha256 {}",
                s.exhibit,
                opts.seal_no.as_deref().unwrap_or(""),
                s.artifact.kind,
                s.artifact.path_given,
                s.artifact.size,
                s.artifact.hashes.sha256
            ));
            sealed.push(s);
        }
    }
    // Custody: enrol counsel; the expert examines E-0001 and re-seals it; the expert hands
    // every exhibit to counsel, who re-hashes them on receipt and cosigns the expert's
    // checkpoint of the hand-over.
    let counsel = keyfile::load_signing_key(&key_paths[1], &pass)?;
    let counsel_pub = dir.join("keys/counsel.pub");
    custody::enrol(
        &case,
        &counsel_pub,
        "counsel",
        "counsel",
        Some(COUNSEL_FULL_NAME),
        &key,
    )?;
    say(&format!("enrolled counsel ({}) as counsel", counsel.id()));
    custody::open(
        &case,
        "E-0001",
        "read-only examination of the extraction for FORCEDENTRY / Pegasus traces",
        &custody::Circumstances {
            present: vec![format!("{COUNSEL_FULL_NAME} (counsel for plaintiff)")],
            location: some("Example Forensics LLC laboratory, San Francisco"),
            seal_condition: some("intact, seal NSO-DEMO-001 unbroken"),
        },
        &key,
    )?;
    let (_, check) = custody::reseal(
        &case,
        "E-0001",
        "NSO-DEMO-001-R1",
        None,
        &custody::Circumstances {
            present: vec![format!("{COUNSEL_FULL_NAME} (counsel for plaintiff)")],
            location: some("Example Forensics LLC laboratory, San Francisco"),
            seal_condition: some("new tamper-evident seal NSO-DEMO-001-R1, signed by the expert"),
        },
        &key,
        &no_progress,
    )?;
    say(&format!(
        "opened and re-sealed E-0001 as NSO-DEMO-001-R1 (re-hash {})",
        if check.matches { "matches" } else { "DIFFERS" }
    ));
    // The examination: every exhibit searched for Amnesty's Pegasus indicators.
    let ioc_path = dir.join("ioc").join("pegasus.stix2");
    let ioc_parent = ioc_path.parent().expect("has a parent");
    std::fs::create_dir_all(ioc_parent).at(ioc_parent)?;
    std::fs::write(&ioc_path, PEGASUS_STIX.1).at(&ioc_path)?;
    let scan_opts = scelle::ops::ioc::ScanOptions {
        stix: vec![ioc_path.clone()],
        ..Default::default()
    };
    let scan = scelle::ops::ioc::scan(&case, &scan_opts, &key, &no_progress)?;
    say_scan(say, &scan);
    let exhibits: Vec<String> = sealed.iter().map(|s| s.exhibit.clone()).collect();
    let details = custody::ReleaseDetails {
        to: "counsel".into(),
        purpose: "production to counsel for filing".into(),
        packaging: some("encrypted USB drive in tamper-evident bag TE-4471"),
        seal_condition: some("intact"),
        location: some("Example Forensics LLC laboratory, San Francisco"),
        authority: some("Stipulated Protective Order"),
    };
    let released = custody::release(&case, &exhibits, &details, &key)?;
    say(&format!("released {} to counsel", exhibits.join(", ")));
    let accept = custody::AcceptDetails {
        seal_condition: some("intact on receipt"),
        location: some("counsel's office"),
        ..Default::default()
    };
    let (_, checks) = custody::accept(&case, &exhibits, &accept, &counsel, &no_progress)?;
    for c in &checks {
        say(&format!(
            "  counsel re-hashed {}: {}",
            c.exhibit,
            if c.matches {
                "matches the seal"
            } else {
                "DISCREPANCY"
            }
        ));
    }
    // Counsel witnesses the expert's checkpoint of the release.
    let expert_checkpoint = released.checkpoint.expect("an append writes a checkpoint");
    let cosigned = scelle::ops::cosign::cosign(&case, &expert_checkpoint, &counsel)?;
    say(&format!(
        "counsel cosigned the expert's checkpoint of tree size {} ({})",
        cosigned.size,
        cosigned.path.display()
    ));

    let notes_exhibit = sealed
        .iter()
        .find(|s| s.artifact.path_given == notes.to_string_lossy())
        .map(|s| s.exhibit.clone())
        .expect("the notes are sealed");
    review_findings(&case, &scan, &notes_exhibit, &key, say)?;
    let (cp_path, cp_text) = scelle::ops::latest_checkpoint(&case)?;
    say(&format!("checkpoint {}:", cp_path.display()));
    for line in cp_text.lines() {
        say(&format!("  {line}"));
    }
    // A second case: the Spanish investigation's phone, scanned with the same indicators, then
    // the two cases correlated.
    let es_case = build_spanish_case(dir, &key, &ioc_path, say)?;
    let corr = scelle::case::correlate::correlate(&[case_dir.clone(), es_case.clone()])?;
    say(&format!(
        "correlated {} with {}: {} indicators matched in both",
        case_dir.display(),
        es_case.display(),
        corr.shared.len()
    ));
    for sh in &corr.shared {
        say(&format!(
            "  shared {} {} [{}]: {}",
            sh.kind,
            sh.value,
            sh.indicates.join(", "),
            sh.matches
                .iter()
                .map(|m| format!(
                    "{} {}{}",
                    corr.cases[m.case].case_id,
                    m.exhibit,
                    m.member
                        .as_ref()
                        .map(|x| format!(" {x}"))
                        .unwrap_or_default()
                ))
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }
    // Each case's documents, in its jurisdiction and language, each recorded in that case's
    // ledger by its SHA-256: the US expert report and FRE 902(14) certificate; the French
    // rapport d'expertise and tableau of scellés; the Spanish informe pericial and custody record.
    let fr_case = build_french_case(dir, &key, &ioc_path, say)?;
    use scelle::report::DocumentKind as D;
    let reports_dir = dir.join("reports").join("us");
    render_documents(
        &case_dir,
        &[D::ExpertReport, D::Certificate],
        Lang::En,
        (
            "examples/demo/report-en.toml",
            include_str!("../examples/demo/report-en.toml"),
        ),
        "NSO-PROD-",
        std::slice::from_ref(&es_case),
        &reports_dir,
        &key,
        tsa.as_ref(),
        say,
    )?;
    render_documents(
        &fr_case,
        &[D::ExpertReport, D::Seals],
        Lang::Fr,
        (
            "examples/demo/report-fr.toml",
            include_str!("../examples/demo/report-fr.toml"),
        ),
        "PEG-FR-",
        &[],
        &dir.join("reports").join("fr"),
        &key,
        tsa.as_ref(),
        say,
    )?;
    render_documents(
        &es_case,
        &[D::ExpertReport, D::Custody],
        Lang::Es,
        (
            "examples/demo/report-es.toml",
            include_str!("../examples/demo/report-es.toml"),
        ),
        "PEG-ES-",
        &[],
        &dir.join("reports").join("es"),
        &key,
        tsa.as_ref(),
        say,
    )?;

    // The bundle a foreign authority or the opposing expert receives: exported, verified as
    // hostile input, imported into a second directory.
    let bundle = dir.join("bundle.tar");
    let mut reports = Vec::new();
    for (name, path) in {
        let mut v: Vec<_> = std::fs::read_dir(&reports_dir)
            .at(&reports_dir)?
            .filter_map(|e| e.ok())
            .map(|e| (e.file_name(), e.path()))
            .collect();
        v.sort();
        v
    } {
        if name.to_string_lossy().ends_with(".pdf") {
            reports.push(path);
        }
    }
    let exported = scelle::case::bundle::export(
        &case,
        &bundle,
        &scelle::case::bundle::ExportOptions {
            with_artifacts: true,
            reports,
            organization: Some("Demo forensic laboratory".into()),
            to: Some("Counsel for the plaintiffs and the opposing expert".into()),
            purpose: Some("production of the evidence and its verification kit".into()),
            ..Default::default()
        },
        &key,
    )?;
    say(&format!(
        "exported {} (BagIt bag in tar: {} payload files, {} bytes), sha256 {} recorded as entry {}",
        bundle.display(),
        exported.payload_files,
        exported.size,
        exported.sha256,
        exported.entry.unwrap_or_default()
    ));
    let limits = scelle::store::safeextract::Limits::default();
    let checked = scelle::case::bundle::verify_bundle(&bundle, &limits)?;
    say(&format!(
        "verify-bundle: {}",
        if checked.ok() { "OK" } else { "FAILED" }
    ));
    let bundle_ok = checked.ok();
    let imported = dir.join("imported");
    let done = scelle::case::bundle::import(&bundle, &imported, &limits)?;
    say(&format!(
        "imported into {} ({} payload files; its case verifies)",
        imported.display(),
        done.payload_files
    ));
    let bundle_ok = bundle_ok && done.ok();
    if let Some(tsa) = tsa {
        timestamp_after_append(&case, say);
        tsa.stop();
    }
    witness_demo(dir, &case, &key, &counsel, say)?;
    let report = scelle::case::verify::verify(
        &case,
        VerifyOptions {
            rehash: true,
            ..VerifyOptions::default()
        },
        &scelle::store::hashing::no_progress,
    )?;
    for f in &report.findings {
        say(&format!("  {}", f.describe()));
    }
    let verified = report.ok() && exported.entry.is_some() && bundle_ok;
    for w in &report.witnesses {
        say(&format!(
            "  witness {} has seen tree size {}",
            w.name, w.size
        ));
    }
    say_timestamps(say, &report);
    say(&format!(
        "verify --rehash: {} ({} entries, {} exhibits re-hashed, {} errors, {} warnings)",
        if verified { "OK" } else { "FAILED" },
        report.entries,
        report.rehashed,
        report.errors(),
        report.warnings()
    ));
    let c = case_dir.display();
    say("next, try:");
    say(&format!(
        "  export SCELLE_PASSPHRASE='{DEMO_PASSPHRASE}'   # to sign with the demo keys"
    ));
    say(&format!("  scelle -C {c} log"));
    say(&format!("  scelle -C {c} verify --rehash"));
    say(&format!("  scelle -C {c} show E-0001"));
    say(&format!("  scelle -C {c} prove E-0001"));
    say(&format!("  scelle -C {c} ioc findings"));
    say(&format!("  scelle ioc correlate {c} {}", es_case.display()));
    say(&format!("  sha256sum {}", ios_zip.display()));
    say(&format!("  scelle verify-bundle {}", bundle.display()));
    say(&format!("  pyhanko sign validate --trust {r}/us/expert-report-en-signer.pem --trust {t}/ca.pem --trust-replace --no-revocation-check {r}/us/expert-report-en.pdf   # the PDF signature (PyPI pyhanko-cli)", r = dir.join("reports").display(), t = dir.join("tsa").display()));
    say(&format!(
        "  python3 {}/data/kit/verify_bundle.py {}   # without scelle",
        imported.display(),
        bundle.display()
    ));
    say(&format!(
        "  (cd {} && sha256sum -c manifest-sha256.txt && python3 data/kit/verify_case.py data/case)",
        imported.display()
    ));
    Ok(DemoOutcome {
        dir: dir.to_path_buf(),
        case: case_dir,
        sealed,
        report,
        verified,
        bundle,
        imported,
    })
}

/// The name the demo's TSA has in its cases.
const DEMO_TSA: &str = "demo-tsa";

/// Trusted timestamps (RFC 3161, FORMAT.md 8.6): a local TSA (OpenSSL's, with a CA made in
/// `DIR/tsa`: a development facility, not a trusted service) started on 127.0.0.1 for the
/// demo's run. Without the openssl command the demo goes on without timestamps.
fn start_tsa(dir: &Path, say: &mut dyn FnMut(&str)) -> Option<scelle::ops::localtsa::LocalTsa> {
    match scelle::ops::localtsa::LocalTsa::start(&dir.join("tsa"), "scelle demo") {
        Ok(t) => {
            say(&format!(
                "local RFC 3161 TSA (OpenSSL's; development only, NOT a trusted service) at {}, CA {}",
                t.url(),
                t.ca_file().display()
            ));
            Some(t)
        }
        Err(e) => {
            say(&format!("no timestamps: {e}"));
            None
        }
    }
}

/// Adds the demo's TSA to a case (`tsa add`, an entry signed by the administrator) and
/// timestamps the checkpoint of that entry, before the case's documents are rendered: they
/// print the timestamps of the checkpoints they cite.
fn add_tsa(
    case: &scelle::store::case::CaseDir,
    tsa: &scelle::ops::localtsa::LocalTsa,
    key: &keyfile::LoadedKey,
    say: &mut dyn FnMut(&str),
) -> Result<()> {
    let body = scelle::ops::tsa::prepare(&tsa.url(), Some(DEMO_TSA), Some(&tsa.ca_file()))?;
    let added = scelle::ops::tsa::add(case, body, key)?;
    say(&format!(
        "added TSA {DEMO_TSA} to {} (entry {})",
        case.root().display(),
        added.seq
    ));
    timestamp_after_append(case, say);
    Ok(())
}

/// What the command line does after every append: the case's TSAs timestamp its new
/// checkpoint; a TSA that fails is a warning.
fn timestamp_after_append(case: &scelle::store::case::CaseDir, say: &mut dyn FnMut(&str)) {
    let t = scelle::ops::timestamp::after_append(case);
    let text = t.to_string();
    if !text.trim().is_empty() {
        say(text.trim_end());
    }
    for w in t.warnings() {
        say(&format!("  warning: {w}"));
    }
}

/// Counsel runs a C2SP tlog-witness (in-process, on 127.0.0.1): the case enrols it (counsel's
/// key is already enrolled, so `witness add` appends nothing), asks it to cosign the latest
/// checkpoint, and the server is stopped; its state file is counsel's kept checkpoint.
fn witness_demo(
    dir: &Path,
    case: &scelle::store::case::CaseDir,
    expert: &scelle::store::keyfile::LoadedKey,
    counsel: &scelle::store::keyfile::LoadedKey,
    say: &mut dyn FnMut(&str),
) -> Result<()> {
    use scelle::format::note::verifier_key;
    let state = dir.join("witness-state");
    let logs = [
        verifier_key(&expert.name, &expert.public()),
        verifier_key(&counsel.name, &counsel.public()),
    ];
    let server = scelle::ops::witness::serve(counsel, "127.0.0.1:0", &state, &logs)?;
    let vkey = scelle::ops::witness::vkey(counsel);
    say(&format!(
        "witness server of counsel at {} (vkey {vkey})",
        server.url()
    ));
    scelle::ops::witness::add(case, &server.url(), &counsel.name, &vkey, expert)?;
    let asked = scelle::ops::witness::request(case, &[])?;
    for (name, r) in &asked.results {
        say(&format!(
            "  witness {name}: {}",
            scelle::ops::witness::describe(r)
        ));
    }
    server.stop();
    // The server is gone: later appends in the demo case would only warn that it is down.
    let _ = std::fs::remove_file(case.root().join("witnesses.json"));
    say(&format!(
        "witness stopped; its copy of the cosigned checkpoint is in {} (use it with verify --trusted-checkpoint)",
        state.display()
    ));
    Ok(())
}

/// The SHA-256 of a file, in hex: the demo's stand-in for an acquisition tool's log.
fn sha256_hex_of(path: &Path) -> Result<String> {
    let file = std::fs::File::open(path).at(path)?;
    let (_, hashes) =
        scelle::store::hashing::hash_reader_simple(file, HashSelection::default()).at(path)?;
    Ok(hashes.sha256)
}
