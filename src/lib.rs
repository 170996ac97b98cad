//! scelle: chain of custody for digital evidence.
//!
//! Layers, each using only those before it:
//! 1. [`format`](mod@format): formats and types without I/O (entries, canonical JSON, Merkle math,
//!    checkpoints, keys).
//! 2. [`store`]: storage and streaming (case directory, ledger file, hashing, tar, key files).
//! 3. [`ops`]: operations (init, key generation, seal, verify, proofs, repair, demo).
//!
//! The binary (`src/main.rs`) parses arguments, calls [`ops`], prints.
//!
//! The normative description of every byte scelle writes is `docs/FORMAT.md`.
#![warn(missing_docs)]

pub mod case;
pub mod error;
pub mod format;
pub mod ops;
pub mod render;
pub mod report;
pub mod store;

pub use error::{Error, ErrorClass, Result};

/// This software's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
