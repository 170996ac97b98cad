//! Grows a case's ledger to ENTRIES entries with signed `note` entries, for the benchmarks of a
//! big ledger (`benches/compare.sh`, sections 5 and 6).
//!
//! ```sh
//! SCELLE_PASSPHRASE=... cargo run --release --example gen_ledger -- CASE KEYFILE ENTRIES [EXHIBITS]
//! ```
//!
//! `scelle note` appends one note per command, and every command decrypts the key (PBKDF2,
//! about 70 ms) and reads and rewrites the case's index: a million entries that way would take
//! days. This appends them through the library's [`Appender`] instead, in transactions of
//! 100,000 entries (each entry signed and fdatasync'ed as `scelle note` does; the index and a
//! checkpoint written at the end of each transaction), so the ledger is exactly what the CLI
//! would have written. The case must exist with its exhibits already sealed (`scelle seal`);
//! the notes are about exhibits E-0001 to E-EXHIBITS in turn (every tenth about the case), and
//! about the case only when EXHIBITS is 0 or absent. KEYFILE must be enrolled in the case; its
//! passphrase is read from `SCELLE_PASSPHRASE`.

use scelle::format::body::NoteBody;
use scelle::{load_signing_key, Appender, Body, CaseDir};
use secrecy::SecretString;
use std::path::PathBuf;
use std::time::Instant;

/// Entries appended per transaction (lock, index and checkpoint).
const CHUNK: u64 = 100_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (case, key, entries) = match args.as_slice() {
        [c, k, n] | [c, k, n, _] => (PathBuf::from(c), PathBuf::from(k), n.parse::<u64>()?),
        _ => return Err("usage: gen_ledger CASE KEYFILE ENTRIES [EXHIBITS]".into()),
    };
    let exhibits = args
        .get(3)
        .map(|e| e.parse::<u64>())
        .transpose()?
        .unwrap_or(0);
    let passphrase = std::env::var("SCELLE_PASSPHRASE")
        .map_err(|_| "set SCELLE_PASSPHRASE to the key's passphrase")?;
    let case = CaseDir::open(&case)?;
    let key = load_signing_key(&key, &SecretString::from(passphrase))?;
    let t0 = Instant::now();
    let mut written = 0u64;
    loop {
        let mut app = Appender::open(&case, &key)?;
        let start = app.state().size;
        if start >= entries {
            eprintln!("gen_ledger: the ledger has {start} entries (wanted {entries})");
            break;
        }
        let end = entries.min(start + CHUNK);
        for seq in start..end {
            let exhibit =
                (exhibits > 0 && seq % 10 != 0).then(|| format!("E-{:04}", seq % exhibits + 1));
            let body = Body::Note(NoteBody {
                exhibit,
                text: format!("benchmark note {seq}: examined, nothing to report"),
            });
            app.append_body(&body, &key, scelle::format::time::now_utc())?;
        }
        app.finish(&key)?;
        written += end - start;
        let secs = t0.elapsed().as_secs_f64();
        eprintln!(
            "gen_ledger: {end} entries ({written} notes in {secs:.0} s, {:.0} entries/s)",
            written as f64 / secs
        );
    }
    Ok(())
}
