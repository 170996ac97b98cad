//! The typed results of the commands that have no result type of their own in their `ops`
//! module, and the text ([`std::fmt::Display`]) and JSON Lines
//! ([`super::message::Outcome`]) of every command's result, one file per group of commands.

pub mod bundle;
pub mod custody;
pub mod ioc;
pub mod keys;
pub mod ledger;
pub mod report;
pub mod seal;
pub mod verify;
