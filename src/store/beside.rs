//! Running a [`MemberInspector`] on its own thread, beside the hashing: the thread that reads
//! and hashes an archive's members copies each member's bytes into a batch and goes on, while
//! another thread replays the batches to the inspector (an IOC search), so that the search and
//! the hashing share the cores instead of taking turns on one.
//!
//! Memory is bounded: at most [`QUEUE`] batches wait for the inspector, each of about
//! [`BATCH_BYTES`] bytes plus one update (a chunk of at most [`hashing::CHUNK_SIZE`]), and the
//! buffers are reused.
//!
//! [`hashing::CHUNK_SIZE`]: crate::store::hashing::CHUNK_SIZE

use crate::format::body::{Hashes, Member};
use crate::store::hashing::MemberInspector;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};

/// Bytes gathered before a batch is handed over.
const BATCH_BYTES: usize = 256 * 1024;
/// Calls gathered before a batch is handed over (many small members).
const BATCH_CALLS: usize = 1024;
/// Batches waiting for the inspector, at most, before the hashing thread waits.
const QUEUE: usize = 4;

/// One call to the inspector, its bytes as a range of the batch's buffer.
enum Call {
    Begin(usize, String),
    Update(usize, usize),
    End(u64, Hashes),
    Reset,
    Record(usize, Box<Member>),
}

/// Calls in order, with the bytes of their updates.
#[derive(Default)]
struct Batch {
    calls: Vec<Call>,
    data: Vec<u8>,
}

/// The inspector the hashing thread sees: it records calls and hands them over in batches.
pub struct Forward {
    tx: SyncSender<Batch>,
    spare: Receiver<Batch>,
    current: Batch,
}

impl Forward {
    fn hand_over(&mut self) {
        if self.current.calls.is_empty() {
            return;
        }
        let next = self.spare.try_recv().unwrap_or_default();
        let full = std::mem::replace(&mut self.current, next);
        // Fails only if the inspector's thread is gone (it panicked): the join reports it.
        let _ = self.tx.send(full);
    }

    fn pushed(&mut self) {
        if self.current.data.len() >= BATCH_BYTES || self.current.calls.len() >= BATCH_CALLS {
            self.hand_over();
        }
    }
}

impl MemberInspector for Forward {
    fn begin(&mut self, index: usize, path: &str) {
        self.current
            .calls
            .push(Call::Begin(index, path.to_string()));
        self.pushed();
    }

    fn update(&mut self, data: &[u8]) {
        let start = self.current.data.len();
        self.current.data.extend_from_slice(data);
        self.current
            .calls
            .push(Call::Update(start, self.current.data.len()));
        self.pushed();
    }

    fn end(&mut self, size: u64, hashes: &Hashes) {
        self.current.calls.push(Call::End(size, hashes.clone()));
        self.pushed();
    }

    fn reset(&mut self) {
        self.current.calls.push(Call::Reset);
        self.hand_over();
    }

    fn record(&mut self, index: usize, member: Member) {
        self.current
            .calls
            .push(Call::Record(index, Box::new(member)));
        self.pushed();
    }
}

/// Runs `run` with an inspector whose calls reach `inner`, in the same order, on another
/// thread; returns once `inner` has seen every call. `run`'s result is returned.
pub fn inspect_beside<I, T>(inner: &mut I, run: impl FnOnce(&mut Forward) -> T) -> T
where
    I: MemberInspector + Send,
{
    let (tx, rx) = sync_channel::<Batch>(QUEUE);
    let (spare_tx, spare) = sync_channel::<Batch>(QUEUE + 2);
    std::thread::scope(|s| {
        let worker = s.spawn(move || {
            for mut batch in rx {
                for call in batch.calls.drain(..) {
                    match call {
                        Call::Begin(i, path) => inner.begin(i, &path),
                        Call::Update(a, b) => inner.update(&batch.data[a..b]),
                        Call::End(size, hashes) => inner.end(size, &hashes),
                        Call::Reset => inner.reset(),
                        Call::Record(i, m) => inner.record(i, *m),
                    }
                }
                batch.data.clear();
                // Never waits: a buffer the hashing thread has no room for is dropped.
                let _ = spare_tx.try_send(batch);
            }
        });
        let mut forward = Forward {
            tx,
            spare,
            current: Batch::default(),
        };
        let out = run(&mut forward);
        forward.hand_over();
        drop(forward);
        worker.join().expect("inspector thread");
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every call as text.
    #[derive(Default)]
    struct Log(Vec<String>);

    impl MemberInspector for Log {
        fn begin(&mut self, index: usize, path: &str) {
            self.0.push(format!("begin {index} {path}"));
        }
        fn update(&mut self, data: &[u8]) {
            self.0
                .push(format!("update {}", String::from_utf8_lossy(data)));
        }
        fn end(&mut self, size: u64, hashes: &Hashes) {
            self.0.push(format!("end {size} {}", hashes.sha256));
        }
        fn reset(&mut self) {
            self.0.push("reset".into());
        }
    }

    fn calls(i: &mut dyn MemberInspector, n: usize) {
        for k in 0..n {
            i.begin(k, &format!("m{k}"));
            i.update(b"ab");
            // Large enough to hand batches over mid-member.
            i.update(&vec![b'x'; 100_000 + k]);
            let h = Hashes {
                sha256: format!("h{k}"),
                ..Hashes::default()
            };
            i.end(k as u64, &h);
            if k == n / 2 {
                i.reset();
            }
        }
    }

    #[test]
    fn every_call_arrives_in_order_with_its_bytes() {
        let mut direct = Log::default();
        calls(&mut direct, 3000);
        let mut inner = Log::default();
        let r = inspect_beside(&mut inner, |f| {
            calls(f, 3000);
            7
        });
        assert_eq!(r, 7);
        assert_eq!(inner.0.len(), direct.0.len());
        assert!(inner.0 == direct.0, "the calls differ");
    }

    #[test]
    fn nothing_called_is_nothing_seen() {
        let mut inner = Log::default();
        inspect_beside(&mut inner, |_| ());
        assert!(inner.0.is_empty());
    }
}
