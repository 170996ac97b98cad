//! The machine's own limit for `verify`: how many Ed25519 signatures per second
//! `verify_strict` (the check FORMAT.md section 5 requires, and `verify` applies to every entry)
//! checks on this machine with every core busy, over messages of the size of an entry line.
//! `benches/compare.sh` (section 6) divides `verify`'s entries per second by this.
//!
//! Usage: `cargo run --release --example ed25519_speed [-- SECONDS [MESSAGE_BYTES]]`; prints one
//! line: `ed25519_verify_strict_per_second THREADS N`.

use ed25519_dalek::{Signer, SigningKey};
use std::time::{Duration, Instant};

fn main() {
    let mut args = std::env::args().skip(1);
    let secs: f64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(3.0);
    let len: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(600);
    let key = SigningKey::from_bytes(&[42; 32]);
    let public = key.verifying_key();
    let messages: Vec<(Vec<u8>, ed25519_dalek::Signature)> = (0..256u32)
        .map(|i| {
            let m: Vec<u8> = (0..len).map(|j| (j as u32 ^ i) as u8).collect();
            let s = key.sign(&m);
            (m, s)
        })
        .collect();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let until = Instant::now() + Duration::from_secs_f64(secs);
    let start = Instant::now();
    let counts: Vec<u64> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut n = 0u64;
                    while Instant::now() < until {
                        for (m, sig) in &messages {
                            assert!(public.verify_strict(m, sig).is_ok());
                        }
                        n += messages.len() as u64;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let total: u64 = counts.iter().sum();
    let rate = total as f64 / start.elapsed().as_secs_f64();
    println!("ed25519_verify_strict_per_second {threads} {rate:.0}");
}
