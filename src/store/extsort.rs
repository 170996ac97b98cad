//! Sorting more byte strings than memory should hold: records are gathered in runs of about
//! [`RUN_BYTES`], each run sorted and written to an anonymous temporary file, then the runs are
//! merged (at most [`FAN_IN`] at a time, in several rounds if there are more). Records come
//! back in byte order, duplicates kept. Memory: one run, plus a read buffer per merged run.
//!
//! Used where a reader must compare every member with every other (a zip's paths) without
//! holding them all (FORMAT.md 6.2, "Zip members").

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, Write};

/// Bytes of records gathered before a run is sorted and written out.
pub const RUN_BYTES: usize = 8 << 20;

/// Runs merged at once, at most.
pub const FAN_IN: usize = 64;

/// Read buffer of each run while merging.
const READ_BUFFER: usize = 64 * 1024;

/// Gathers records, then gives them back sorted ([`Sorter::finish`]).
pub struct Sorter {
    run_bytes: usize,
    data: Vec<u8>,
    /// (start, end) of each record of the current run in `data`.
    spans: Vec<(usize, usize)>,
    runs: Vec<File>,
}

impl Default for Sorter {
    fn default() -> Self {
        Self::with_run_bytes(RUN_BYTES)
    }
}

impl Sorter {
    /// A sorter writing a run every `run_bytes` bytes of records (tests use small runs).
    pub fn with_run_bytes(run_bytes: usize) -> Self {
        Sorter {
            run_bytes: run_bytes.max(1),
            data: Vec::new(),
            spans: Vec::new(),
            runs: Vec::new(),
        }
    }

    /// Adds one record (at most 4 GiB).
    pub fn push(&mut self, record: &[u8]) -> io::Result<()> {
        let start = self.data.len();
        self.data.extend_from_slice(record);
        self.end_record(start)
    }

    /// Adds a record that sorts by the number `n`: `n` big-endian (so that byte order is
    /// numeric order), then `value` as JSON. [`numbered`] reads it back.
    pub fn push_numbered<T: serde::Serialize>(&mut self, n: u64, value: &T) -> io::Result<()> {
        let start = self.data.len();
        self.data.extend_from_slice(&n.to_be_bytes());
        serde_json::to_writer(&mut self.data, value)?;
        self.end_record(start)
    }

    /// The record started at `start` of the run ends here.
    fn end_record(&mut self, start: usize) -> io::Result<()> {
        self.spans.push((start, self.data.len()));
        if self.data.len() >= self.run_bytes {
            self.spill()?;
        }
        Ok(())
    }

    fn sorted_spans(&mut self) {
        let data = &self.data;
        self.spans
            .sort_unstable_by(|a, b| data[a.0..a.1].cmp(&data[b.0..b.1]));
    }

    /// Sorts the current run and writes it to a temporary file.
    fn spill(&mut self) -> io::Result<()> {
        if self.spans.is_empty() {
            return Ok(());
        }
        self.sorted_spans();
        let mut w = BufWriter::new(tempfile::tempfile()?);
        for &(a, b) in &self.spans {
            write_record(&mut w, &self.data[a..b])?;
        }
        let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
        file.rewind()?;
        self.runs.push(file);
        self.data.clear();
        self.spans.clear();
        Ok(())
    }

    /// Every record pushed, in byte order.
    pub fn finish(mut self) -> io::Result<Sorted> {
        if self.runs.is_empty() {
            self.sorted_spans();
            return Ok(Sorted::Memory {
                data: self.data,
                spans: self.spans.into_iter(),
            });
        }
        self.spill()?;
        let mut runs = self.runs;
        while runs.len() > FAN_IN {
            let mut next = Vec::new();
            let mut group = Vec::new();
            for run in runs {
                group.push(run);
                if group.len() == FAN_IN {
                    next.push(merge_to_file(std::mem::take(&mut group))?);
                }
            }
            if !group.is_empty() {
                next.push(merge_to_file(group)?);
            }
            runs = next;
        }
        Ok(Sorted::Runs(Merge::new(runs)?))
    }
}

fn write_record(w: &mut impl Write, record: &[u8]) -> io::Result<()> {
    let len = u32::try_from(record.len())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "record over 4 GiB"))?;
    w.write_all(&len.to_le_bytes())?;
    w.write_all(record)
}

/// The next record of a run, into `buf`: false at its end.
fn read_record(r: &mut impl Read, buf: &mut Vec<u8>) -> io::Result<bool> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(false),
        Err(e) => return Err(e),
    }
    buf.clear();
    buf.resize(u32::from_le_bytes(len) as usize, 0);
    r.read_exact(buf)?;
    Ok(true)
}

fn merge_to_file(runs: Vec<File>) -> io::Result<File> {
    let mut merge = Merge::new(runs)?;
    let mut w = BufWriter::new(tempfile::tempfile()?);
    while let Some(record) = merge.next_record()? {
        write_record(&mut w, record)?;
    }
    let mut file = w.into_inner().map_err(io::IntoInnerError::into_error)?;
    file.rewind()?;
    Ok(file)
}

/// One run's head record in the merge heap (smallest first; ties by run, so the merge is
/// deterministic).
struct Head {
    record: Vec<u8>,
    run: usize,
}

impl PartialEq for Head {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == std::cmp::Ordering::Equal
    }
}
impl Eq for Head {}
impl PartialOrd for Head {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Head {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (&other.record, other.run).cmp(&(&self.record, self.run))
    }
}

/// A k-way merge of sorted runs.
pub struct Merge {
    readers: Vec<BufReader<File>>,
    heap: BinaryHeap<Head>,
    /// The record last returned (its buffer is reused).
    current: Vec<u8>,
}

impl Merge {
    fn new(runs: Vec<File>) -> io::Result<Self> {
        let mut readers: Vec<BufReader<File>> = runs
            .into_iter()
            .map(|f| BufReader::with_capacity(READ_BUFFER, f))
            .collect();
        let mut heap = BinaryHeap::with_capacity(readers.len());
        for (run, r) in readers.iter_mut().enumerate() {
            let mut record = Vec::new();
            if read_record(r, &mut record)? {
                heap.push(Head { record, run });
            }
        }
        Ok(Merge {
            readers,
            heap,
            current: Vec::new(),
        })
    }

    fn next_record(&mut self) -> io::Result<Option<&[u8]>> {
        let Some(mut head) = self.heap.pop() else {
            return Ok(None);
        };
        std::mem::swap(&mut self.current, &mut head.record);
        if read_record(&mut self.readers[head.run], &mut head.record)? {
            self.heap.push(head);
        }
        Ok(Some(&self.current))
    }
}

/// The records of a [`Sorter`], in byte order.
pub enum Sorted {
    /// Fewer than one run: sorted in memory.
    Memory {
        /// The records' bytes.
        data: Vec<u8>,
        /// Each record's span, in order.
        spans: std::vec::IntoIter<(usize, usize)>,
    },
    /// Merged from runs on disk.
    Runs(Merge),
}

impl Sorted {
    /// The next record, or `None` after the last.
    pub fn next_record(&mut self) -> io::Result<Option<&[u8]>> {
        match self {
            Sorted::Memory { data, spans } => Ok(spans.next().map(|(a, b)| &data[a..b])),
            Sorted::Runs(m) => m.next_record(),
        }
    }
}

/// The number and the value of a record added by [`Sorter::push_numbered`].
pub fn numbered<T: serde::de::DeserializeOwned>(record: &[u8]) -> io::Result<(u64, T)> {
    let Some((n, json)) = record.split_first_chunk::<8>() else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "a numbered record shorter than its number",
        ));
    };
    Ok((u64::from_be_bytes(*n), serde_json::from_slice(json)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_records_come_back_in_numeric_order_with_their_values() {
        let mut s = Sorter::with_run_bytes(64);
        for n in [256u64, 1, u64::MAX, 0, 65_536, 2] {
            s.push_numbered(n, &format!("value {n}")).unwrap();
        }
        let mut sorted = s.finish().unwrap();
        let mut got = Vec::new();
        while let Some(r) = sorted.next_record().unwrap() {
            got.push(numbered::<String>(r).unwrap());
        }
        let want: Vec<(u64, String)> = [0u64, 1, 2, 256, 65_536, u64::MAX]
            .into_iter()
            .map(|n| (n, format!("value {n}")))
            .collect();
        assert_eq!(got, want);
        assert!(numbered::<String>(b"1234567").is_err());
    }

    fn sorted_with(run_bytes: usize, records: &[Vec<u8>]) -> Vec<Vec<u8>> {
        let mut s = Sorter::with_run_bytes(run_bytes);
        for r in records {
            s.push(r).unwrap();
        }
        let mut out = Vec::new();
        let mut sorted = s.finish().unwrap();
        while let Some(r) = sorted.next_record().unwrap() {
            out.push(r.to_vec());
        }
        out
    }

    #[test]
    fn records_come_back_in_byte_order_in_memory_and_through_runs_and_merge_rounds() {
        // A small pseudo-random mix with duplicates, prefixes and empty records.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut records = Vec::new();
        for i in 0..5000u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let len = (x % 7) as usize;
            let mut r: Vec<u8> = (0..len)
                .map(|k| b"ab/\0z"[((x >> (k * 3)) % 5) as usize])
                .collect();
            if i % 11 == 0 {
                r = b"dup".to_vec();
            }
            records.push(r);
        }
        let mut expected = records.clone();
        expected.sort();
        // All in memory; a few runs; more runs than FAN_IN (two merge rounds).
        for run_bytes in [usize::MAX, 4096, 40] {
            assert_eq!(
                sorted_with(run_bytes, &records),
                expected,
                "run {run_bytes}"
            );
        }
        assert!(sorted_with(40, &[]).is_empty());
    }
}
