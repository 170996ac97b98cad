//! Timestamping a case's latest checkpoint by its TSAs (FORMAT.md 8.6): for each `tsa.add`
//! of the ledger, a `TimeStampReq` of SHA-256 of the checkpoint's text, sent to the TSA, its
//! answer checked before it is kept, then the `.tsq` and `.tsr` written beside the checkpoint.
//!
//! The TSAs, their URLs and their anchors come from the ledger itself (every chain rule
//! checked, never from `ledger.index` alone, which anyone can write): a forged index cannot
//! send our requests elsewhere nor make us keep another party's token. A TSA that fails is a
//! result, not an error: the caller warns, and the checkpoint stays untimestamped.

use crate::error::{Error, Result};
use crate::format::chain::{CaseTsa, ChainState};
use crate::format::timestamp::{self as ts, TokenFacts};
use crate::store::case::CaseDir;
use crate::store::checkpoints;
use crate::store::ledger;
use crate::store::timestamps::{self, Part};
use rand_core::RngCore;
use serde::Serialize;
use std::path::PathBuf;

/// What happened with one TSA.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "result", rename_all = "kebab-case")]
pub enum TsaOutcome {
    /// A token was received, checked and stored.
    Timestamped {
        /// The `.tsr` written.
        file: PathBuf,
        /// What the token says.
        #[serde(flatten)]
        facts: Facts,
    },
    /// A token of this checkpoint by this TSA was already stored and passes the checks: the
    /// TSA was not asked again (an earlier time proves more).
    Already {
        /// The `.tsr` kept.
        file: PathBuf,
        /// What the token says.
        #[serde(flatten)]
        facts: Facts,
    },
    /// The TSA did not answer, answered badly, or the answer could not be stored: nothing
    /// was kept.
    Failed {
        /// Why.
        reason: String,
    },
}

/// The facts of a token, for output.
#[derive(Debug, Clone, Serialize)]
pub struct Facts {
    /// genTime, RFC 3339 UTC.
    pub gen_time: String,
    /// The serial number, hex.
    pub serial: String,
    /// The policy OID.
    pub policy: String,
}

impl From<TokenFacts> for Facts {
    fn from(f: TokenFacts) -> Facts {
        Facts {
            gen_time: f.gen_time,
            serial: f.serial,
            policy: f.policy,
        }
    }
}

/// One TSA's result for one checkpoint.
#[derive(Debug, Clone, Serialize)]
pub struct TsaResult {
    /// The TSA's name in the case.
    pub tsa: String,
    /// Its URL.
    pub url: String,
    /// The size of the checkpoint timestamped.
    pub size: u64,
    /// What happened.
    #[serde(flatten)]
    pub outcome: TsaOutcome,
}

impl TsaResult {
    /// Whether it failed.
    pub fn failed(&self) -> bool {
        matches!(self.outcome, TsaOutcome::Failed { .. })
    }
}

/// The TSAs of the case as the ledger records them, if it has any; the ledger is read in full
/// (every chain rule checked) only when the index says there are TSAs, so that a case without
/// one pays nothing after each append. (A forged index can at most hide TSAs: nothing is then
/// sent or kept, and `verify` shows the checkpoint untimestamped.)
pub fn case_tsas(case: &CaseDir) -> Result<Option<ChainState>> {
    let quick = ledger::current_head(case)?;
    if quick.tsas.is_empty() {
        return Ok(None);
    }
    Ok(Some(ledger::rebuild_state(case)?))
}

/// Timestamps the latest checkpoint of the case (FORMAT.md 8.2) by every TSA of the case, or
/// by those named in `only` (each must be a TSA of the case: otherwise an input error, and
/// nothing is asked). A case without TSA gives no result. Errors are for the case itself (no
/// checkpoint, a ledger that does not verify); each TSA's failure is its [`TsaOutcome`].
pub fn timestamp_latest(case: &CaseDir, only: &[String]) -> Result<Vec<TsaResult>> {
    let state = match case_tsas(case)? {
        Some(s) => s,
        None if only.is_empty() => return Ok(Vec::new()),
        None => ledger::rebuild_state(case)?,
    };
    for name in only {
        if state.tsa(name).is_none() {
            return Err(Error::input(format!(
                "{}: no TSA named {:?} in this case (`scelle tsa list` shows them; `scelle tsa add URL --name NAME --ca-file CA.pem` adds one)",
                case.root().display(),
                crate::format::printable::field(name)
            )));
        }
    }
    if state.tsas.is_empty() {
        return Ok(Vec::new());
    }
    let cp = checkpoints::latest(case, &state)?;
    let size = cp.checkpoint.size;
    if size > state.size {
        return Err(Error::input(format!(
            "{}: records {size} entries, but the ledger has only {}: entries were removed; not timestamped (run `scelle verify`)",
            cp.path.display(),
            state.size
        )));
    }
    let digest = ts::checkpoint_imprint(&cp.note.text);
    Ok(state
        .tsas
        .iter()
        .filter(|t| only.is_empty() || only.contains(&t.name))
        .map(|t| TsaResult {
            tsa: t.name.clone(),
            url: t.url.clone(),
            size,
            outcome: one(case, t, size, &cp.note.text, &digest),
        })
        .collect())
}

/// Timestamps checkpoint `size` (note text `text`, of SHA-256 `digest`) by `tsa`.
fn one(case: &CaseDir, tsa: &CaseTsa, size: u64, text: &str, digest: &[u8; 32]) -> TsaOutcome {
    if let Some((file, facts)) = stored(case, tsa, size, text, digest) {
        return TsaOutcome::Already {
            file,
            facts: facts.into(),
        };
    }
    let nonce = ts::nonce_from(rand_core::OsRng.next_u64());
    let query = ts::request(digest, nonce);
    let sent_nonce = ts::parse_request(&query)
        .ok()
        .and_then(|p| p.nonce)
        .expect("our own request parses");
    let reply = match timestamps::ask(&tsa.url, &query) {
        Ok(r) => r,
        Err(e) => return failed(e),
    };
    let facts = match check_before_keeping(tsa, &reply, text, digest, Some(&sent_nonce)) {
        Ok(f) => f,
        Err(e) => return failed(e),
    };
    match timestamps::write(case, size, &tsa.name, &query, &reply) {
        Ok(file) => TsaOutcome::Timestamped {
            file,
            facts: facts.into(),
        },
        Err(e) => failed(format!("the token could not be stored: {e}")),
    }
}

fn failed(e: impl std::fmt::Display) -> TsaOutcome {
    TsaOutcome::Failed {
        reason: e.to_string(),
    }
}

/// The checks an answer must pass before it is kept (FORMAT.md 8.6, "When"): the response's
/// status, token, imprint and nonce ([`ts::check_response`]), then the whole token
/// verification `verify` makes ([`crate::format::timestamp_token::verify_token`]: the
/// signer certificate, its chain to `tsa.ca` valid at genTime with the critical
/// timeStamping usage, the signature), so that a token `verify` would refuse is never kept.
fn check_before_keeping(
    tsa: &CaseTsa,
    reply: &[u8],
    text: &str,
    digest: &[u8; 32],
    nonce: Option<&[u8]>,
) -> std::result::Result<TokenFacts, String> {
    let facts = ts::check_response(reply, digest, nonce).map_err(|e| e.to_string())?;
    let anchors: Vec<Vec<u8>> = tsa
        .ca
        .iter()
        .filter_map(|c| crate::format::encoding::unb64(c))
        .collect();
    crate::format::timestamp_token::verify_token(reply, text.as_bytes(), &anchors, nonce)
        .map_err(|e| format!("{e} ({})", e.code()))?;
    Ok(facts)
}

/// The stored timestamp of checkpoint `size` by `tsa`, if its `.tsq` asks for `digest` and
/// its `.tsr` passes [`check_before_keeping`] with that request's nonce.
fn stored(
    case: &CaseDir,
    tsa: &CaseTsa,
    size: u64,
    text: &str,
    digest: &[u8; 32],
) -> Option<(PathBuf, TokenFacts)> {
    let dir = case.checkpoints();
    let q = dir.join(timestamps::file_name(size, &tsa.name, Part::Query));
    let r = dir.join(timestamps::file_name(size, &tsa.name, Part::Reply));
    let req = ts::parse_request(&timestamps::read(&q).ok()?).ok()?;
    if &req.digest != digest {
        return None;
    }
    let nonce = req.nonce?;
    let facts =
        check_before_keeping(tsa, &timestamps::read(&r).ok()?, text, digest, Some(&nonce)).ok()?;
    Some((r, facts))
}
