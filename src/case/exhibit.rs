//! An exhibit's seal record, read from the ledger at the offset the chain state holds.

use crate::error::{Error, Result};
use crate::format::body::{Body, Seal};
use crate::format::chain::Custody;
use crate::format::entry::TypedLine;
use crate::store::case::CaseDir;
use crate::store::ledger::line_at;

/// Reads the seal entry of an exhibit (one seek, one line).
pub fn seal_record(case: &CaseDir, custody: &Custody) -> Result<Seal> {
    let path = case.ledger();
    let not_the_seal = || {
        Error::input(format!(
            "{}: entry {} is not the seal it should be; run `scelle verify`",
            path.display(),
            custody.seal_seq
        ))
    };
    let line = line_at(case, custody.seal_offset)?.ok_or_else(not_the_seal)?;
    let (_, body) = TypedLine::parse_shared_or_explain(&line.into()).map_err(|e| {
        Error::input(format!(
            "{}: seal entry {}: {e}",
            path.display(),
            custody.seal_seq
        ))
    })?;
    match body {
        Ok(Body::Seal(s)) => Ok(*s),
        _ => Err(not_the_seal()),
    }
}

/// The exhibit of the case a person means by `token` (an id in any case, a number, or a
/// current seal number: [`crate::format::kinds::seal::find_exhibit`]); an input error saying
/// why none, with the closest ("did you mean").
pub fn resolve(state: &crate::format::chain::ChainState, token: &str) -> Result<String> {
    crate::format::kinds::seal::find_exhibit(
        token,
        state
            .custody
            .iter()
            .map(|(id, c)| (id.as_str(), c.seal_no.as_deref())),
    )
    .map_err(Error::input)
}

/// [`resolve`] for each of `tokens`, in order, each exhibit once.
pub fn resolve_all(
    state: &crate::format::chain::ChainState,
    tokens: &[String],
) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in tokens {
        let id = resolve(state, t)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// `--path EXHIBIT=PATH` pairs with each exhibit resolved ([`resolve`]).
pub fn resolve_paths(
    state: &crate::format::chain::ChainState,
    paths: &std::collections::BTreeMap<String, std::path::PathBuf>,
) -> Result<std::collections::BTreeMap<String, std::path::PathBuf>> {
    paths
        .iter()
        .map(|(t, p)| {
            resolve(state, t)
                .map(|id| (id, p.clone()))
                .map_err(|e| Error::input(format!("--path {t}=...: {e}")))
        })
        .collect()
}

/// [`resolve`] against the trusted state of `case`, read only when `token` is not already an
/// exhibit id as written (`E-0001`): appending such an id needs no other exhibit (the append's
/// own rules check that it exists), so a note or a disposal stays flat in a large case.
pub fn resolve_for_append(
    case: &CaseDir,
    key: &crate::store::keyfile::LoadedKey,
    token: &str,
) -> Result<String> {
    let canonical = token.len() >= 6
        && token.starts_with("E-")
        && token[2..].bytes().all(|b| b.is_ascii_digit());
    if canonical {
        return Ok(token.to_string());
    }
    resolve(&crate::store::ledger::trusted_state(case, key)?, token)
}
