//! Storage and streaming: the case directory, the ledger file and its index, checkpoints,
//! key files, durable writes, and streaming hashing of files, directories and tars.

pub mod case;
pub mod checkpoints;
pub mod dirhash;
pub mod fsutil;
pub mod hashing;
pub mod iocscan;
pub mod keyfile;
pub mod ledger;
pub mod nofollow;
pub mod safeextract;
pub mod tarcrate;
pub mod tarhash;
pub mod tarmember;
pub mod tarstream;
