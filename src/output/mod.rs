//! How a command's result prints: text through [`std::fmt::Display`], JSON Lines through one
//! message enum ([`message::Message`]), one file per group of commands. This layer sits above
//! the commands ([`crate::ops`]) and the case services ([`crate::case`]) whose results it
//! renders, and below the binary, which only chooses text or JSON and writes it.

pub mod message;

pub mod bundle;
pub mod custody;
pub mod ioc;
pub mod keys;
pub mod ledger;
pub mod report;
pub mod seal;
pub mod timestamp;
pub mod verify;
