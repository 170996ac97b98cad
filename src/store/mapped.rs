//! A file's bytes read through a memory mapping, guarded against the file shrinking while
//! it is mapped. The only `unsafe` code of the crate (docs/SECURITY.md, "Memory-mapped
//! reads").
//!
//! **Why.** A tar is sealed with two SHA-256 passes over the same bytes (the archive's, and
//! its members'), one per core. Read with `pread`, the bytes are also copied out of the page
//! cache, a third piece of work competing for the two cores; mapped, the page cache itself is
//! hashed and nothing is copied ([`crate::store::chunks::SharedReads`] maps a file a few MiB
//! at a time and lends chunks of each window).
//!
//! **The hazard, and the guard.** Reading a mapped page that the file no longer has (another
//! process truncated it) raises `SIGBUS`, which by default kills the process with no message.
//! Each live [`Mapping`] is registered in a fixed table; a `SIGBUS` handler, installed once,
//! maps zero-filled memory over the rest of a registered mapping from the faulting page on,
//! records that the mapping faulted ([`Mapping::shrank`]), and lets the read go on: the reader
//! finishes on zeros and the caller refuses the result, naming the file. A `SIGBUS` at any other
//! address goes to the handler that was there before (Rust's own, which reports a stack
//! overflow; or the default action).
//!
//! **What a mapping does not change.** A file written to while it is read, mapped or not,
//! gives bytes of either version: the file's size and times, checked after the read
//! (`StableFile::finish`, in `store::nofollow`), are what refuse it.
#![allow(unsafe_code)]

use std::fs::File;
use std::ops::Range;
use std::os::fd::AsRawFd;
use std::sync::atomic::{fence, AtomicBool, AtomicUsize, Ordering};
use std::sync::OnceLock;

/// Mappings that can be live at once; a file is read without one when all are taken.
const SLOTS: usize = 64;

/// One registered mapping, read by the signal handler (atomics only: nothing else is safe in
/// a handler). Its range is published under a sequence lock: the handler may run on any thread
/// while another registers or unregisters a slot, and must never act on a start of one
/// registration and an end of another (it would map zeros over memory that is not ours).
struct Slot {
    /// Taken by a live [`Mapping`] (which alone writes the fields below).
    used: AtomicBool,
    /// Odd while `start` and `end` are being written.
    seq: AtomicUsize,
    /// First address of the mapping.
    start: AtomicUsize,
    /// One past its last address; 0 while the slot is not registered.
    end: AtomicUsize,
    /// A read of the mapping faulted: the file is shorter than the mapping.
    faulted: AtomicBool,
}

impl Slot {
    const fn new() -> Slot {
        Slot {
            used: AtomicBool::new(false),
            seq: AtomicUsize::new(0),
            start: AtomicUsize::new(0),
            end: AtomicUsize::new(0),
            faulted: AtomicBool::new(false),
        }
    }

    /// Publishes the range `start..end` (`end` 0: none); only the slot's owner calls it.
    fn publish(&self, start: usize, end: usize) {
        self.seq.fetch_add(1, Ordering::Relaxed);
        fence(Ordering::Release);
        self.start.store(start, Ordering::Relaxed);
        self.end.store(end, Ordering::Relaxed);
        self.seq.fetch_add(1, Ordering::Release);
    }

    /// The range registered, read whole (`None`: none, or being changed; the slot of the
    /// mapping whose read faulted is never being changed, since that mapping is being read).
    fn range(&self) -> Option<Range<usize>> {
        let before = self.seq.load(Ordering::Acquire);
        if before % 2 == 1 {
            return None;
        }
        let (start, end) = (
            self.start.load(Ordering::Relaxed),
            self.end.load(Ordering::Relaxed),
        );
        fence(Ordering::Acquire);
        (self.seq.load(Ordering::Relaxed) == before && end != 0).then_some(start..end)
    }
}

static GUARDED: [Slot; SLOTS] = [const { Slot::new() }; SLOTS];

/// The system's page size, read once before the handler is installed.
static PAGE: AtomicUsize = AtomicUsize::new(0);

/// The `SIGBUS` action before ours, for a fault that is not in a mapping of ours.
static PREVIOUS: OnceLock<libc::sigaction> = OnceLock::new();

/// Bytes of a file, mapped read-only. Reading them is reading the file, as it is at that
/// moment: another process writing it changes them under a shared borrow, and a part the file
/// no longer has reads as zeros (the handler). Crate-private for that reason: its users only
/// hash and parse the bytes, then check the file unchanged ([`Mapping::shrank`], and
/// `StableFile`'s size and times), never act on bytes read twice.
pub struct Mapping {
    ptr: *const u8,
    len: usize,
    slot: usize,
}

// SAFETY: the mapping is read-only memory, valid until `drop`; any thread may read it.
unsafe impl Send for Mapping {}
// SAFETY: as above; `&Mapping` only reads.
unsafe impl Sync for Mapping {}

impl Mapping {
    /// Maps `len` bytes of `file` from `offset`, both multiples of the page size; `None` when
    /// it cannot be (`len` 0 or either not page-aligned, the handler could not be installed,
    /// every slot is taken, or `mmap` fails, e.g. on a directory): the caller reads the file
    /// instead. Reading past the file's end faults (see the module doc).
    pub fn new(file: &File, offset: u64, len: usize) -> Option<Mapping> {
        if len == 0 || !guard_installed() {
            return None;
        }
        let page = PAGE.load(Ordering::Relaxed);
        let offset = libc::off_t::try_from(offset).ok()?;
        if !len.is_multiple_of(page) || !(offset as u64).is_multiple_of(page as u64) {
            return None;
        }
        let slot = GUARDED.iter().position(|s| {
            s.used
                .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        })?;
        // SAFETY: a new read-only private mapping chosen by the kernel; no existing memory is
        // touched.
        let ptr = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                len,
                libc::PROT_READ,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                offset,
            )
        };
        let s = &GUARDED[slot];
        if ptr == libc::MAP_FAILED {
            s.used.store(false, Ordering::Release);
            return None;
        }
        s.faulted.store(false, Ordering::Relaxed);
        s.publish(ptr as usize, ptr as usize + len);
        Some(Mapping {
            ptr: ptr as *const u8,
            len,
            slot,
        })
    }

    /// The mapped bytes of `range` (within [`Mapping::len`]).
    pub fn bytes(&self, range: Range<usize>) -> &[u8] {
        assert!(
            range.start <= range.end && range.end <= self.len,
            "within the mapping"
        );
        // SAFETY: within the mapping, which lives as long as `self`; read-only. Pages the file
        // no longer has read as zeros (the handler), never as a fault.
        unsafe { std::slice::from_raw_parts(self.ptr.add(range.start), range.len()) }
    }

    /// Drops the pages of `range` (page-aligned) from the process's memory once read: they
    /// stay in the page cache, and reading them again reads the file again. Keeps the resident
    /// memory of a large window to the chunks in flight.
    pub fn release(&self, range: Range<usize>) {
        if range.start >= range.end || range.end > self.len {
            return;
        }
        // SAFETY: within the mapping; MADV_DONTNEED on a private read-only file mapping only
        // drops page-table entries (the next read maps the file's page again).
        unsafe {
            libc::madvise(
                self.ptr.add(range.start) as *mut libc::c_void,
                range.len(),
                libc::MADV_DONTNEED,
            );
        }
    }

    /// Whether a read found the file shorter than the mapping (the bytes read from there on
    /// were zeros, not the file's).
    pub fn shrank(&self) -> bool {
        GUARDED[self.slot].faulted.load(Ordering::Acquire)
    }
}

impl Drop for Mapping {
    fn drop(&mut self) {
        let s = &GUARDED[self.slot];
        s.publish(0, 0);
        // SAFETY: the mapping made in `new`, no longer lent (`bytes` borrows `self`).
        unsafe {
            libc::munmap(self.ptr as *mut libc::c_void, self.len);
        }
        s.used.store(false, Ordering::Release);
    }
}

/// Installs the `SIGBUS` handler once; whether it is installed.
fn guard_installed() -> bool {
    static INSTALLED: OnceLock<bool> = OnceLock::new();
    *INSTALLED.get_or_init(|| {
        // SAFETY: sysconf and sigaction with valid arguments; the handler only uses atomics,
        // mmap and sigaction.
        unsafe {
            let page = libc::sysconf(libc::_SC_PAGESIZE);
            if page <= 0 {
                return false;
            }
            PAGE.store(page as usize, Ordering::Relaxed);
            let mut old: libc::sigaction = std::mem::zeroed();
            if libc::sigaction(libc::SIGBUS, std::ptr::null(), &mut old) != 0 {
                return false;
            }
            let _ = PREVIOUS.set(old);
            let mut ours: libc::sigaction = std::mem::zeroed();
            ours.sa_sigaction = on_sigbus as *const () as usize;
            ours.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
            libc::sigemptyset(&mut ours.sa_mask);
            libc::sigaction(libc::SIGBUS, &ours, std::ptr::null_mut()) == 0
        }
    })
}

/// The `SIGBUS` handler: see the module doc.
extern "C" fn on_sigbus(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    // SAFETY: the kernel gives a valid siginfo to an SA_SIGINFO handler; errno is this
    // thread's.
    let (code, addr, errno) = unsafe {
        (
            (*info).si_code,
            (*info).si_addr() as usize,
            *libc::__errno_location(),
        )
    };
    // Only a fault of this thread's read has an address (`si_code` > 0); a SIGBUS sent by
    // kill or sigqueue carries a process id there, and goes to the previous handler.
    if code > 0 && replace_with_zeros(addr) {
        // SAFETY: as above; the interrupted code's errno is left as it was.
        unsafe { *libc::__errno_location() = errno };
        return;
    }
    previous(sig, info, context);
}

/// Maps zeros over the rest of the registered mapping that holds `addr`, and marks it;
/// whether it did.
fn replace_with_zeros(addr: usize) -> bool {
    // The registered mapping holding the address: live (a read of it is what faulted), so its
    // slot is not being changed and no other live mapping overlaps it.
    if let Some((s, end)) = GUARDED
        .iter()
        .find_map(|s| s.range().filter(|r| r.contains(&addr)).map(|r| (s, r.end)))
    {
        let page = PAGE.load(Ordering::Relaxed);
        let from = addr & !(page - 1);
        // SAFETY: replaces the rest of our own live mapping with zero-filled private memory.
        let zeros = unsafe {
            libc::mmap(
                from as *mut libc::c_void,
                end - from,
                libc::PROT_READ,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED,
                -1,
                0,
            )
        };
        if zeros != libc::MAP_FAILED {
            s.faulted.store(true, Ordering::Release);
            return true;
        }
    }
    false
}

/// Not ours (or no memory to replace it): what would have happened without us.
fn previous(sig: libc::c_int, info: *mut libc::siginfo_t, context: *mut libc::c_void) {
    match PREVIOUS.get() {
        Some(prev)
            if prev.sa_sigaction != libc::SIG_DFL
                && prev.sa_sigaction != libc::SIG_IGN
                && prev.sa_flags & libc::SA_SIGINFO != 0 =>
        {
            // SAFETY: the previous handler, installed with SA_SIGINFO, has this signature.
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                unsafe { std::mem::transmute(prev.sa_sigaction) };
            f(sig, info, context);
        }
        Some(prev) if prev.sa_sigaction != libc::SIG_DFL && prev.sa_sigaction != libc::SIG_IGN => {
            // SAFETY: the previous handler, installed without SA_SIGINFO, has this signature.
            let f: extern "C" fn(libc::c_int) = unsafe { std::mem::transmute(prev.sa_sigaction) };
            f(sig);
        }
        _ => {
            // The default action: restored, the faulting read runs again and ends the process.
            // SAFETY: a zeroed sigaction is SIG_DFL with an empty mask.
            unsafe {
                let mut default: libc::sigaction = std::mem::zeroed();
                default.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(libc::SIGBUS, &default, std::ptr::null_mut());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn page() -> usize {
        assert!(guard_installed());
        PAGE.load(Ordering::Relaxed)
    }

    fn file_of(len: usize) -> (tempfile::NamedTempFile, Vec<u8>) {
        let data: Vec<u8> = (0..len).map(|i| (i * 29 % 253) as u8 | 1).collect();
        let mut f = tempfile::NamedTempFile::new().unwrap();
        f.write_all(&data).unwrap();
        f.flush().unwrap();
        (f, data)
    }

    #[test]
    fn a_mapping_reads_the_files_bytes_from_its_offset() {
        let p = page();
        let (f, data) = file_of(8 * p + 100);
        let m = Mapping::new(f.as_file(), 0, 8 * p).expect("a regular file maps");
        assert!(m.bytes(0..8 * p) == &data[..8 * p]);
        let m = Mapping::new(f.as_file(), 3 * p as u64, 4 * p).unwrap();
        assert!(m.bytes(p..4 * p) == &data[4 * p..7 * p]);
        m.release(0..2 * p);
        // Released pages read the file again.
        assert!(m.bytes(0..4 * p) == &data[3 * p..7 * p]);
        assert!(!m.shrank());
    }

    /// Without the handler the read of the truncated pages kills the test process (`SIGBUS`).
    #[test]
    fn a_file_truncated_while_mapped_reads_as_zeros_and_is_reported_not_a_crash() {
        let p = page();
        let len = 16 * p;
        let (f, data) = file_of(len);
        let m = Mapping::new(f.as_file(), 0, len).unwrap();
        assert!(m.bytes(0..p) == &data[..p]);
        f.as_file().set_len((5 * p) as u64).unwrap();
        let got = m.bytes(0..len).to_vec();
        assert!(m.shrank(), "the fault is recorded");
        assert!(got[..5 * p] == data[..5 * p]);
        assert!(got[5 * p..].iter().all(|&b| b == 0));
        // Another mapping of the same file is not marked by the first one's fault.
        let other = Mapping::new(f.as_file(), 0, 4 * p).unwrap();
        assert!(other.bytes(0..4 * p) == &data[..4 * p]);
        assert!(!other.shrank());
    }

    #[test]
    fn what_cannot_be_mapped_is_read_instead() {
        let (f, _) = file_of(4096);
        assert!(Mapping::new(f.as_file(), 0, 0).is_none());
        assert!(Mapping::new(f.as_file(), 0, page() + 1).is_none());
        assert!(Mapping::new(f.as_file(), 1, page()).is_none());
        let dir = tempfile::tempdir().unwrap();
        assert!(Mapping::new(&File::open(dir.path()).unwrap(), 0, page()).is_none());
    }

    /// A handler reading a slot while its owner re-registers it sees one whole range or none,
    /// never the start of one and the end of another.
    #[test]
    fn a_slot_is_read_whole_or_not_at_all() {
        static SLOT: Slot = Slot::new();
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            s.spawn(|| {
                for i in 1..200_000usize {
                    // Ranges whose start and end are tied: end = start * 3.
                    SLOT.publish(i << 12, (i << 12) * 3);
                    SLOT.publish(0, 0);
                }
                stop.store(true, Ordering::Release);
            });
            let mut seen = 0u64;
            while !stop.load(Ordering::Acquire) {
                if let Some(r) = SLOT.range() {
                    assert_eq!(r.end, r.start * 3, "a torn read");
                    seen += 1;
                }
            }
            // (On one core the reader may see none: the assertion above is the test.)
            let _ = seen;
        });
    }

    #[test]
    fn slots_are_given_back() {
        let (f, _) = file_of(page());
        for _ in 0..3 * SLOTS {
            let m = Mapping::new(f.as_file(), 0, page()).expect("a free slot");
            assert_eq!(m.bytes(0..page()).len(), page());
        }
    }
}
