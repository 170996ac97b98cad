//! A counting global allocator and signed-line helpers for the tests that measure memory by
//! the allocator (no timing): `tests/ledger_memory.rs`, `tests/verify_memory.rs`. Included with
//! `#[path = "common/counting.rs"] mod counting;`; each such binary holds one test (the
//! counters are global) and installs `#[global_allocator] static A: counting::Counting =
//! counting::Counting;`.
#![allow(dead_code)]

use scelle::format::body::Body;
use scelle::format::entry::{Entry, FORMAT_VERSION};
use scelle::format::keys::key_id;
use scelle::ChainState;
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting the bytes allocated now and their peak.
pub struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = NOW.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        NOW.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as a new block then the old one freed: the peak of a copy.
        grew(new_size);
        NOW.fetch_sub(layout.size(), Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// The bytes allocated at the peak of `f`, above what was allocated before it.
pub fn peak_of<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let before = NOW.load(Relaxed);
    PEAK.store(before, Relaxed);
    let out = f();
    (out, PEAK.load(Relaxed) - before)
}

pub const TIME: &str = "2026-01-01T00:00:00Z";

pub fn line(key: &ed25519_dalek::SigningKey, state: &ChainState, body: &Body) -> Vec<u8> {
    let mut e = Entry {
        body: serde_json::to_value(body).unwrap(),
        kind: body.kind().into(),
        key: key_id(&key.verifying_key()),
        format: FORMAT_VERSION,
        prev: state.last_line_hash.clone(),
        seq: state.size,
        sig: String::new(),
        time: TIME.into(),
    };
    e.sign(key);
    e.line().unwrap()
}
