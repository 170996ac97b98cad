//! The mutation campaign (issue 7), shared by `examples/mutation_campaign.rs` (the full
//! campaign, `campaigns/mutation.sh`) and `tests/mutation.rs` (a sample in the test suite).
//!
//! Over a real case built by `scelle demo` (seals, custody transfers, a cosigned checkpoint,
//! reports, an IOC scan, an export entry) and its evidence bundle, it applies one alteration at
//! a time to a copy, runs the library's verifier in-process, restores the copy, and counts
//! what was detected. A mutation is **detected** when `verify` reports at least one error (or
//! refuses to run), or, for the bundle, when `check_bag` / `verify_bundle` fails. Only the
//! library's public API is used; nothing here is test-only logic inside the library.
//!
//! Rules that decide what "should" be detected (the rest must all be):
//! - A truncation that ends inside a line leaves a torn tail: detected as `torn-tail`.
//! - A truncation at a line boundary to *k* complete lines is detectable only if a stored
//!   checkpoint has a size larger than *k* (`truncated`); otherwise the remaining ledger and
//!   checkpoints are a consistent earlier state (docs/SECURITY.md section 6) and it is counted
//!   as undetectable by design. The demo writes a checkpoint after every append, so none is.
//! - In a checkpoint, a changed key name in a signature line that then names no enrolled
//!   key makes that line a `checkpoint-unknown-signer` **warning**, as FORMAT.md 8.2 says
//!   (a note may carry signatures of keys outside the case). For the expert's own line the
//!   checkpoint is then unsigned (an error); for a witness's cosignature the checkpoint still
//!   verifies, without that witness. This is no forgery: it has the effect of deleting the
//!   cosignature line, which the format cannot detect either (docs/SECURITY.md section 6).
//!   Counted as undetectable by design, and only when the warning is reported.
//! - Every byte of the bag's tag files is covered: `tagmanifest-sha256.txt` by the exporter's
//!   signature (`tagmanifest-sha256.txt.sig`, itself checked), the rest by the tag manifest.
#![allow(dead_code)]

use scelle::case::bundle::{check_bag, verify_bundle};
use scelle::case::verify::{verify, VerifyOptions};
use scelle::format::chain::{Finding, Severity};
use scelle::store::case::CaseDir;
use scelle::store::safeextract::{self, Limits};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The demo, a module of the binary (it uses only the library's public API).
#[allow(dead_code)]
#[path = "../../src/demo.rs"]
mod demo;

/// How much of each class to run. A stride of 1 is every position.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    /// Every k-th byte of `ledger.jsonl` (each with every variant).
    pub ledger_byte_stride: usize,
    /// Every k-th truncation length.
    pub truncation_stride: usize,
    /// Every k-th byte of each checkpoint file.
    pub checkpoint_byte_stride: usize,
    /// Every k-th checkpoint file (the cosigned one and the last are always included).
    pub checkpoint_file_stride: usize,
    /// Bundle payload files up to this size are mutated at every `payload_stride`-th byte...
    pub payload_full_up_to: u64,
    /// (see `payload_full_up_to`)
    pub payload_stride: usize,
    /// ... larger ones at this many evenly spaced positions (first and last byte included).
    pub payload_samples_per_large_file: u64,
    /// Every k-th byte of the bag's tag files.
    pub tag_byte_stride: usize,
    /// Every k-th tar member deleted.
    pub member_stride: usize,
    /// Verifications of the untouched case and of the untouched bundle.
    pub clean_runs: usize,
}

impl Plan {
    /// The campaign: every position, except inside large bundle payload files.
    pub const FULL: Plan = Plan {
        ledger_byte_stride: 1,
        truncation_stride: 1,
        checkpoint_byte_stride: 1,
        checkpoint_file_stride: 1,
        payload_full_up_to: 16 * 1024,
        payload_stride: 1,
        payload_samples_per_large_file: 1024,
        tag_byte_stride: 1,
        member_stride: 1,
        clean_runs: 100,
    };
}

/// The counts of one class of mutation.
#[derive(Debug, Default, Clone)]
pub struct ClassResult {
    /// What was altered, and how.
    pub class: String,
    /// Mutations applied.
    pub mutations: u64,
    /// Detected (an error, or the verifier refused).
    pub detected: u64,
    /// Not detected, and not detectable by design (see the module documentation).
    pub by_design: u64,
    /// Not detected although they should be: the findings.
    pub undetected: u64,
    /// The first few undetected ones, precisely.
    pub examples: Vec<String>,
    /// For runs over untouched files: how many failed.
    pub false_alarms: Option<u64>,
    /// Wall time.
    pub seconds: f64,
}

impl ClassResult {
    fn new(class: &str) -> ClassResult {
        ClassResult {
            class: class.into(),
            ..Default::default()
        }
    }

    fn miss(&mut self, what: String) {
        self.undetected += 1;
        if self.examples.len() < 8 {
            self.examples.push(what);
        }
    }

    /// Records one mutation's verdict.
    fn record(&mut self, detected: bool, by_design: bool, what: impl FnOnce() -> String) {
        self.mutations += 1;
        if detected {
            self.detected += 1;
        } else if by_design {
            self.by_design += 1;
        } else {
            self.miss(what());
        }
    }
}

/// The outcome of one verification: errors found (or the verifier's refusal), and warnings.
pub struct Verdict {
    /// Error findings; a refusal to verify is one pseudo-finding `verify-refused`.
    pub errors: Vec<Finding>,
    /// Warning findings.
    pub warnings: Vec<Finding>,
}

impl Verdict {
    /// Whether verification failed.
    pub fn detected(&self) -> bool {
        !self.errors.is_empty()
    }
    /// Whether a finding with this code was reported.
    pub fn has(&self, code: &str) -> bool {
        self.errors
            .iter()
            .chain(&self.warnings)
            .any(|f| f.code == code)
    }
    /// The codes found, for a message.
    pub fn codes(&self) -> String {
        let mut c: Vec<String> = self
            .errors
            .iter()
            .map(|f| f.code.clone())
            .chain(
                self.warnings
                    .iter()
                    .map(|f| format!("{} (warning)", f.code)),
            )
            .collect();
        c.dedup();
        if c.is_empty() {
            "no finding".into()
        } else {
            c.join(", ")
        }
    }
    fn from_findings<'a>(findings: impl Iterator<Item = &'a Finding>) -> Verdict {
        let (errors, warnings) = findings
            .cloned()
            .partition(|f: &Finding| f.severity == Severity::Error);
        Verdict { errors, warnings }
    }
    fn refused(message: String) -> Verdict {
        Verdict {
            errors: vec![Finding {
                severity: Severity::Error,
                code: "verify-refused".into(),
                entry: None,
                exhibit: None,
                file: None,
                member: None,
                message,
            }],
            warnings: Vec::new(),
        }
    }
}

/// `scelle verify` of the case directory, in-process.
pub fn verify_case(case: &Path) -> Verdict {
    let run = CaseDir::open(case).and_then(|c| verify(&c, VerifyOptions::default(), &|_| {}));
    match run {
        Ok(r) => Verdict::from_findings(r.findings.iter()),
        Err(e) => Verdict::refused(e.to_string()),
    }
}

/// The bag checks of `verify-bundle` on an extracted bag, in-process.
pub fn verify_bag(bag: &Path) -> Verdict {
    match check_bag(bag) {
        Ok(r) => {
            let mut v = Verdict::from_findings(
                r.bag
                    .iter()
                    .chain(r.case.iter().flat_map(|c| c.findings.iter())),
            );
            if r.case.is_none() && v.errors.is_empty() {
                v.errors
                    .push(Verdict::refused("no case in the bag".into()).errors[0].clone());
            }
            v
        }
        Err(e) => Verdict::refused(e.to_string()),
    }
}

/// `scelle verify-bundle BUNDLE.tar`, in-process: extraction included.
pub fn verify_bundle_file(tar: &Path) -> Verdict {
    match verify_bundle(tar, &Limits::default()) {
        Ok(r) => {
            let ok = r.ok();
            let mut v = Verdict::from_findings(
                r.bag
                    .iter()
                    .chain(r.case.iter().flat_map(|c| c.findings.iter())),
            );
            if !ok && v.errors.is_empty() {
                v.errors
                    .push(Verdict::refused("no case in the bag".into()).errors[0].clone());
            }
            v
        }
        Err(e) => Verdict::refused(e.to_string()),
    }
}

/// The byte variants applied at each position: `(name, new byte)`. Every variant differs from
/// the original byte.
pub fn variants(b: u8) -> Vec<(&'static str, u8)> {
    let mut v = vec![("xor 0x01", b ^ 0x01)];
    let subst = match b {
        b'0'..=b'8' | b'a'..=b'y' | b'A'..=b'Y' => b + 1,
        b'9' => b'0',
        b'z' => b'a',
        b'Z' => b'A',
        b' ' => b'\t',
        _ => b' ',
    };
    v.push(("substitution", subst));
    if b.is_ascii_alphabetic() {
        v.push(("case flip", b ^ 0x20));
    }
    v
}

/// The names of the byte variants, in table order.
pub const VARIANTS: [&str; 3] = ["xor 0x01", "substitution", "case flip"];

/// Shows a byte for a message.
fn show_byte(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("0x{b:02x} '{}'", b as char)
    } else {
        format!("0x{b:02x}")
    }
}

/// The lines of a ledger with their newlines.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|b| *b == b'\n').collect()
}

/// Where byte `pos` is: `entry N col C`.
fn locate(bytes: &[u8], pos: usize) -> String {
    let line = bytes[..pos].iter().filter(|b| **b == b'\n').count();
    let start = bytes[..pos]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    format!("entry {line} col {}", pos - start)
}

/// The largest stored checkpoint size of a case.
fn largest_checkpoint(case: &Path) -> u64 {
    std::fs::read_dir(case.join("checkpoints"))
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .filter_map(|e| {
                    let n = e.file_name().to_string_lossy().into_owned();
                    n.strip_suffix(".txt").and_then(|s| s.parse::<u64>().ok())
                })
                .max()
                .unwrap_or(0)
        })
        .unwrap_or(0)
}

/// Whether byte `pos` of a signed note is in the key name of a signature line
/// (`— NAME BASE64`).
fn in_signer_name(note: &[u8], pos: usize) -> bool {
    let start = note[..pos]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let line = &note[start..];
    let line = &line[..line.iter().position(|b| *b == b'\n').unwrap_or(line.len())];
    let dash = "\u{2014} ".as_bytes();
    if !line.starts_with(dash) {
        return false;
    }
    let name_end = dash.len()
        + line[dash.len()..]
            .iter()
            .position(|b| *b == b' ')
            .unwrap_or(line.len() - dash.len());
    (start + dash.len()..start + name_end).contains(&pos)
}

/// Copies a directory tree (regular files and directories only).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let ft = e.file_type().unwrap();
        let dest = to.join(e.file_name());
        if ft.is_dir() {
            copy_tree(&e.path(), &dest);
        } else if ft.is_file() {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// Whether a mutation that was not detected is undetectable by design: `(file, its original
/// bytes, position, variant, verdict)`.
type ByDesign = dyn Fn(&Path, &[u8], usize, &str, &Verdict) -> bool;

/// Byte mutations of one file: for every `stride`-th position and every variant, writes the
/// file changed at that byte, asks `check`, and restores it. One result per variant.
/// `by_design(pos, variant)` names mutations that are undetectable by design.
fn byte_campaign(
    label: &str,
    files: &[PathBuf],
    positions: &dyn Fn(&Path, usize) -> Vec<usize>,
    check: &dyn Fn() -> Verdict,
    by_design: &ByDesign,
    results: &mut [ClassResult],
) {
    for file in files {
        let orig = std::fs::read(file).unwrap();
        let mut buf = orig.clone();
        for pos in positions(file, orig.len()) {
            for (name, new) in variants(orig[pos]) {
                let t = Instant::now();
                buf[pos] = new;
                std::fs::write(file, &buf).unwrap();
                let v = check();
                buf[pos] = orig[pos];
                let r = results
                    .iter_mut()
                    .find(|r| r.class.ends_with(&format!("({name})")))
                    .expect("a result per variant");
                let design = !v.detected() && by_design(file, &orig, pos, name, &v);
                r.record(v.detected(), design, || {
                    format!(
                        "{label} {} byte {pos} ({}): {} -> {}: {}",
                        file.file_name().unwrap().to_string_lossy(),
                        if file.extension().is_some_and(|x| x == "jsonl") {
                            locate(&orig, pos)
                        } else {
                            format!("line {}", locate(&orig, pos).trim_start_matches("entry "))
                        },
                        show_byte(orig[pos]),
                        show_byte(new),
                        v.codes()
                    )
                });
                r.seconds += t.elapsed().as_secs_f64();
            }
        }
        std::fs::write(file, &orig).unwrap();
    }
}

fn every(stride: usize) -> impl Fn(&Path, usize) -> Vec<usize> {
    move |_, len| (0..len).step_by(stride.max(1)).collect()
}

fn variant_results(prefix: &str) -> Vec<ClassResult> {
    VARIANTS
        .iter()
        .map(|v| ClassResult::new(&format!("{prefix} ({v})")))
        .collect()
}

/// Line-level mutations of the ledger: deletion, adjacent swap, duplication, and truncation.
fn line_campaign(case: &Path, plan: &Plan, out: &mut Vec<ClassResult>) {
    let ledger = case.join("ledger.jsonl");
    let orig = std::fs::read(&ledger).unwrap();
    let lines = split_lines(&orig);
    let n = lines.len();
    let mut run = |class: &str, muts: Vec<(String, Vec<u8>)>| {
        let mut r = ClassResult::new(class);
        let t = Instant::now();
        for (what, bytes) in muts {
            std::fs::write(&ledger, &bytes).unwrap();
            let v = verify_case(case);
            r.record(v.detected(), false, || format!("{what}: {}", v.codes()));
        }
        std::fs::write(&ledger, &orig).unwrap();
        r.seconds = t.elapsed().as_secs_f64();
        out.push(r);
    };
    run(
        "ledger: entry deleted",
        (0..n)
            .map(|i| {
                let b: Vec<u8> = (0..n)
                    .filter(|j| *j != i)
                    .flat_map(|j| lines[j])
                    .copied()
                    .collect();
                (format!("entry {i} deleted"), b)
            })
            .collect(),
    );
    run(
        "ledger: adjacent entries swapped",
        (0..n.saturating_sub(1))
            .map(|i| {
                let mut order: Vec<usize> = (0..n).collect();
                order.swap(i, i + 1);
                let b: Vec<u8> = order.iter().flat_map(|j| lines[*j]).copied().collect();
                (format!("entries {i} and {} swapped", i + 1), b)
            })
            .collect(),
    );
    run(
        "ledger: entry duplicated",
        (0..n)
            .map(|i| {
                let b: Vec<u8> = (0..n)
                    .flat_map(|j| if j == i { vec![j, j] } else { vec![j] })
                    .flat_map(|j| lines[j])
                    .copied()
                    .collect();
                (format!("entry {i} duplicated in place"), b)
            })
            .collect(),
    );

    // Truncations: every length 0..len-1.
    let largest = largest_checkpoint(case);
    let mut torn = ClassResult::new("ledger: truncated inside a line (torn tail)");
    let mut boundary = ClassResult::new("ledger: truncated at a line boundary");
    for len in (0..orig.len()).step_by(plan.truncation_stride.max(1)) {
        let t = Instant::now();
        std::fs::write(&ledger, &orig[..len]).unwrap();
        let v = verify_case(case);
        let at_boundary = len == 0 || orig[len - 1] == b'\n';
        if at_boundary {
            let k = orig[..len].iter().filter(|b| **b == b'\n').count() as u64;
            // Detectable only if a stored checkpoint covers a removed line.
            let design = largest <= k;
            boundary.record(v.detected(), design, || {
                format!("truncated to {len} bytes ({k} entries): {}", v.codes())
            });
            boundary.seconds += t.elapsed().as_secs_f64();
        } else {
            // Detected as torn: the finding must be `torn-tail` (a crash), among any others.
            torn.record(v.detected() && v.has("torn-tail"), false, || {
                format!(
                    "truncated to {len} bytes ({}): {}",
                    locate(&orig, len),
                    v.codes()
                )
            });
            torn.seconds += t.elapsed().as_secs_f64();
        }
    }
    std::fs::write(&ledger, &orig).unwrap();
    out.push(torn);
    out.push(boundary);
}

/// The member spans of a tar: (name, first byte of its first header, end of its data).
pub fn tar_members(tar: &[u8]) -> Vec<(String, usize, usize)> {
    fn octal(field: &[u8]) -> usize {
        let s = String::from_utf8_lossy(field);
        usize::from_str_radix(s.trim_matches(|c: char| c == '\0' || c == ' '), 8).unwrap_or(0)
    }
    fn cstr(field: &[u8]) -> String {
        let end = field.iter().position(|b| *b == 0).unwrap_or(field.len());
        String::from_utf8_lossy(&field[..end]).into_owned()
    }
    let mut out = Vec::new();
    let mut pos = 0;
    let mut start = None;
    let mut long_name = None;
    while pos + 512 <= tar.len() {
        let h = &tar[pos..pos + 512];
        if h.iter().all(|b| *b == 0) {
            break;
        }
        let size = octal(&h[124..136]);
        let data = pos + 512;
        let end = data + size.div_ceil(512) * 512;
        let typeflag = h[156];
        start.get_or_insert(pos);
        if typeflag == b'L' {
            long_name = Some(cstr(&tar[data..data + size]));
        } else {
            let name = long_name.take().unwrap_or_else(|| {
                let prefix = cstr(&h[345..500]);
                let name = cstr(&h[0..100]);
                if prefix.is_empty() {
                    name
                } else {
                    format!("{prefix}/{name}")
                }
            });
            out.push((name, start.take().unwrap(), end));
        }
        pos = end;
    }
    out
}

/// Every regular file under `dir`, sorted.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(files_under(&e.path()));
        } else {
            out.push(e.path());
        }
    }
    out.sort();
    out
}

/// The bundle: bytes of payload and tag files (on the extracted bag), member deletion (on the
/// tar), untouched runs.
fn bundle_campaign(bundle: &Path, work: &Path, plan: &Plan, out: &mut Vec<ClassResult>) {
    std::fs::create_dir_all(work).unwrap();
    let bag = work.join("bag");
    let tar_bytes = std::fs::read(bundle).unwrap();
    safeextract::extract(&tar_bytes[..], &bag, &Limits::default()).expect("the bundle extracts");
    let clean = verify_bag(&bag);
    assert!(
        !clean.detected(),
        "the untouched bag fails: {}",
        clean.codes()
    );

    // Payload bytes: each payload file changed at one byte, as if in the tar's data (a byte of
    // a member's data is copied as is by the extraction), then the checks of verify-bundle.
    let payload = files_under(&bag.join("data"));
    let full = plan.payload_full_up_to;
    let samples = plan.payload_samples_per_large_file.max(2);
    let stride = plan.payload_stride.max(1);
    let mut r = vec![ClassResult::new("bundle: payload file bytes (xor 0x01)")];
    let positions = move |_: &Path, len: usize| -> Vec<usize> {
        if len as u64 <= full {
            (0..len).step_by(stride).collect()
        } else {
            let mut p: Vec<usize> = (0..samples)
                .map(|i| (i as usize * (len - 1)) / (samples as usize - 1))
                .collect();
            p.dedup();
            p
        }
    };
    let t = Instant::now();
    for file in &payload {
        let orig = std::fs::read(file).unwrap();
        let mut buf = orig.clone();
        for pos in positions(file, orig.len()) {
            buf[pos] ^= 0x01;
            std::fs::write(file, &buf).unwrap();
            let v = verify_bag(&bag);
            buf[pos] = orig[pos];
            r[0].record(v.detected(), false, || {
                format!(
                    "{} byte {pos}: {}",
                    file.strip_prefix(&bag).unwrap().display(),
                    v.codes()
                )
            });
        }
        std::fs::write(file, &orig).unwrap();
    }
    r[0].seconds = t.elapsed().as_secs_f64();
    out.append(&mut r);

    // Tag files: every byte, every variant.
    let tags: Vec<PathBuf> = [
        "bagit.txt",
        "bag-info.txt",
        "manifest-sha256.txt",
        "tagmanifest-sha256.txt",
        "VERIFY.md",
        "bag-signer.pub",
        "tagmanifest-sha256.txt.sig",
    ]
    .iter()
    .map(|n| bag.join(n))
    .collect();
    let mut r = variant_results("bundle: tag file bytes");
    let bag2 = bag.clone();
    byte_campaign(
        "bag",
        &tags,
        &every(plan.tag_byte_stride),
        &|| verify_bag(&bag2),
        // Nothing is undetectable by design: the signature covers the tag manifest's bytes.
        &|_, _, _, _, _| false,
        &mut r,
    );
    out.append(&mut r);

    // Member deletion, on the tar itself.
    let mut r = ClassResult::new("bundle: tar member deleted");
    let t = Instant::now();
    let altered = work.join("altered.tar");
    let members = tar_members(&tar_bytes);
    for (name, start, end) in members.into_iter().step_by(plan.member_stride.max(1)) {
        let mut b = tar_bytes[..start].to_vec();
        b.extend_from_slice(&tar_bytes[end..]);
        std::fs::write(&altered, &b).unwrap();
        let v = verify_bundle_file(&altered);
        r.record(v.detected(), false, || {
            format!("{name} deleted: {}", v.codes())
        });
    }
    let _ = std::fs::remove_file(&altered);
    r.seconds = t.elapsed().as_secs_f64();
    out.push(r);

    // Untouched: the bag as extracted, and the whole tar through verify-bundle.
    let mut r = ClassResult::new("bundle: untouched (verify-bundle)");
    let t = Instant::now();
    let mut alarms = 0;
    for _ in 0..plan.clean_runs {
        let v = verify_bundle_file(bundle);
        r.mutations += 1;
        if v.detected() {
            alarms += 1;
            if r.examples.len() < 8 {
                r.examples.push(format!("untouched bundle: {}", v.codes()));
            }
        }
    }
    if verify_bag(&bag).detected() {
        alarms += 1;
        r.examples.push("the restored bag fails".into());
    }
    r.false_alarms = Some(alarms);
    r.seconds = t.elapsed().as_secs_f64();
    out.push(r);
}

/// Runs the campaign over the case directory `case` (a copy: it is altered and restored) and,
/// if given, the bundle `bundle`; `work` is a scratch directory.
pub fn campaign(
    case: &Path,
    bundle: Option<&Path>,
    work: &Path,
    plan: &Plan,
    progress: &mut dyn FnMut(&ClassResult),
) -> Vec<ClassResult> {
    let mut out: Vec<ClassResult> = Vec::new();
    let clean = verify_case(case);
    assert!(
        !clean.detected(),
        "the untouched case fails: {}",
        clean.codes()
    );
    let ledger = case.join("ledger.jsonl");
    let mut shown = 0;
    let mut report = |out: &Vec<ClassResult>, progress: &mut dyn FnMut(&ClassResult)| {
        for r in &out[shown..] {
            progress(r);
        }
        shown = out.len();
    };

    // Bytes of the ledger.
    let mut r = variant_results("ledger: byte");
    byte_campaign(
        "ledger",
        std::slice::from_ref(&ledger),
        &every(plan.ledger_byte_stride),
        &|| verify_case(case),
        &|_, _, _, _, _| false,
        &mut r,
    );
    out.append(&mut r);
    report(&out, progress);

    line_campaign(case, plan, &mut out);
    report(&out, progress);

    // Bytes of the checkpoints.
    // The signed notes (`.txt`); RFC 3161 token files (`.tsq`/`.tsr`, FORMAT.md 8.6) are
    // binary DER, mutated by their own class once `verify` checks tokens.
    let mut cps: Vec<PathBuf> = files_under(&case.join("checkpoints"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    let last = cps.len().saturating_sub(1);
    let cosigned: Vec<usize> = cps
        .iter()
        .enumerate()
        .filter(|(_, p)| {
            std::fs::read_to_string(p)
                .unwrap()
                .matches('\u{2014}')
                .count()
                > 1
        })
        .map(|(i, _)| i)
        .collect();
    let stride = plan.checkpoint_file_stride.max(1);
    cps = cps
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % stride == 0 || *i == last || cosigned.contains(i))
        .map(|(_, p)| p)
        .collect();
    let mut r = variant_results("checkpoint: byte");
    byte_campaign(
        "checkpoint",
        &cps,
        &every(plan.checkpoint_byte_stride),
        &|| verify_case(case),
        &|_, orig, pos, _, v| in_signer_name(orig, pos) && v.has("checkpoint-unknown-signer"),
        &mut r,
    );
    out.append(&mut r);
    report(&out, progress);

    // The untouched case.
    let mut r = ClassResult::new("case: untouched (verify)");
    let t = Instant::now();
    let mut alarms = 0;
    for _ in 0..plan.clean_runs {
        let v = verify_case(case);
        r.mutations += 1;
        if v.detected() {
            alarms += 1;
            if r.examples.len() < 8 {
                r.examples.push(format!("untouched case: {}", v.codes()));
            }
        }
    }
    r.false_alarms = Some(alarms);
    r.seconds = t.elapsed().as_secs_f64();
    out.push(r);
    report(&out, progress);

    if let Some(bundle) = bundle {
        bundle_campaign(bundle, work, plan, &mut out);
        report(&out, progress);
    }
    out
}

/// The results as a table (Markdown, so it can be pasted into docs/SECURITY.md).
pub fn table(results: &[ClassResult]) -> String {
    let mut s = String::from(
        "| class | mutations | detected | undetectable by design | undetected | false alarms | seconds |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in results {
        let (det, undet) = if r.false_alarms.is_some() {
            ("-".to_string(), "-".to_string())
        } else {
            (r.detected.to_string(), r.undetected.to_string())
        };
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {:.1} |\n",
            r.class,
            r.mutations,
            det,
            if r.false_alarms.is_some() {
                "-".to_string()
            } else {
                r.by_design.to_string()
            },
            undet,
            r.false_alarms.map_or("-".to_string(), |a| a.to_string()),
            r.seconds
        ));
    }
    s
}

/// Builds the demo case (and its bundle) in `dir` with the library, and copies the case to
/// `dir/mutated` for altering. Returns (the copy, the bundle).
pub fn demo_case(dir: &Path) -> (PathBuf, PathBuf) {
    let demo = dir.join("demo");
    let outcome = demo::run(&demo, false, &mut |_| {}).expect("the demo runs");
    assert!(outcome.verified, "the demo case verifies");
    let copy = dir.join("mutated");
    copy_tree(&outcome.case, &copy);
    (copy, outcome.bundle)
}
