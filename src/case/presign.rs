//! A ledger read with its signatures checked ahead, on every core: a reading thread hands
//! batches of lines both to worker threads, which check each line's Ed25519 signature with the
//! key its key id names ([`presign`]), and, in order, to the caller, which applies each line to
//! the chain with its verdict ([`ChainState::apply_checked`](crate::format::chain::ChainState::apply_checked)).
//! The chain rules still decide which key must have signed a line: a verdict made with another
//! key (or none, for a key the workers did not know yet) is ignored and the signature checked
//! again in order. Signature checks are most of the time of `verify`; they now run on both
//! cores while the chain is checked.
//!
//! The workers know a key once the caller has applied the entry that enrols it
//! ([`KeyBook::apply`]); lines read before that (a few batches after an enrolment) are checked
//! by the caller. Memory: a line is read only while fewer than `READ_AHEAD_BYTES` (16 MiB) of
//! lines wait for the caller, in at most `QUEUE` (8) batches of `BATCH_LINES` (256) lines or
//! `BATCH_BYTES` (1 MiB); a line over `PRESIGN_MAX_LINE` (1 MiB) is parsed by the caller only.

use crate::error::Result;
use crate::format::chain::{presign, Applied, ChainState, Verdict};
use crate::format::state::record_public_key;
use crate::store::ledger::{LineReader, RawLine};
use ed25519_dalek::VerifyingKey;
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Condvar, Mutex, RwLock};

/// Lines per batch, at most.
const BATCH_LINES: usize = 256;
/// Bytes of lines per batch, at most (about).
const BATCH_BYTES: usize = 1 << 20;
/// Batches read ahead of the caller, at most.
const QUEUE: usize = 8;
/// Bytes of lines read ahead of the caller, at most (beyond one batch): a ledger of many seals
/// of large archives (lines of tens of MiB) is not read into memory ahead of the chain.
const READ_AHEAD_BYTES: usize = 16 << 20;
/// Lines longer than this get no verdict from a worker: the caller parses such a line (a seal
/// listing many members) once, in order, rather than a worker parsing it at the same time.
const PRESIGN_MAX_LINE: usize = 1 << 20;

/// The bytes of lines read but not yet handed to the caller: a line is read only while they
/// are under [`READ_AHEAD_BYTES`], so they stay under it plus one line.
#[derive(Default)]
struct ReadAhead {
    /// Bytes in flight, and whether the caller stopped reading.
    state: Mutex<(usize, bool)>,
    changed: Condvar,
}

impl ReadAhead {
    /// Waits until the bytes in flight are under the bound (the next line may then be read),
    /// or the caller stopped reading. False if the caller stopped.
    fn wait_room(&self) -> bool {
        let mut st = self.state.lock().expect("no panics while held");
        while !st.1 && st.0 >= READ_AHEAD_BYTES {
            st = self.changed.wait(st).expect("no panics while held");
        }
        !st.1
    }
    /// Counts `bytes` more in flight. False if the caller stopped reading.
    fn take(&self, bytes: usize) -> bool {
        let mut st = self.state.lock().expect("no panics while held");
        st.0 += bytes;
        !st.1
    }
    /// The caller is done with `bytes`.
    fn give(&self, bytes: usize) {
        let mut st = self.state.lock().expect("no panics while held");
        st.0 = st.0.saturating_sub(bytes);
        self.changed.notify_all();
    }
    /// The caller stopped reading: the reader must not wait any more.
    fn close(&self) {
        self.state.lock().expect("no panics while held").1 = true;
        self.changed.notify_all();
    }
}

/// Closes a [`ReadAhead`] when the caller's loop ends, however it ends.
struct CloseOnDrop<'a>(&'a ReadAhead);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The public keys the workers check signatures with, by key id, as the caller learns them.
#[derive(Default)]
pub struct KeyBook {
    keys: RwLock<HashMap<String, VerifyingKey>>,
    /// Keys of the chain state already learned ([`KeyBook::apply`]).
    enrolled: AtomicUsize,
}

impl KeyBook {
    /// Learns the keys `state` enrolled since the last call (call it after each line applied).
    fn learn_enrolled(&self, state: &ChainState) {
        let seen = self.enrolled.load(Ordering::Relaxed);
        if state.keys.len() <= seen {
            return;
        }
        for k in &state.keys[seen..] {
            if let Some(public) = record_public_key(&k.record) {
                self.learn(&k.record.id, public);
            }
        }
        self.enrolled.store(state.keys.len(), Ordering::Relaxed);
    }

    /// Applies a line [`read_checked`] gave, with its verdict, to `state`
    /// ([`ChainState::apply_checked`]), then learns the keys it enrolled, so that the workers
    /// check the lines after it with them.
    /// The line is shared with the body: a seal's members are left in it
    /// ([`ChainState::apply_shared`]).
    pub fn apply(
        &self,
        state: &mut ChainState,
        line: &Arc<Vec<u8>>,
        verdict: Option<&Verdict>,
    ) -> Applied {
        let applied = state.apply_shared(line, verdict);
        self.learn_enrolled(state);
        applied
    }

    /// Records the key enrolled under `id` (the first recorded for an id stays).
    fn learn(&self, id: &str, public: VerifyingKey) {
        let mut keys = self.keys.write().expect("no panics while held");
        keys.entry(id.to_string()).or_insert(public);
    }

    fn get(&self, id: &str) -> Option<VerifyingKey> {
        self.keys
            .read()
            .expect("no panics while held")
            .get(id)
            .copied()
    }
}

/// Lines read together, and their verdicts once a worker has made them.
struct Batch {
    /// The lines, which the workers read while making the verdicts and the caller then takes.
    lines: Mutex<Vec<RawLine>>,
    /// The bytes of `lines` (counted in the [`ReadAhead`]).
    bytes: usize,
    /// The reading error after the lines, if reading failed there.
    error: Mutex<Option<crate::error::Error>>,
    verdicts: Mutex<Option<Vec<Option<Verdict>>>>,
    made: Condvar,
}

/// Reads the ledger `path` line by line, in order, calling `each` with each line (its own) and,
/// for a complete line, the verdict on its signature if a worker made one with a key of `book`.
/// A reading error stops the reading and is returned, after the lines before it; so is the
/// first error `each` returns.
pub fn read_checked<F>(path: &Path, book: &KeyBook, mut each: F) -> Result<()>
where
    F: FnMut(RawLine, Option<Verdict>) -> Result<()>,
{
    let reader = LineReader::open(path)?;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .clamp(1, 8);
    let (work_tx, work_rx) = sync_channel::<Arc<Batch>>(QUEUE);
    let (in_order_tx, in_order) = sync_channel::<Arc<Batch>>(QUEUE);
    let work_rx = Mutex::new(work_rx);
    let read_ahead = ReadAhead::default();
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                // Keys already looked up, decompressed once.
                let mut known: HashMap<String, VerifyingKey> = HashMap::new();
                loop {
                    let batch = work_rx.lock().expect("no panics while held").recv();
                    let Ok(batch) = batch else { return };
                    // A line that made the parser panic gets no verdict (the caller then
                    // meets the panic itself, in order), so the caller never waits forever.
                    let verdicts = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        let lines = batch.lines.lock().unwrap_or_else(|p| p.into_inner());
                        lines
                            .iter()
                            .map(|l| match l {
                                RawLine::Line { bytes, .. } if bytes.len() <= PRESIGN_MAX_LINE => {
                                    presign(bytes, |id| {
                                        if let Some(k) = known.get(id) {
                                            return Some(*k);
                                        }
                                        let k = book.get(id)?;
                                        known.insert(id.to_string(), k);
                                        Some(k)
                                    })
                                }
                                _ => None,
                            })
                            .collect()
                    }))
                    .unwrap_or_else(|_| Vec::new());
                    *batch.verdicts.lock().expect("no panics while held") = Some(verdicts);
                    batch.made.notify_all();
                }
            });
        }
        let read_ahead = &read_ahead;
        s.spawn(move || {
            let mut lines = Vec::new();
            let mut bytes = 0;
            let send = |lines: Vec<RawLine>, bytes: usize, error: Option<crate::error::Error>| {
                if !read_ahead.take(bytes) {
                    return false;
                }
                let b = Arc::new(Batch {
                    lines: Mutex::new(lines),
                    bytes,
                    error: Mutex::new(error),
                    verdicts: Mutex::new(None),
                    made: Condvar::new(),
                });
                // The workers first, so that every batch the caller waits on is being made;
                // a send fails only if the caller stopped reading.
                work_tx.send(b.clone()).is_ok() && in_order_tx.send(b).is_ok()
            };
            let mut reader = reader;
            loop {
                if !read_ahead.wait_room() {
                    return;
                }
                let Some(item) = reader.next() else { break };
                let line = match item {
                    Ok(line) => line,
                    Err(e) => {
                        send(std::mem::take(&mut lines), bytes, Some(e));
                        return;
                    }
                };
                bytes += match &line {
                    RawLine::Line { bytes, .. } | RawLine::Torn { bytes, .. } => bytes.len(),
                    RawLine::TooLong { .. } => 0,
                };
                lines.push(line);
                if lines.len() >= BATCH_LINES || bytes >= BATCH_BYTES {
                    if !send(std::mem::take(&mut lines), bytes, None) {
                        return;
                    }
                    bytes = 0;
                }
            }
            if !lines.is_empty() {
                send(lines, bytes, None);
            }
        });
        let _close = CloseOnDrop(read_ahead);
        for batch in in_order {
            let verdicts = {
                let mut made = batch.verdicts.lock().expect("no panics while held");
                while made.is_none() {
                    made = batch.made.wait(made).expect("no panics while held");
                }
                made.take().unwrap_or_default()
            };
            let lines = std::mem::take(&mut *batch.lines.lock().unwrap_or_else(|p| p.into_inner()));
            let mut verdicts = verdicts.into_iter();
            for line in lines {
                each(line, verdicts.next().flatten())?;
            }
            if let Some(e) = batch.error.lock().expect("no panics while held").take() {
                return Err(e);
            }
            read_ahead.give(batch.bytes);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    /// The reader waits while the lines in flight reach the bound (a line under it is read,
    /// however large), resumes when the caller is done with them, and never waits once the
    /// caller has stopped.
    #[test]
    fn read_ahead_is_bounded_by_bytes_and_never_waits_after_the_caller_stopped() {
        let ra = ReadAhead::default();
        assert!(ra.wait_room());
        assert!(ra.take(READ_AHEAD_BYTES - 1));
        assert!(ra.wait_room(), "under the bound: the next line may be read");
        assert!(
            ra.take(4 * READ_AHEAD_BYTES),
            "a line is counted, however large"
        );
        std::thread::scope(|s| {
            let waiting = s.spawn(|| ra.wait_room());
            std::thread::sleep(std::time::Duration::from_millis(100));
            assert!(!waiting.is_finished(), "read ahead beyond the bound");
            ra.give(4 * READ_AHEAD_BYTES);
            assert!(waiting.join().unwrap());
        });
        assert!(ra.take(1));
        std::thread::scope(|s| {
            let waiting = s.spawn(|| ra.wait_room());
            std::thread::sleep(std::time::Duration::from_millis(100));
            assert!(!waiting.is_finished());
            ra.close();
            assert!(
                !waiting.join().unwrap(),
                "the caller stopped: nothing more is read"
            );
        });
        assert!(!ra.take(1));
    }

    /// Every line reaches the caller once, in order, across many batches (lines that are not
    /// entries get no verdict), then the torn tail; an error from the caller stops the
    /// reading and is returned, and nothing waits forever.
    #[test]
    fn lines_arrive_in_order_and_an_error_stops_the_reading() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ledger.jsonl");
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!("line {i} {}\n", "x".repeat(i % 700)));
        }
        text.push_str("torn");
        std::fs::write(&path, &text).unwrap();
        let book = KeyBook::default();
        let mut seen = Vec::new();
        read_checked(&path, &book, |raw, verdict| {
            assert_eq!(verdict, None);
            seen.push(match raw {
                RawLine::Line { bytes, .. } => String::from_utf8(bytes).unwrap(),
                RawLine::Torn { bytes, .. } => format!("torn: {}", String::from_utf8_lossy(&bytes)),
                RawLine::TooLong { .. } => "too long".into(),
            });
            Ok(())
        })
        .unwrap();
        assert_eq!(seen.len(), 3001);
        assert_eq!(seen[2999], format!("line 2999 {}", "x".repeat(2999 % 700)));
        assert_eq!(seen[3000], "torn: torn");
        assert!(seen[..3000]
            .iter()
            .enumerate()
            .all(|(i, l)| l.starts_with(&format!("line {i} "))));
        let mut calls = 0;
        let r = read_checked(&path, &book, |_, _| {
            calls += 1;
            if calls == 1000 {
                return Err(Error::input("stop here"));
            }
            Ok(())
        });
        assert_eq!(calls, 1000);
        assert!(r.unwrap_err().to_string().contains("stop here"));
    }
}
