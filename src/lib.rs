//! scelle: chain of custody for digital evidence.
//!
//! Layers, lowest first; a module uses only its own layer and the layers below it, never a
//! layer above, and no two modules use each other (`tests/layers.rs` fails otherwise):
//! 0. [`error`]: the error type (and, at the crate root, [`VERSION`]).
//! 1. [`format`](mod@format): formats and types without I/O (entries, canonical JSON, Merkle
//!    math, checkpoints, keys, entry bodies and the chain's rules, STIX and IOC matching).
//! 2. [`store`]: storage and streaming (case directory, ledger file, hashing, tar, key files,
//!    safe extraction); beside it, of the same rank, [`render`]: the PDF layout engine, with no
//!    knowledge of cases (store and render do not use each other).
//! 3. [`case`]: case services, the operations several commands share (measuring an artifact,
//!    verification and comparing a re-hash, proofs, opening a case's appender, an exhibit's
//!    seal, recorded IOC scans, evidence bundles, correlation).
//! 4. [`report`]: documents from a case (data gathered through [`case`], templates, PDF
//!    through [`render`]).
//! 5. [`ops`]: one module per command (init, seal, custody, ioc, report, cosign, keys, log,
//!    CASE/UCO export); a command module never uses another: what commands share is in
//!    [`case`].
//! 6. [`output`]: how each result prints, as text ([`std::fmt::Display`]) or as JSON Lines
//!    through one message enum ([`output::message::Message`]).
//!
//! The binary (`src/main.rs`, with `cli`, `term` and `demo`) parses arguments, calls [`ops`]
//! (or a [`case`] service that is a whole command, e.g. `verify`), prints through [`output`]. The demo is part of
//! the binary, not of the library.
//!
//! The normative description of every byte scelle writes is `docs/FORMAT.md`.
#![warn(missing_docs)]
// The one exception is `store::mapped` (memory-mapped reads), which says why.
#![deny(unsafe_code)]

pub mod case;
pub mod error;
pub mod format;
pub mod ops;
pub mod output;
pub mod render;
pub mod report;
pub mod store;

pub use error::{Error, ErrorClass, Result};

// The curated API: what a program embedding scelle needs first, at the crate root. Everything
// else is reached through its layer's module; modules nothing outside the crate needs are
// private to it.
pub use case::verify::{verify, verify_with, Report as VerifyReport, VerifyOptions};
pub use format::body::Body;
pub use format::chain::{ChainState, Finding, Severity};
pub use format::document::DocumentKind;
pub use format::entry::Entry;
pub use format::lang::{Jurisdiction, Lang};
pub use store::case::CaseDir;
pub use store::keyfile::{load_signing_key, LoadedKey};
pub use store::ledger::Appender;

/// This software's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
