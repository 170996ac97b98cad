//! Case services: the operations several commands share, on a case directory. Measuring an
//! artifact ([`measure`]), comparing a re-hash and verifying a case ([`verify`]), proofs
//! ([`proof`]), the chain state of a case and opening an appender (`appender`), reading an
//! exhibit's seal (`exhibit`), the IOC scans a case records ([`scans`]), evidence bundles
//! ([`bundle`]) and cross-case correlation ([`correlate`]).
//!
//! Case services use [`format`](mod@crate::format) and [`store`](crate::store) only; reports
//! and commands ([`ops`](crate::ops)) use them.

pub(crate) mod appender;
pub mod bundle;
pub mod correlate;
pub(crate) mod exhibit;
pub mod keptseal;
pub mod measure;
pub mod presign;
pub mod proof;
pub mod scans;
pub mod timestamp;
pub mod verify;
