//! Storage and streaming: the case directory, the ledger file and its index, checkpoints,
//! key files, durable writes, and streaming hashing of files, directories, tars and zips.

pub(crate) mod beside;
pub mod case;
pub(crate) mod checkpoints;
pub(crate) mod chunks;
pub(crate) mod dirhash;
pub mod ewf;
pub(crate) mod extsort;
pub mod flatjson;
pub mod fsutil;
pub mod hashing;
pub mod index;
pub mod interrupt;
pub(crate) mod iocscan;
pub mod keyfile;
pub mod ledger;
pub(crate) mod mapped;
pub mod member_file;
pub(crate) mod nofollow;
pub mod safeextract;
pub(crate) mod structured;
pub mod tarcrate;
pub mod tarhash;
pub(crate) mod tarmember;
pub mod tarstream;
pub mod timestamps;
pub mod witness;
pub mod ziphash;
pub mod zipstream;
