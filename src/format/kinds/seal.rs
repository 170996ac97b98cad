//! `seal`: one artifact sealed as one exhibit (FORMAT.md 6.2).

use super::{At, Kind, Reads};
use crate::format::errors::{CustodyError, ValueError};
use crate::format::parts::{Acquisition, Artifact, Item, Software};
use crate::format::state::{ChainState, Custody, CustodyStatus};
use crate::format::validate;
use serde::{Deserialize, Serialize};

/// Entry kind recording one sealed artifact.
pub const KIND_SEAL: &str = "seal";

/// Body of `seal`: one artifact sealed as one exhibit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seal {
    /// Exhibit id, `E-` and four or more digits, assigned in order.
    pub exhibit: String,
    /// Seal number (scellé n°, número de precinto, bag id).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seal_no: Option<String>,
    /// Free description of the exhibit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The item as found.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// The acquisition.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acquisition: Option<Acquisition>,
    /// The artifact and its hashes.
    pub artifact: Artifact,
    /// The software that hashed it.
    pub hashed_by: Software,
}

/// The exhibit id for the `n`-th seal (1-based): `E-0001`.
pub fn exhibit_id(n: u64) -> String {
    format!("E-{n:04}")
}

impl Kind for Seal {
    const NAME: &'static str = KIND_SEAL;

    fn exhibits(&self) -> Vec<&str> {
        vec![self.exhibit.as_str()]
    }

    fn reads(&self) -> Reads<'_> {
        // The new exhibit is added at the next number (the case-wide count); its parent is read.
        Reads::exhibits(
            self.acquisition
                .as_ref()
                .and_then(|a| a.parent.as_deref())
                .into_iter()
                .collect(),
        )
    }

    fn validate(&self) -> Result<(), ValueError> {
        let digits = self.exhibit.strip_prefix("E-").unwrap_or("");
        if digits.len() < 4 || !digits.bytes().all(|c| c.is_ascii_digit()) {
            return Err(ValueError::Rule(format!(
                "exhibit id {:?} is not E- and four or more digits",
                self.exhibit
            )));
        }
        validate::artifact(&self.artifact)?;
        if let Some(a) = &self.acquisition {
            validate::acquisition(a, &self.artifact.hashes)?;
        }
        Ok(())
    }

    fn check(&self, state: &ChainState, _at: At<'_>) -> Result<(), CustodyError> {
        let expected = exhibit_id(state.exhibits + 1);
        if self.exhibit != expected {
            return Err(CustodyError::ExhibitOutOfOrder {
                exhibit: self.exhibit.clone(),
                expected,
            });
        }
        if let Some(parent) = self.acquisition.as_ref().and_then(|a| a.parent.as_ref()) {
            state.exhibit(parent)?;
        }
        Ok(())
    }

    fn apply(&self, state: &mut ChainState, at: At<'_>) {
        state.exhibits += 1;
        let seal_offset = state.offset;
        state.custody.insert(
            self.exhibit.clone(),
            Custody {
                holder: at.signer.to_string(),
                status: CustodyStatus::Sealed,
                seal_no: self.seal_no.clone(),
                seal_seq: at.seq,
                seal_offset,
                sealed_sha256: self.artifact.hashes.sha256.clone(),
            },
        );
    }

    fn apply_refused(&self, state: &mut ChainState, _at: At<'_>) {
        // Every seal line counts, valid or not, so one bad seal is reported
        // once and the exhibits after it keep their numbers (FORMAT.md §7).
        state.exhibits += 1;
    }

    fn summary(&self, _state: &ChainState) -> String {
        format!(
            "{}{} {} {} ({} bytes) sha256 {}",
            self.exhibit,
            self.seal_no
                .as_ref()
                .map(|n| format!(" [seal {n}]"))
                .unwrap_or_default(),
            self.artifact.kind,
            self.artifact.path_given,
            self.artifact.size,
            self.artifact.hashes.sha256
        )
    }
}

/// The exhibit a person means by `token`, among the `known` exhibits (id, current seal number):
/// its id as written (`E-0001`), in any case (`e-0001`), by number (`1`, `E-1`, `0001`), or
/// its current seal number (exact, then in any case). `Err` says why none (with the closest
/// id or seal number, "did you mean"), or names every exhibit the token could mean.
pub fn find_exhibit<'a>(
    token: &str,
    known: impl IntoIterator<Item = (&'a str, Option<&'a str>)>,
) -> Result<String, String> {
    let known: Vec<(&str, Option<&str>)> = known.into_iter().collect();
    let t = token.trim();
    if let Some((id, _)) = known.iter().find(|(id, _)| *id == t) {
        return Ok(id.to_string());
    }
    let number = |s: &str| -> Option<u64> {
        let digits = s
            .strip_prefix("E-")
            .or_else(|| s.strip_prefix("e-"))
            .unwrap_or(s);
        (!digits.is_empty() && digits.len() <= 12 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| digits.parse().ok())
            .flatten()
    };
    let by_id = number(t).and_then(|n| {
        known
            .iter()
            .find(|(id, _)| number(id) == Some(n))
            .map(|(id, _)| *id)
    });
    let by_seal: Vec<&str> = {
        let exact: Vec<&str> = known
            .iter()
            .filter(|(_, s)| *s == Some(t))
            .map(|(id, _)| *id)
            .collect();
        if exact.is_empty() {
            known
                .iter()
                .filter(|(_, s)| s.is_some_and(|s| s.eq_ignore_ascii_case(t)))
                .map(|(id, _)| *id)
                .collect()
        } else {
            exact
        }
    };
    let mut all: Vec<&str> = by_id.into_iter().chain(by_seal).collect();
    all.dedup();
    match all.as_slice() {
        [one] => Ok(one.to_string()),
        [] => {
            let lower = t.to_lowercase();
            let near = known
                .iter()
                .flat_map(|(id, s)| {
                    [Some((*id, *id)), s.map(|s| (*id, s))]
                        .into_iter()
                        .flatten()
                })
                .map(|(id, name)| (edit_distance(&lower, &name.to_lowercase()), id, name))
                .filter(|(d, _, name)| *d <= (name.chars().count() / 3).max(2))
                .min();
            let hint = match near {
                Some((_, id, name)) if id == name => format!(" Did you mean {id}?"),
                Some((_, id, name)) => format!(" Did you mean {id} (seal {name})?"),
                None => String::new(),
            };
            Err(format!(
                "no exhibit {token} in this case (neither an exhibit id nor a seal number).{hint} \
                 `scelle exhibits` lists them"
            ))
        }
        many => Err(format!(
            "{token} could mean {}: give the exhibit id",
            many.join(" or ")
        )),
    }
}

/// Levenshtein distance between two strings, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diag = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (diag + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(above + 1);
            diag = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod find_exhibit_tests {
    use super::find_exhibit;

    const KNOWN: [(&str, Option<&str>); 3] = [
        ("E-0001", Some("PV-2024-117")),
        ("E-0002", None),
        ("E-0012", Some("12")),
    ];

    #[test]
    fn an_exhibit_is_found_by_id_in_any_case_by_number_or_by_seal_number() {
        for (token, id) in [
            ("E-0001", "E-0001"),
            ("e-0001", "E-0001"),
            ("1", "E-0001"),
            ("E-1", "E-0001"),
            ("0002", "E-0002"),
            ("PV-2024-117", "E-0001"),
            ("pv-2024-117", "E-0001"),
            (" e-0002 ", "E-0002"),
        ] {
            assert_eq!(find_exhibit(token, KNOWN), Ok(id.to_string()), "{token}");
        }
    }

    #[test]
    fn a_miss_suggests_the_closest_and_an_ambiguity_names_both() {
        assert_eq!(
            find_exhibit("PV-2024-171", KNOWN),
            Err(
                "no exhibit PV-2024-171 in this case (neither an exhibit id nor a seal number). \
                 Did you mean E-0001 (seal PV-2024-117)? `scelle exhibits` lists them"
                    .into()
            )
        );
        assert_eq!(
            find_exhibit("E-0003", KNOWN),
            Err(
                "no exhibit E-0003 in this case (neither an exhibit id nor a seal number). \
                 Did you mean E-0001? `scelle exhibits` lists them"
                    .into()
            )
        );
        assert_eq!(
            find_exhibit("zzzzzzzzzz", KNOWN),
            Err(
                "no exhibit zzzzzzzzzz in this case (neither an exhibit id nor a seal number). \
                 `scelle exhibits` lists them"
                    .into()
            )
        );
        // `12` is exhibit 12's number and also its seal number: the same exhibit.
        assert_eq!(find_exhibit("12", KNOWN), Ok("E-0012".into()));
        // `2` is exhibit 2's number and another exhibit's seal number.
        let known = [("E-0001", Some("2")), ("E-0002", None)];
        assert_eq!(
            find_exhibit("2", known),
            Err("2 could mean E-0002 or E-0001: give the exhibit id".into())
        );
    }
}
