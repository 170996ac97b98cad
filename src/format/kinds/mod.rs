//! The entry kinds, one module each, and the one registry that lists them.
//!
//! A kind's module holds its body type, its kind name, the exhibits it acts on, its value rules
//! (FORMAT.md §6), its chain rule (checked against the chain state, FORMAT.md §7) and its
//! effect on that state, and its one-line summary (`scelle log`): the [`Kind`] trait. The
//! `kinds!` table below generates the [`Body`] enum and every dispatch over it (parsing by
//! kind name, kind names, serialisation, checks, effects, summaries); every other `match` over
//! [`Body`] is exhaustive, so the compiler names each place that must decide what a new kind
//! means there.
//!
//! Adding a kind: a module `NAME.rs` here (its body struct and `impl Kind`), its `pub mod`
//! line and its registry line below, then what the compiler asks for (the CASE/UCO export in
//! `ops/caseuco.rs`, the timeline sentence in `report/directives.rs`), and a body of it in
//! `tests.rs`'s registry test.

use super::errors::{BodyError, CustodyError, ValueError};
use super::parts::{KeyRecord, Recheck};
use super::state::ChainState;
use serde::de::DeserializeOwned;
use serde::Serialize;

/// Where an entry stands when its rule is checked or its effect applied.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    /// Its sequence number (the number of entries before it).
    pub seq: u64,
    /// The signer's key id.
    pub signer: &'a str,
}

/// The part of the per-exhibit state an entry's rule reads and its effect changes, beyond the
/// case-wide state (keys, counters, the frontier): a writer that keeps that state in its index
/// loads only this part before checking the entry (docs/FORMAT.md section 10).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reads<'a> {
    /// The custody of these exhibits, and the findings of this scan (by its entry's `seq`).
    Some {
        /// The exhibits whose custody the rule reads or the effect changes.
        exhibits: Vec<&'a str>,
        /// The scan whose findings the rule reads.
        scan: Option<u64>,
    },
    /// Every exhibit's custody (an effect over all of them).
    Everything,
}

impl<'a> Reads<'a> {
    /// Nothing beyond the case-wide state.
    pub fn nothing() -> Self {
        Reads::Some {
            exhibits: Vec::new(),
            scan: None,
        }
    }
    /// The custody of `exhibits`.
    pub fn exhibits(exhibits: Vec<&'a str>) -> Self {
        Reads::Some {
            exhibits,
            scan: None,
        }
    }
}

/// An entry kind: its body type and everything the ledger knows about it.
pub trait Kind: Serialize + DeserializeOwned {
    /// The kind name, as in the entry's `kind` member.
    const NAME: &'static str;

    /// The exhibits this entry acts on (their timelines list it).
    fn exhibits(&self) -> Vec<&str>;

    /// The value rules of the body, beyond its JSON shape (FORMAT.md §6).
    fn validate(&self) -> Result<(), ValueError>;

    /// The per-exhibit state [`Kind::check`] and [`Kind::apply`] read or change. A rule that
    /// looks up an exhibit not named here finds none and refuses the entry, so naming too
    /// little is never a false acceptance; an effect over every exhibit must say
    /// [`Reads::Everything`].
    fn reads(&self) -> Reads<'_>;

    /// The chain rule: whether this entry, signed by `at.signer` as entry `at.seq`, may follow
    /// the entries `state` reflects.
    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError>;

    /// The effect of a valid entry on the chain state.
    fn apply(&self, state: &mut ChainState, at: At<'_>);

    /// The effect of an entry that breaks a rule: nothing, except where FORMAT.md §7 says a
    /// bad entry still counts.
    fn apply_refused(&self, _state: &mut ChainState, _at: At<'_>) {}

    /// One line about the entry, `state` being the state after it (`scelle log`).
    fn summary(&self, state: &ChainState) -> String;

    /// The re-hashes the entry records (their discrepancies are always reported).
    fn rechecks(&self) -> Vec<&Recheck> {
        Vec::new()
    }

    /// The key the entry enrols, if any (stored under `keys/` when appended).
    fn enrols(&self) -> Option<&KeyRecord> {
        None
    }
}

impl<K: Kind> Kind for Box<K> {
    const NAME: &'static str = K::NAME;
    fn exhibits(&self) -> Vec<&str> {
        (**self).exhibits()
    }
    fn validate(&self) -> Result<(), ValueError> {
        (**self).validate()
    }
    fn reads(&self) -> Reads<'_> {
        (**self).reads()
    }
    fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
        (**self).check(state, at)
    }
    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        (**self).apply(state, at)
    }
    fn apply_refused(&self, state: &mut ChainState, at: At<'_>) {
        (**self).apply_refused(state, at)
    }
    fn summary(&self, state: &ChainState) -> String {
        (**self).summary(state)
    }
    fn rechecks(&self) -> Vec<&Recheck> {
        (**self).rechecks()
    }
    fn enrols(&self) -> Option<&KeyRecord> {
        (**self).enrols()
    }
}

/// The registry: one line per kind, `module: Variant(body type)`. Re-exports each module's
/// items and generates the [`Body`] enum and its dispatch. (The modules are declared below, out
/// of the macro, so that rustfmt formats them.)
macro_rules! kinds {
    ($($(#[$doc:meta])* $module:ident: $variant:ident($ty:ty),)*) => {
        $(pub use $module::*;)*

        /// A typed body, one variant per entry kind.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Body {
            $($(#[$doc])* $variant($ty),)*
        }

        impl Body {
            /// Every kind name, in registry order.
            pub const NAMES: &'static [&'static str] = &[$(<$ty as Kind>::NAME,)*];

            /// Parses `body` according to `kind`; unknown kinds are an error.
            pub fn parse(kind: &str, body: &serde_json::Value) -> Result<Body, BodyError> {
                $(if kind == <$ty as Kind>::NAME {
                    // From the borrowed value: a body of a large seal is not copied first.
                    return <$ty as serde::Deserialize>::deserialize(body)
                        .map(Body::$variant)
                        .map_err(|source| BodyError::Shape { kind: kind.to_string(), source });
                })*
                Err(BodyError::UnknownKind(kind.to_string()))
            }

            /// Parses `json`, the text of an entry's body member, according to `kind`:
            /// straight into the typed body, without a `serde_json::Value` of it.
            pub fn parse_json(kind: &str, json: &str) -> Result<Body, BodyError> {
                $(if kind == <$ty as Kind>::NAME {
                    return serde_json::from_str::<$ty>(json)
                        .map(Body::$variant)
                        .map_err(|source| BodyError::Shape { kind: kind.to_string(), source });
                })*
                Err(BodyError::UnknownKind(kind.to_string()))
            }

            /// The entry kind name of this body.
            pub fn kind(&self) -> &'static str {
                match self {
                    $(Body::$variant(_) => <$ty as Kind>::NAME,)*
                }
            }

            /// The exhibits this entry acts on.
            pub fn exhibits(&self) -> Vec<&str> {
                match self {
                    $(Body::$variant(b) => b.exhibits(),)*
                }
            }

            /// The per-exhibit state the body's rule and effect read ([`Kind::reads`]).
            pub fn reads(&self) -> Reads<'_> {
                match self {
                    $(Body::$variant(b) => b.reads(),)*
                }
            }

            /// The value rules of the body ([`Kind::validate`]).
            pub fn validate(&self) -> Result<(), ValueError> {
                match self {
                    $(Body::$variant(b) => b.validate(),)*
                }
            }

            /// The chain rule of the body ([`Kind::check`]).
            pub fn check(&self, state: &ChainState, at: At<'_>) -> Result<(), CustodyError> {
                match self {
                    $(Body::$variant(b) => b.check(state, at),)*
                }
            }

            /// The effect of the valid entry ([`Kind::apply`]).
            pub fn apply(&self, state: &mut ChainState, at: At<'_>) {
                match self {
                    $(Body::$variant(b) => b.apply(state, at),)*
                }
            }

            /// The effect of the entry that breaks a rule ([`Kind::apply_refused`]).
            pub fn apply_refused(&self, state: &mut ChainState, at: At<'_>) {
                match self {
                    $(Body::$variant(b) => b.apply_refused(state, at),)*
                }
            }

            /// One line about the entry ([`Kind::summary`]).
            pub fn summary(&self, state: &ChainState) -> String {
                match self {
                    $(Body::$variant(b) => b.summary(state),)*
                }
            }

            /// The re-hashes the entry records ([`Kind::rechecks`]).
            pub fn rechecks(&self) -> Vec<&Recheck> {
                match self {
                    $(Body::$variant(b) => b.rechecks(),)*
                }
            }

            /// The key the entry enrols ([`Kind::enrols`]).
            pub fn enrols(&self) -> Option<&KeyRecord> {
                match self {
                    $(Body::$variant(b) => b.enrols(),)*
                }
            }
        }

        /// A body serialises as its body struct (the entry's `body` member).
        impl Serialize for Body {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                match self {
                    $(Body::$variant(b) => b.serialize(s),)*
                }
            }
        }

        $(impl From<$ty> for Body {
            fn from(b: $ty) -> Body {
                Body::$variant(b)
            }
        })*
    };
}

pub mod accept;
pub mod case_open;
pub mod dispose;
pub mod export;
pub mod ioc_review;
pub mod ioc_scan;
pub mod key_enrol;
pub mod key_revoke;
pub mod key_rotate;
pub mod note;
pub mod open;
pub mod release;
pub mod report;
pub mod reseal;
pub mod seal;
pub mod tsa_add;

kinds! {
    /// `case.open`.
    case_open: CaseOpen(Box<CaseOpen>),
    /// `seal`.
    seal: Seal(Box<Seal>),
    /// `key.enrol`.
    key_enrol: KeyEnrol(KeyEnrol),
    /// `key.revoke`.
    key_revoke: KeyRevoke(KeyRevoke),
    /// `key.rotate`.
    key_rotate: KeyRotate(KeyRotate),
    /// `release`.
    release: Release(Release),
    /// `accept`.
    accept: Accept(Accept),
    /// `open`.
    open: Open(Open),
    /// `reseal`.
    reseal: Reseal(Reseal),
    /// `note`.
    note: Note(NoteBody),
    /// `dispose`.
    dispose: Dispose(Dispose),
    /// `report`.
    report: Report(ReportBody),
    /// `ioc.scan`.
    ioc_scan: IocScan(Box<IocScan>),
    /// `export`.
    export: Export(ExportBody),
    /// `tsa.add`.
    tsa_add: TsaAdd(TsaAdd),
    /// `ioc.review`.
    ioc_review: IocReview(IocReview),
}

#[cfg(test)]
mod tests;

/// How a summary names a re-hash.
fn check_word(ok: bool) -> &'static str {
    if ok {
        "hash verified"
    } else {
        "DISCREPANCY"
    }
}
