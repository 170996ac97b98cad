//! Case services: the operations several commands share, on a case directory. Measuring an
//! artifact ([`measure`]), comparing a re-hash and verifying a case ([`verify`]), proofs
//! ([`proof`]), the chain state of a case and opening an appender ([`appender`]), reading an
//! exhibit's seal ([`exhibit`]), evidence bundles ([`bundle`]) and cross-case correlation
//! ([`correlate`]).
//!
//! Case services use [`format`](mod@crate::format) and [`store`](crate::store) only; reports
//! and commands ([`ops`](crate::ops)) use them.

pub mod appender;
pub mod bundle;
pub mod exhibit;
pub mod measure;
pub mod proof;
pub mod verify;
