//! `checks`: check runs (the newest per name and app) and commit statuses (the latest per
//! context) both count; a name reported as both must pass as both; what has not reported is
//! pending, never passed.

use crate::eval::{Ctx, Outcome, RuleResult, all};
use crate::facts::{Check, Status};
use crate::policy::CheckSpec;
use std::collections::BTreeMap;

pub(crate) fn checks(ctx: &Ctx<'_>, specs: &[CheckSpec]) -> RuleResult {
    let mut outcomes = Vec::new();
    let mut parts = Vec::new();
    let mut to_pass = Vec::new();
    for spec in specs {
        let (outcome, text) = one(ctx, spec);
        outcomes.push(outcome);
        if outcome != Outcome::Passed {
            to_pass.push(format!("check {text}"));
        }
        parts.push(text);
    }
    let outcome = all(&outcomes);
    let row = RuleResult::new(outcome, parts.join("; "));
    if to_pass.is_empty() {
        row
    } else {
        row.needs(to_pass.join("; "))
    }
}

/// One required check: its outcome and a description (`` `e2e` pending (not reported) ``).
fn one(ctx: &Ctx<'_>, spec: &CheckSpec) -> (Outcome, String) {
    let facts = ctx.facts;
    let mut newest: BTreeMap<(&str, Option<String>), &Check> = BTreeMap::new();
    for check in facts.checks.iter().filter(|c| {
        glob(&spec.name, &c.name)
            && spec.app.as_deref().is_none_or(|app| {
                c.app
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(app))
            })
    }) {
        let key = (
            check.name.as_str(),
            check.app.as_ref().map(|a| a.to_ascii_lowercase()),
        );
        let slot = newest.entry(key).or_insert(check);
        // Check run ids grow: the highest is the newest run (a re-run gets a new id).
        if check.id > slot.id {
            *slot = check;
        }
    }
    // Statuses have no app: a check pinned to an app reads check runs only.
    let mut latest: BTreeMap<&str, &Status> = BTreeMap::new();
    if spec.app.is_none() {
        for status in facts
            .statuses
            .iter()
            .filter(|s| glob(&spec.name, &s.context))
        {
            let slot = latest.entry(status.context.as_str()).or_insert(status);
            // RFC 3339 UTC times from GitHub order as text; on a tie the first listed (GitHub
            // lists the newest first) stays.
            if status.created_at > slot.created_at {
                *slot = status;
            }
        }
    }
    let mut results: Vec<(Outcome, String)> = newest
        .values()
        .map(|c| run_outcome(c, &spec.allow))
        .collect();
    results.extend(latest.values().map(|s| status_outcome(s)));
    let shown = match &spec.app {
        Some(app) => format!("`{}` (app {app})", spec.name),
        None => format!("`{}`", spec.name),
    };
    if results.is_empty() {
        return (Outcome::Pending, format!("{shown} pending (not reported)"));
    }
    let outcome = all(&results.iter().map(|(o, _)| *o).collect::<Vec<_>>());
    let details: Vec<String> = results.into_iter().map(|(_, d)| d).collect();
    (
        outcome,
        format!("{shown} {}: {}", outcome.name(), details.join(", ")),
    )
}

fn run_outcome(check: &Check, allow: &[String]) -> (Outcome, String) {
    let from = match &check.app {
        Some(app) => format!("check run `{}` ({app})", check.name),
        None => format!("check run `{}`", check.name),
    };
    if check.status != "completed" {
        return (Outcome::Pending, format!("{from} {}", check.status));
    }
    let conclusion = check.conclusion.as_deref().unwrap_or("none");
    let outcome = match conclusion {
        "success" => Outcome::Passed,
        "skipped" | "neutral" if allow.iter().any(|a| a == conclusion) => Outcome::Passed,
        // A stale run is one GitHub expects to be re-run.
        "stale" => Outcome::Pending,
        _ => Outcome::Failed,
    };
    (outcome, format!("{from} {conclusion}"))
}

fn status_outcome(status: &Status) -> (Outcome, String) {
    let outcome = match status.state.as_str() {
        "success" => Outcome::Passed,
        "pending" => Outcome::Pending,
        _ => Outcome::Failed,
    };
    (
        outcome,
        format!("status `{}` {}", status.context, status.state),
    )
}

/// `*` matches any text (also none); everything else matches itself.
pub(crate) fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(at) => rest = &rest[at + middle.len()..],
            None => return false,
        }
    }
    true
}
