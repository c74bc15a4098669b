//! The audit record: the gate's policy as read (and its hash), the facts, the time and the
//! verdict. `replay` recomputes the verdict from the record alone, with no token.

use crate::error::GateError;
use crate::eval::{Verdict, evaluate};
use crate::facts::Facts;
use crate::policy::Policy;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// The only format this version reads and writes.
pub const FORMAT: u32 = 1;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub format: u32,
    pub gate: String,
    /// The gate's table as written in `tidegate.toml`.
    pub policy_text: String,
    /// SHA-256 of `policy_text`, lowercase hex.
    pub policy_sha256: String,
    /// RFC 3339.
    pub evaluated_at: String,
    pub facts: Facts,
    pub verdict: Verdict,
}

impl Record {
    /// Evaluates `gate` and records everything the verdict was computed from.
    pub fn evaluate(
        policy: &Policy,
        gate: &str,
        facts: Facts,
        now: Timestamp,
    ) -> Result<Record, GateError> {
        let verdict = evaluate(policy, gate, &facts, now)?;
        let policy_text = policy.gate_text(gate)?;
        Ok(Record {
            format: FORMAT,
            gate: gate.to_string(),
            policy_sha256: sha256_hex(&policy_text),
            policy_text,
            evaluated_at: now.to_string(),
            facts,
            verdict,
        })
    }

    pub fn to_json(&self) -> String {
        // Every map in a record has string keys, the one thing serde_json could refuse.
        serde_json::to_string_pretty(self).expect("a record always serializes")
    }

    /// Reads a record, refusing one this version cannot replay faithfully.
    pub fn from_json(text: &str) -> Result<Record, GateError> {
        #[derive(Deserialize)]
        struct Format {
            format: Option<u32>,
        }
        let format: Format =
            serde_json::from_str(text).map_err(|e| GateError::Record(e.to_string()))?;
        match format.format {
            Some(FORMAT) => {}
            Some(other) => {
                return Err(GateError::Record(format!(
                    "format {other} is not known (this version reads format {FORMAT})"
                )));
            }
            None => return Err(GateError::Record("it has no format field".into())),
        }
        serde_json::from_str(text).map_err(|e| GateError::Record(e.to_string()))
    }
}

/// Recomputes the verdict of a record. At the recorded time it must equal the recorded verdict;
/// `at` evaluates the same facts at another time instead (freezes, vote windows).
pub fn replay(record: &Record, at: Option<Timestamp>) -> Result<Verdict, GateError> {
    if record.format != FORMAT {
        return Err(GateError::Record(format!(
            "format {} is not known (this version reads format {FORMAT})",
            record.format
        )));
    }
    let hash = sha256_hex(&record.policy_text);
    if hash != record.policy_sha256 {
        return Err(GateError::Record(format!(
            "the policy's SHA-256 is {hash}, not the recorded {}: the policy text was changed",
            record.policy_sha256
        )));
    }
    let recorded_at: Timestamp = record.evaluated_at.parse().map_err(|_| {
        GateError::Record(format!(
            "evaluated_at {:?} is not an RFC 3339 time",
            record.evaluated_at
        ))
    })?;
    let policy = Policy::parse(&record.policy_text)?;
    let verdict = evaluate(
        &policy,
        &record.gate,
        &record.facts,
        at.unwrap_or(recorded_at),
    )?;
    if at.is_none() && verdict != record.verdict {
        return Err(GateError::ReplayDiffers {
            recorded: summary(&record.verdict),
            replayed: summary(&verdict),
        });
    }
    Ok(verdict)
}

/// The first difference worth naming: the outcome, or the first rule whose result differs.
fn summary(verdict: &Verdict) -> String {
    let rules: Vec<String> = verdict
        .rules
        .iter()
        .map(|r| format!("{} {}", r.rule, r.outcome.name()))
        .collect();
    format!("{} ({})", verdict.outcome.name(), rules.join(", "))
}

pub(crate) fn sha256_hex(text: &str) -> String {
    ring::digest::digest(&ring::digest::SHA256, text.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
