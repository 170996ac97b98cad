//! `scelle ioc review`: an expert records a decision about one finding of a recorded scan,
//! confirmed or dismissed with the reason, as a signed `ioc.review` entry (FORMAT.md 6.11).
//!
//! The indicator, exhibit and member are copied from the scan, so that the entry names the
//! finding in words a reader (and both verifiers) can check against it.

use crate::case::scans::{self, RecordedReview, RecordedScan};
use crate::error::{Error, Result};
use crate::format::body::{finding_id, Body, IocMatch, IocReview};
use crate::store::case::CaseDir;
use crate::store::keyfile::LoadedKey;
use crate::store::ledger::Appender;
use std::path::PathBuf;

/// What `ioc review` is asked to record.
#[derive(Debug, Clone)]
pub struct ReviewRequest {
    /// The scan's entry, when given apart (`--scan`).
    pub scan: Option<u64>,
    /// The finding: `N` or `SCAN#N`.
    pub finding: String,
    /// Confirmed (`true`) or dismissed.
    pub confirmed: bool,
    /// Why.
    pub reason: String,
}

/// What `ioc review` recorded.
#[derive(Debug)]
pub struct ReviewOutcome {
    /// The entry's sequence number.
    pub seq: u64,
    /// The body recorded.
    pub review: IocReview,
    /// The finding reviewed, as the scan records it.
    pub finding: IocMatch,
    /// The review it supersedes, if the finding had one.
    pub supersedes: Option<RecordedReview>,
    /// The checkpoint written after it.
    pub checkpoint: Option<PathBuf>,
}

/// The scan and finding index `req` names; every problem says how to find the right one.
fn parse_finding(req: &ReviewRequest) -> Result<(u64, u64)> {
    let bad = || {
        Error::input(format!(
            "--finding {:?}: give the finding's number N in the scan (with --scan SEQ) or \
             SCAN#N, as `scelle ioc findings` lists it",
            req.finding
        ))
    };
    let (scan, n) = match req.finding.split_once('#') {
        Some((s, n)) => (Some(s.parse::<u64>().map_err(|_| bad())?), n),
        None => (None, req.finding.as_str()),
    };
    let n = n.parse::<u64>().map_err(|_| bad())?;
    match (scan, req.scan) {
        (Some(a), Some(b)) if a != b => Err(Error::input(format!(
            "--finding {} names scan {a}, but --scan is {b}; give one of them",
            req.finding
        ))),
        (Some(s), _) | (None, Some(s)) => Ok((s, n)),
        (None, None) => Err(Error::input(format!(
            "--finding {}: which scan? give --scan SEQ or --finding SEQ#{n} (`scelle ioc \
             findings` lists them)",
            req.finding
        ))),
    }
}

/// The recorded scan of entry `seq`, and its finding `n`.
fn finding_of(scans: &[RecordedScan], seq: u64, n: u64) -> Result<(&RecordedScan, &IocMatch)> {
    let Some(s) = scans.iter().find(|s| s.seq == seq) else {
        let listed: Vec<String> = scans.iter().map(|s| s.seq.to_string()).collect();
        return Err(Error::input(format!(
            "entry {seq} is not an IOC scan of this case ({}); nothing recorded. `scelle ioc \
             findings` lists the findings",
            if listed.is_empty() {
                "it has none".to_string()
            } else {
                format!("its scans are entries {}", listed.join(", "))
            }
        )));
    };
    let count = s.scan.matches.len() as u64;
    let m = s.scan.matches.get(n as usize).ok_or_else(|| {
        Error::input(if count == 0 {
            format!("the scan of entry {seq} has no finding (it matched nothing); nothing recorded")
        } else {
            format!(
                "the scan of entry {seq} has no finding {}: its findings are {} to {}; nothing \
                 recorded",
                finding_id(seq, n),
                finding_id(seq, 0),
                finding_id(seq, count - 1)
            )
        })
    })?;
    Ok((s, m))
}

/// `scelle ioc review`: records the decision about one finding.
pub fn review(case: &CaseDir, req: &ReviewRequest, key: &LoadedKey) -> Result<ReviewOutcome> {
    if req.reason.trim().is_empty() {
        return Err(Error::input(
            "--reason is empty: a review says why (the documents print it with the decision)",
        ));
    }
    let (seq, n) = parse_finding(req)?;
    let all = scans::findings(case)?;
    let (scan, m) = finding_of(&all, seq, n)?;
    let body = IocReview {
        scan: seq,
        finding: n,
        indicator: m.indicator.clone(),
        exhibit: m.exhibit.clone(),
        member: m.member.clone(),
        decision: if req.confirmed {
            "confirmed"
        } else {
            "dismissed"
        }
        .into(),
        reason: req.reason.clone(),
    };
    let finding = m.clone();
    let supersedes = scan.current(n as usize).cloned();
    let mut app = Appender::open(case, key)?;
    let body = Body::IocReview(body);
    let entry = app.append_body(&body, key, crate::format::time::now_utc())?;
    let checkpoint = app.finish(key)?;
    let Body::IocReview(review) = body else {
        unreachable!("built as a review")
    };
    Ok(ReviewOutcome {
        seq: entry,
        review,
        finding,
        supersedes,
        checkpoint,
    })
}
