//! Formats and types, without I/O: canonical JSON, entries and their bodies, Merkle math,
//! signed notes and checkpoints, key encodings, timestamps.

pub mod body;
pub mod canonical;
pub mod chain;
pub(crate) mod codes;
pub mod cosign;
pub mod document;
pub mod encoding;
pub mod entry;
pub(crate) mod errors;
pub mod ewf;
pub mod gramsearch;
pub mod iocmatch;
pub mod iocvalue;
pub mod keys;
pub(crate) mod kinds;
pub mod lang;
pub mod manifest;
pub(crate) mod member;
pub mod members;
pub mod merkle;
pub mod note;
pub mod pades;
pub(crate) mod parts;
pub mod printable;
pub mod slottree;

pub(crate) mod state;
pub mod stix;
pub mod time;
pub mod timestamp;
pub mod timestamp_token;
pub mod validate;
pub mod witness;

pub use errors::{BodyError, CheckpointSignerError, CustodyError, ValueError};
