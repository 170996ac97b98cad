//! Indicators matched in context (issue 19, FORMAT.md 6.8): real-format fixtures made by the
//! formats' own tools (python's sqlite3 and plistlib, JSON, iOS log lines) in tar members and
//! directories, with true positives in context (a TCC.db `access.client` cell that a byte
//! search cannot see, a DataUsage.sqlite `ZPROCESS.ZPROCNAME` written only in the WAL, a
//! shutdown.log line, a crash report, a binary plist, an `.ips` report) and decoys that must
//! not become findings (the name inside another word, in random bytes, in documentation prose,
//! inside a longer SQLite cell). Both verifiers accept the recorded scans.

mod common;

use common::{init_case, ok, run, run_ok, PASS};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const PEGASUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/ioc/pegasus.stix2");

/// Runs a python script with arguments; panics on failure.
fn python(script: &str, args: &[&Path]) {
    let mut c = Command::new("python3");
    c.arg("-c").arg(script);
    for a in args {
        c.arg(a);
    }
    let o = c.output().expect("python3 runs");
    assert!(
        o.status.success(),
        "python failed: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// The synthetic extraction: true positives and decoys, written by python's own modules.
fn extraction(root: &Path) {
    let script = r#"
import sqlite3, plistlib, json, os, sys, shutil, random
root = sys.argv[1]
def p(*a):
    path = os.path.join(root, *a)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path
# TCC.db: service and client cells stored side by side (kTCCServiceLiverpoolroleaccountd).
db = sqlite3.connect(p("private/var/mobile/Library/TCC/TCC.db"))
db.execute("CREATE TABLE access (service TEXT, client TEXT, client_type INTEGER, auth_value INTEGER)")
db.execute("INSERT INTO access VALUES ('kTCCServiceCamera', 'com.apple.camera', 0, 2)")
db.execute("INSERT INTO access VALUES ('kTCCServiceLiverpool', 'roleaccountd', 1, 2)")
db.execute("INSERT INTO access VALUES ('kTCCServicePhotos', 'the roleaccountd daemon', 0, 0)")
db.commit(); db.close()
# A decoy database: the name inside a longer cell (prose).
db = sqlite3.connect(p("private/var/mobile/Library/Notes/notes.sqlite"))
db.execute("CREATE TABLE note (body TEXT)")
db.execute("INSERT INTO note VALUES ('about the roleaccountd daemon')")
db.commit(); db.close()
# DataUsage.sqlite in WAL mode: the Pegasus row is only in the WAL (copied while open).
tmp = p("tmp/DataUsage.sqlite")
db = sqlite3.connect(tmp)
db.execute("PRAGMA journal_mode=WAL")
db.execute("CREATE TABLE ZPROCESS (Z_PK INTEGER PRIMARY KEY, ZPROCNAME TEXT, ZBUNDLENAME TEXT)")
db.execute("INSERT INTO ZPROCESS VALUES (1, 'mobilesafari/com.apple.mobilesafari', 'com.apple.mobilesafari')")
db.commit()
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.execute("INSERT INTO ZPROCESS VALUES (2, 'bh/com.apple.bh', NULL)")
db.commit()
dest = p("private/var/wireless/Library/Databases/DataUsage.sqlite")
shutil.copy(tmp, dest); shutil.copy(tmp + "-wal", dest + "-wal")
db.close()
shutil.rmtree(os.path.join(root, "tmp"))
# shutdown.log: a process still running at shutdown, from a Pegasus path.
with open(p("private/var/db/diagnostics/shutdown.log"), "w") as f:
    f.write("After 3.2s, these clients are still here:\n")
    f.write("\t\tremaining client pid: 171 (/usr/libexec/locationd)\n")
    f.write("\t\tremaining client pid: 2231 (/private/var/tmp/otpgrefd)\n")
# sysdiagnose ps output: the command column names the process.
with open(p("sysdiagnose/ps.txt"), "w") as f:
    f.write("USER       UID   PID  PPID  %CPU %MEM STARTED      TIME COMMAND\n")
    f.write("root         0     1     0   0.0  0.3 09:00AM   0:02.10 /sbin/launchd\n")
    f.write("root         0  1433     1   0.0  0.1 09:00AM   0:00.12 /private/var/tmp/ckeblld -d\n")
# A crash report naming the process.
with open(p("private/var/mobile/Library/Logs/CrashReporter/x.crash"), "w") as f:
    f.write("Incident Identifier: 1\nProcess:             fservernetd [228]\nPath:                /usr/sbin/fservernetd\n")
# An .ips report: a JSON header line, then a JSON body.
with open(p("private/var/mobile/Library/Logs/CrashReporter/y.ips"), "w") as f:
    f.write(json.dumps({"app_name": "x", "bug_type": "309"}) + "\n")
    f.write(json.dumps({"procName": "pcsd", "procPath": "/usr/libexec/pcsd"}, indent=2))
# A binary plist launching a Pegasus process; an XML plist naming a Pegasus domain.
with open(p("private/var/root/Library/Preferences/com.x.plist"), "wb") as f:
    plistlib.dump({"Label": "com.x", "ProgramArguments": ["/usr/libexec/gssdp", "-d"]}, f, fmt=plistlib.FMT_BINARY)
with open(p("private/var/mobile/Library/Preferences/com.y.plist"), "wb") as f:
    plistlib.dump({"Homepage": "https://free247downloads.com/x"}, f, fmt=plistlib.FMT_XML)
# Decoys: documentation prose, a name inside longer words, random bytes around a name.
with open(p("Documentation/notes.txt"), "w") as f:
    f.write("Pegasus used processes such as roleaccountd; see the report.\nmyroleaccountdx fmldx\n")
random.seed(19)
blob = bytearray(random.getrandbits(8) for _ in range(20000))
blob[5000:5006] = b" fmld "
with open(p("private/var/mobile/Media/image.bin"), "wb") as f:
    f.write(bytes(blob))
"#;
    python(script, &[root]);
}

struct Scan {
    findings: Vec<Value>,
    mentions: Vec<Value>,
    body: Value,
    stdout: String,
}

fn scan(case: &Path, key: &Path, exhibit: &str) -> Scan {
    let o = run(&[
        "-C",
        case.to_str().unwrap(),
        "ioc",
        "scan",
        "--json",
        "--key",
        key.to_str().unwrap(),
        "--stix",
        PEGASUS,
        exhibit,
    ]);
    let stdout = ok(&o);
    let v: Value = serde_json::from_str(stdout.trim()).unwrap();
    let body = v["scan"].clone();
    Scan {
        findings: body["matches"].as_array().unwrap().clone(),
        mentions: body["mentions"].as_array().cloned().unwrap_or_default(),
        body,
        stdout,
    }
}

/// (value, member, on, location) of each record.
fn brief(records: &[Value]) -> Vec<(String, String, String, String)> {
    records
        .iter()
        .map(|m| {
            (
                m["value"].as_str().unwrap().to_string(),
                m["member"].as_str().unwrap_or("").to_string(),
                m["on"].as_str().unwrap().to_string(),
                m.get("location").map(|l| l.to_string()).unwrap_or_default(),
            )
        })
        .collect()
}

fn expect_in_context(s: &Scan, prefix: &str) {
    let f = brief(&s.findings);
    let has = |value: &str, member: &str, on: &str, loc: &str| {
        assert!(
            f.iter().any(|x| x.0 == value
                && x.1 == format!("{prefix}{member}")
                && x.2 == on
                && x.3 == loc),
            "no finding {value} {member} {on} {loc} in {f:#?}"
        )
    };
    // The TCC.db client cell a byte search with word boundaries cannot see.
    has(
        "roleaccountd",
        "private/var/mobile/Library/TCC/TCC.db",
        "sqlite",
        r#"{"column":"client","rowid":2,"table":"access"}"#,
    );
    // The DataUsage row only in the WAL: the WAL was applied.
    has(
        "bh",
        "private/var/wireless/Library/Databases/DataUsage.sqlite",
        "sqlite",
        r#"{"column":"ZPROCNAME","rowid":2,"table":"ZPROCESS"}"#,
    );
    has(
        "otpgrefd",
        "private/var/db/diagnostics/shutdown.log",
        "log",
        r#"{"line":3}"#,
    );
    has(
        "fservernetd",
        "private/var/mobile/Library/Logs/CrashReporter/x.crash",
        "log",
        r#"{"line":2}"#,
    );
    has("ckeblld", "sysdiagnose/ps.txt", "log", r#"{"line":3}"#);
    has(
        "fservernetd",
        "private/var/mobile/Library/Logs/CrashReporter/x.crash",
        "log",
        r#"{"line":3}"#,
    );
    has(
        "pcsd",
        "private/var/mobile/Library/Logs/CrashReporter/y.ips",
        "json",
        r#"{"key":"/procName","line":2}"#,
    );
    has(
        "gssdp",
        "private/var/root/Library/Preferences/com.x.plist",
        "plist",
        r#"{"key":"/ProgramArguments/0"}"#,
    );
    has(
        "free247downloads.com",
        "private/var/mobile/Library/Preferences/com.y.plist",
        "plist",
        r#"{"key":"/Homepage"}"#,
    );
    // No finding from a decoy, and nothing but network indicators from raw content.
    for x in &f {
        assert!(
            !x.1.contains("Documentation") && !x.1.contains("image.bin"),
            "decoy became a finding: {x:?}"
        );
        if x.2 == "content" {
            panic!("a content finding of a non-network indicator: {x:?}");
        }
    }
    // Only one TCC finding: the 'the roleaccountd daemon' cell is not one (its raw hit is
    // covered by the finding in the same member).
    assert_eq!(
        f.iter()
            .filter(|x| x.1.ends_with("TCC.db") && x.0 == "roleaccountd")
            .count(),
        1
    );
    // The decoys in prose and random bytes are mentions; the name inside another word is
    // nothing at all.
    let m = brief(&s.mentions);
    assert!(m.iter().all(|x| x.2 == "content"), "{m:?}");
    assert!(
        m.iter()
            .any(|x| x.0 == "roleaccountd" && x.1.ends_with("Documentation/notes.txt")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|x| x.0 == "fmld" && x.1.ends_with("Media/image.bin")),
        "{m:?}"
    );
    assert!(
        m.iter()
            .any(|x| x.0 == "roleaccountd" && x.1.ends_with("notes.sqlite")),
        "the longer cell's text is a mention: {m:?}"
    );
    let notes: Vec<_> = s
        .mentions
        .iter()
        .filter(|x| x["member"].as_str().unwrap().ends_with("notes.txt"))
        .collect();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["occurrences"], 1, "myroleaccountdx is not counted");
    let e = &s.body["exhibits"][0];
    assert_eq!(e["matches"].as_u64().unwrap() as usize, s.findings.len());
    assert_eq!(e["mentions"].as_u64().unwrap() as usize, s.mentions.len());
    assert!(s.stdout.contains("\"mentions\""));
}

fn verifiers_accept(case: &Path) {
    let o = run(&["-C", case.to_str().unwrap(), "verify"]);
    ok(&o);
    let py = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/independent/verify_case.py");
    let o = Command::new("python3").arg(py).arg(case).output().unwrap();
    assert!(
        o.status.success(),
        "verify_case.py: {}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn a_directory_and_a_tar_of_an_extraction_give_findings_in_context_and_decoys_as_mentions() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (case, key) = init_case(root, "CTX-1", "Context", &[]);
    let ffs = root.join("ffs");
    extraction(&ffs);
    // Directory exhibit.
    ok(&run(&[
        "-C",
        case.to_str().unwrap(),
        "seal",
        ffs.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]));
    let s = scan(&case, &key, "E-0001");
    expect_in_context(&s, "");
    // The same tree as a tar (made by tar(1): members in its own order, WAL included).
    let tar = root.join("ffs.tar");
    run_ok(
        Command::new("tar")
            .arg("-cf")
            .arg(&tar)
            .arg("-C")
            .arg(&ffs)
            .arg("."),
    );
    ok(&run(&[
        "-C",
        case.to_str().unwrap(),
        "seal",
        tar.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]));
    let t = scan(&case, &key, "E-0002");
    expect_in_context(&t, "./");
    // A single file exhibit: the TCC.db alone.
    let single: PathBuf = ffs.join("private/var/mobile/Library/TCC/TCC.db");
    ok(&run(&[
        "-C",
        case.to_str().unwrap(),
        "seal",
        single.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]));
    let one = scan(&case, &key, "E-0003");
    assert_eq!(
        brief(&one.findings),
        vec![(
            "roleaccountd".to_string(),
            String::new(),
            "sqlite".to_string(),
            r#"{"column":"client","rowid":2,"table":"access"}"#.to_string()
        )]
    );
    // The text output: the findings, then the mentions apart, counted.
    let o = run(&[
        "-C",
        case.to_str().unwrap(),
        "ioc",
        "scan",
        "--key",
        key.to_str().unwrap(),
        "--stix",
        PEGASUS,
        "E-0001",
    ]);
    let text = ok(&o);
    let first_mention = text
        .find("3 mentions (low confidence, not findings:")
        .expect(&text);
    let last_match = text.rfind("  MATCH ").expect(&text);
    assert!(last_match < first_mention, "{text}");
    assert!(
        text.contains("table \"access\" column \"client\" rowid 2"),
        "{text}"
    );
    verifiers_accept(&case);
    let _ = PASS;
}

#[test]
fn a_byte_search_does_not_see_the_tcc_client_cell() {
    // The reason for reading the database: the raw bytes hold the two cells side by side.
    let tmp = tempfile::tempdir().unwrap();
    extraction(tmp.path());
    let db = std::fs::read(tmp.path().join("private/var/mobile/Library/TCC/TCC.db")).unwrap();
    assert!(db
        .windows(32)
        .any(|w| w == b"kTCCServiceLiverpoolroleaccountd"));
}

/// Hostile or broken databases (a corrupt page, a truncated file, a view, a trigger, a
/// virtual table, a quoted table name, a column name that is not UTF-8, a table and a column
/// with empty names, which no
/// location can name) do not stop the scan: what parses is read, the rest is
/// searched as content; the private copies are gone afterwards (TMPDIR left empty).
#[test]
fn broken_and_unusual_databases_are_read_where_they_can_be_and_leave_no_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let (case, key) = init_case(root, "CTX-2", "Context", &[]);
    let dir = root.join("ffs");
    let script = r#"
import sqlite3, os, sys
d = sys.argv[1]
os.makedirs(d)
db = sqlite3.connect(os.path.join(d, "odd.db"))
db.execute('CREATE TABLE "we""ird" ("c o l" TEXT)')
db.execute('INSERT INTO "we""ird" VALUES (?)', ("/usr/libexec/roleaccountd",))
db.execute('CREATE VIEW v AS SELECT "c o l" || \'x\' AS y FROM "we""ird"')
db.execute('CREATE TRIGGER t AFTER INSERT ON "we""ird" BEGIN SELECT 1; END')
db.execute('CREATE TABLE "" ("" TEXT, b TEXT)')
db.execute('INSERT INTO "" VALUES (?, ?)', ("gssdp", "gssdp"))
db.execute('CREATE TABLE e ("" TEXT)')
db.execute('INSERT INTO e VALUES (?)', ("gssdp",))
db.execute("CREATE VIRTUAL TABLE f USING fts5(body)")
db.execute("INSERT INTO f VALUES ('fts row gssdp')")
db.execute("CREATE TABLE nr (k TEXT PRIMARY KEY, v TEXT) WITHOUT ROWID")
db.execute("INSERT INTO nr VALUES ('a', 'pcsd')")
db.commit(); db.close()
db = sqlite3.connect(os.path.join(d, "badname.db"))
db.execute('CREATE TABLE bad (ZZQQ TEXT, ok TEXT)')
db.execute('INSERT INTO bad VALUES (?, ?)', ("natgd", "natgd"))
db.commit(); db.close()
b = open(os.path.join(d, "badname.db"), "rb").read()
assert b.count(b"ZZQQ") == 1
open(os.path.join(d, "badname.db"), "wb").write(b.replace(b"ZZQQ", b"\xff\xfe\xff\xfe"))
good = open(os.path.join(d, "odd.db"), "rb").read()
open(os.path.join(d, "truncated.db"), "wb").write(good[:200])
bad = bytearray(good)
for i in range(100, len(bad), 7):
    bad[i] ^= 0x5a
open(os.path.join(d, "corrupt.db"), "wb").write(bytes(bad))
"#;
    python(script, &[&dir]);
    ok(&run(&[
        "-C",
        case.to_str().unwrap(),
        "seal",
        dir.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]));
    let tmpdir = root.join("tmp");
    std::fs::create_dir(&tmpdir).unwrap();
    let o = run_ok(
        common::scelle()
            .env("TMPDIR", &tmpdir)
            .args([
                "-C",
                case.to_str().unwrap(),
                "ioc",
                "scan",
                "--json",
                "--key",
            ])
            .arg(&key)
            .args(["--stix", PEGASUS]),
    );
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let f = brief(v["scan"]["matches"].as_array().unwrap());
    assert!(
        f.contains(&(
            "roleaccountd".into(),
            "odd.db".into(),
            "sqlite".into(),
            r#"{"column":"c o l","rowid":1,"table":"we\"ird"}"#.into()
        )),
        "{f:#?}"
    );
    // The WITHOUT ROWID table: a cell with no rowid.
    assert!(
        f.contains(&(
            "pcsd".into(),
            "odd.db".into(),
            "sqlite".into(),
            r#"{"column":"v","table":"nr"}"#.into()
        )),
        "{f:#?}"
    );
    // A column whose name is not UTF-8 (rusqlite would panic reading it): shown lossily.
    for col in ["\u{fffd}\u{fffd}\u{fffd}\u{fffd}", "ok"] {
        let loc = serde_json::json!({"column": col, "rowid": 1, "table": "bad"}).to_string();
        assert!(
            f.contains(&("natgd".into(), "badname.db".into(), "sqlite".into(), loc)),
            "{f:#?}"
        );
    }
    // The view is not read (its values would repeat the table's, altered).
    assert!(
        f.iter()
            .all(|x| !x.3.contains("\"v\",") || x.3.contains("nr")),
        "{f:#?}"
    );
    assert_eq!(
        std::fs::read_dir(&tmpdir).unwrap().count(),
        0,
        "a temporary copy was left"
    );
    verifiers_accept(&case);
}
