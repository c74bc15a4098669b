//! Evaluation of a gate against facts at a given time.

use crate::error::GateError;
use crate::facts::Facts;
use crate::policy::{Approvals, Freeze, Policy, RuleSet};
use crate::rules;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Passed,
    /// Terminal until something changes: a veto, a blocker, a failed check, a freeze.
    Failed,
    /// Waiting: for an approval, a check, the vote window.
    Pending,
    /// The rule does not apply (a rule's own result only; a gate is never skipped).
    Skipped,
}

impl Outcome {
    pub fn name(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Pending => "pending",
            Outcome::Skipped => "skipped",
        }
    }
}

/// One rule's result, as the report shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleResult {
    /// Where the rule is: `approvals`, `any[1].checks`, `freeze.override.approvals`.
    pub rule: String,
    pub outcome: Outcome,
    pub why: String,
    /// What would make it pass (for `--explain`).
    #[serde(default)]
    pub to_pass: Option<String>,
    /// Approvals that did not count: (login, reason).
    #[serde(default)]
    pub ignored: Vec<(String, String)>,
}

impl RuleResult {
    pub(crate) fn new(outcome: Outcome, why: impl Into<String>) -> Self {
        RuleResult {
            rule: String::new(),
            outcome,
            why: why.into(),
            to_pass: None,
            ignored: Vec::new(),
        }
    }

    pub(crate) fn needs(mut self, what: impl Into<String>) -> Self {
        self.to_pass = Some(what.into());
        self
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    pub gate: String,
    /// Passed, failed or pending; never skipped.
    pub outcome: Outcome,
    pub rules: Vec<RuleResult>,
    /// Set when a freeze was in force and its override label was used.
    #[serde(default)]
    pub freeze_override: Option<String>,
}

/// Evaluates `gate` of `policy` against `facts` as of `now`.
pub fn evaluate(
    policy: &Policy,
    gate: &str,
    facts: &Facts,
    now: Timestamp,
) -> Result<Verdict, GateError> {
    let rules = policy.gate(gate)?;
    let mut run = Run {
        ctx: Ctx { gate, facts, now },
        rows: Vec::new(),
        freeze_override: None,
    };
    let mut outcome = run.set(rules, "", None)?;
    if outcome == Outcome::Skipped || run.rows.is_empty() {
        let mut row = RuleResult::new(
            Outcome::Failed,
            "no rule applied: a gate passes only when one of its rules passes",
        )
        .needs("add a rule that applies to this gate");
        row.rule = "gate".into();
        run.rows.push(row);
        outcome = Outcome::Failed;
    }
    Ok(Verdict {
        gate: gate.to_string(),
        outcome,
        rules: run.rows,
        freeze_override: run.freeze_override,
    })
}

/// What every rule reads.
pub(crate) struct Ctx<'a> {
    pub gate: &'a str,
    pub facts: &'a Facts,
    pub now: Timestamp,
}

struct Run<'a> {
    ctx: Ctx<'a>,
    rows: Vec<RuleResult>,
    freeze_override: Option<String>,
}

impl Run<'_> {
    /// Evaluates one table's rules (combined with `all`), adding a row per rule.
    fn set(
        &mut self,
        set: &RuleSet,
        prefix: &str,
        outer_approvals: Option<&Approvals>,
    ) -> Result<Outcome, GateError> {
        let ctx = &self.ctx;
        let approvals = set.approvals.as_ref().or(outer_approvals);
        let mut leaves: Vec<(&str, RuleResult)> = Vec::new();
        if let Some(a) = &set.approvals {
            leaves.push(("approvals", rules::reviews::approvals(ctx, a)?));
        }
        if let Some(s) = &set.sign_off {
            leaves.push(("sign-off", rules::reviews::sign_off(ctx, s)?));
        }
        if let Some(c) = &set.checks {
            leaves.push(("checks", rules::checks::checks(ctx, c)));
        }
        if let Some(b) = &set.blockers {
            leaves.push(("blockers", rules::misc::blockers(ctx, b)));
        }
        if let Some(t) = &set.ticket {
            leaves.push(("ticket", rules::misc::ticket(ctx, t)));
        }
        if let Some(l) = &set.labels {
            leaves.push(("labels", rules::misc::labels(ctx, l)));
        }
        let mut outcomes = Vec::new();
        for (name, mut row) in leaves {
            row.rule = format!("{prefix}{name}");
            outcomes.push(row.outcome);
            self.rows.push(row);
        }
        if let Some(f) = &set.freeze {
            outcomes.push(self.freeze(f, prefix, approvals)?);
        }
        let ctx = &self.ctx;
        let mut leaves: Vec<(&str, RuleResult)> = Vec::new();
        if let Some(v) = &set.votes {
            leaves.push(("votes", rules::votes::votes(ctx, v)?));
        }
        if let Some(c) = &set.commits {
            leaves.push(("commits", rules::misc::commits(ctx, c)));
        }
        if let Some(n) = set.release_notes {
            leaves.push(("release-notes", rules::misc::release_notes(ctx, n)));
        }
        if let Some(gate) = &set.after {
            leaves.push(("after", rules::misc::after(ctx, gate)));
        }
        for (name, mut row) in leaves {
            row.rule = format!("{prefix}{name}");
            outcomes.push(row.outcome);
            self.rows.push(row);
        }
        for (kind, list) in [("all", &set.all), ("any", &set.any)] {
            let Some(list) = list else { continue };
            let at = self.rows.len();
            let mut inner = Vec::new();
            for (i, element) in list.iter().enumerate() {
                inner.push(self.set(element, &format!("{prefix}{kind}[{i}]."), approvals)?);
            }
            let outcome = if kind == "all" {
                all(&inner)
            } else {
                any(&inner)
            };
            let why = combined_why(kind, &inner);
            let mut row = RuleResult::new(outcome, why);
            row.rule = format!("{prefix}{kind}");
            self.rows.insert(at, row);
            outcomes.push(outcome);
        }
        if let Some(inner) = &set.not {
            let at = self.rows.len();
            let result = self.set(inner, &format!("{prefix}not."), approvals)?;
            let outcome = not(result);
            let mut row =
                RuleResult::new(outcome, format!("the rules under it are {}", result.name()));
            row.rule = format!("{prefix}not");
            self.rows.insert(at, row);
            outcomes.push(outcome);
        }
        Ok(all(&outcomes))
    }

    /// Inside a window the freeze fails, unless its override label is on the pull request: then
    /// it requires more instead (never less), and the use is recorded in the verdict.
    fn freeze(
        &mut self,
        freeze: &Freeze,
        prefix: &str,
        approvals: Option<&Approvals>,
    ) -> Result<Outcome, GateError> {
        let name = format!("{prefix}freeze");
        let Some(spec) = &freeze.spec else {
            return Err(GateError::policy(self.ctx.gate, "freeze was not checked"));
        };
        let mut row = match spec.active(self.ctx.now) {
            None => RuleResult::new(
                Outcome::Passed,
                format!("not in a freeze window ({})", spec.zone_name()),
            ),
            Some(active) => {
                let label = freeze.override_label.as_deref().filter(|label| {
                    self.ctx
                        .facts
                        .pull
                        .as_ref()
                        .is_some_and(|p| p.labels.iter().any(|l| l.eq_ignore_ascii_case(label)))
                });
                match label {
                    None => {
                        let mut to_pass = format!("freeze ends {}", active.ends_local);
                        if let Some(label) = &freeze.override_label {
                            to_pass
                                .push_str(&format!(", or label `{label}` with what it requires"));
                        }
                        RuleResult::new(
                            Outcome::Failed,
                            format!("frozen until {}", active.ends_local),
                        )
                        .needs(to_pass)
                    }
                    Some(label) => {
                        let requirement = match &freeze.override_requires {
                            Some(rules) => (**rules).clone(),
                            None => default_override(approvals),
                        };
                        self.freeze_override = Some(format!(
                            "freeze overridden by label `{label}` (frozen until {})",
                            active.ends_local
                        ));
                        let at = self.rows.len();
                        let outcome = self.set(&requirement, &format!("{name}.override."), None)?;
                        let row = RuleResult::new(
                            outcome,
                            format!(
                                "frozen until {}; overridden by label `{label}`, which requires \
                                 the freeze.override rules ({})",
                                active.ends_local,
                                outcome.name()
                            ),
                        );
                        let mut row = if outcome == Outcome::Passed {
                            row
                        } else {
                            row.needs(format!(
                                "the freeze.override rules, or the freeze ends {}",
                                active.ends_local
                            ))
                        };
                        row.rule = name;
                        self.rows.insert(at, row);
                        return Ok(outcome);
                    }
                }
            }
        };
        row.rule = name;
        let outcome = row.outcome;
        self.rows.push(row);
        Ok(outcome)
    }
}

/// One approval more than the gate's `approvals` asks for, from the same people.
fn default_override(approvals: Option<&Approvals>) -> RuleSet {
    let mut more = approvals.cloned().unwrap_or(Approvals {
        min: 0,
        users: Vec::new(),
        teams: Vec::new(),
        permission: None,
        exclude_author: true,
        exclude_bots: true,
        exclude_committers: false,
        same_tree: false,
    });
    more.min += 1;
    RuleSet {
        approvals: Some(more),
        ..RuleSet::default()
    }
}

fn combined_why(kind: &str, inner: &[Outcome]) -> String {
    let count = |o: Outcome| inner.iter().filter(|&&x| x == o).count();
    format!(
        "{kind} of {}: {} passed, {} pending, {} failed, {} skipped",
        inner.len(),
        count(Outcome::Passed),
        count(Outcome::Pending),
        count(Outcome::Failed),
        count(Outcome::Skipped)
    )
}

/// Failed if any failed, else pending if any pending, else passed; skipped ones do not count.
pub fn all(outcomes: &[Outcome]) -> Outcome {
    combine(outcomes, Outcome::Failed, Outcome::Passed)
}

/// Passed if any passed, else pending if any pending, else failed; skipped ones do not count.
pub fn any(outcomes: &[Outcome]) -> Outcome {
    combine(outcomes, Outcome::Passed, Outcome::Failed)
}

/// `decisive` if one outcome is, else pending if one waits, else `otherwise` (skipped when no
/// outcome applies).
fn combine(outcomes: &[Outcome], decisive: Outcome, otherwise: Outcome) -> Outcome {
    let mut applied = outcomes.iter().copied().filter(|&o| o != Outcome::Skipped);
    let Some(first) = applied.next() else {
        return Outcome::Skipped;
    };
    let applied: Vec<Outcome> = std::iter::once(first).chain(applied).collect();
    if applied.contains(&decisive) {
        decisive
    } else if applied.contains(&Outcome::Pending) {
        Outcome::Pending
    } else {
        otherwise
    }
}

/// Passed and failed swap; pending and skipped stay.
pub fn not(outcome: Outcome) -> Outcome {
    match outcome {
        Outcome::Passed => Outcome::Failed,
        Outcome::Failed => Outcome::Passed,
        other => other,
    }
}

/// An RFC 3339 time from the facts.
pub(crate) fn time(what: &str, text: &str) -> Result<Timestamp, GateError> {
    text.parse()
        .map_err(|_| GateError::Facts(format!("{what} time {text:?} is not RFC 3339")))
}

/// The short form of a commit id.
pub(crate) fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}
