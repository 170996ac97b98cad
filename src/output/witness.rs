//! The results of `scelle witness add|request` as text.

use crate::ops::witness::{describe, Requested, WitnessAdded, WitnessResult};
use crate::output::message::{say, Outcome};
use std::fmt;

impl fmt::Display for WitnessAdded {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.appended {
            Some((seq, checkpoint)) => {
                say!(
                    f,
                    "enrolled witness {} (entry {seq}), reached at {}",
                    self.name,
                    self.url
                )?;
                if let Some(cp) = checkpoint {
                    say!(f, "checkpoint: {}", cp.display())?;
                }
                Ok(())
            }
            None => say!(
                f,
                "witness {} was already enrolled; now reached at {}",
                self.name,
                self.url
            ),
        }
    }
}

impl Outcome for WitnessAdded {}

impl fmt::Display for Requested {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.results.is_empty() {
            return say!(
                f,
                "no witness configured; add one with `scelle witness add`"
            );
        }
        for (name, r) in &self.results {
            match r {
                WitnessResult::Rollback { .. } | WitnessResult::Fork { .. } => {
                    say!(f, "witness {name}: error: {}", describe(r))?
                }
                _ => say!(f, "witness {name}: {}", describe(r))?,
            }
        }
        Ok(())
    }
}

impl Outcome for Requested {
    fn ok(&self) -> bool {
        self.results
            .iter()
            .all(|r| matches!(r.1, WitnessResult::Cosigned { .. }))
    }
}
