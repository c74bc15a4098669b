//! The verdict for people: a Markdown table for the step summary and check run, plain lines for
//! the terminal. Text that came from GitHub (titles, reasons, logins) is escaped for Markdown and
//! flattened to one line, so it can neither mention, link, close an issue nor start a workflow
//! command in an Actions log.

use crate::eval::{Outcome, Verdict};
use tidegate_core::markdown::escape_inline;

fn cell(text: &str) -> String {
    escape_inline(text).replace('|', "\\|")
}

fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn mark(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Passed => "✅ passed",
        Outcome::Failed => "❌ failed",
        Outcome::Pending => "⏳ pending",
        Outcome::Skipped => "➖ skipped",
    }
}

/// The report as Markdown; with `explain`, what would make each rule that has not passed pass.
pub fn markdown(verdict: &Verdict, explain: bool) -> String {
    let mut out = format!(
        "### Gate {}: {}\n\n",
        cell(&verdict.gate),
        mark(verdict.outcome)
    );
    if let Some(used) = &verdict.freeze_override {
        out.push_str(&format!("**{}**\n\n", cell(used)));
    }
    out.push_str("| Rule | Result | Why |\n|---|---|---|\n");
    for rule in &verdict.rules {
        out.push_str(&format!(
            "| {} | {} | {} |\n",
            cell(&rule.rule),
            mark(rule.outcome),
            cell(&rule.why)
        ));
    }
    let ignored: Vec<String> = verdict
        .rules
        .iter()
        .flat_map(|r| {
            r.ignored.iter().map(move |(login, reason)| {
                format!(
                    "- {} ({}): {}\n",
                    cell(&format!("@{login}")),
                    cell(&r.rule),
                    cell(reason)
                )
            })
        })
        .collect();
    if !ignored.is_empty() {
        out.push_str("\n**Approvals ignored**\n\n");
        out.extend(ignored);
    }
    if explain {
        let needs: Vec<String> = verdict
            .rules
            .iter()
            .filter(|r| r.outcome != Outcome::Passed)
            .filter_map(|r| {
                r.to_pass
                    .as_ref()
                    .map(|t| format!("- {}: {}\n", cell(&r.rule), cell(t)))
            })
            .collect();
        if !needs.is_empty() {
            out.push_str("\n**To pass**\n\n");
            out.extend(needs);
        }
    }
    out
}

/// The report as plain lines, each starting with Tidegate's own text.
pub fn terminal(verdict: &Verdict) -> String {
    let mut out = format!("gate {}: {}\n", flat(&verdict.gate), verdict.outcome.name());
    if let Some(used) = &verdict.freeze_override {
        out.push_str(&format!("  note: {}\n", flat(used)));
    }
    for rule in &verdict.rules {
        out.push_str(&format!(
            "  {:<8} {}: {}\n",
            rule.outcome.name(),
            flat(&rule.rule),
            flat(&rule.why)
        ));
        for (login, reason) in &rule.ignored {
            out.push_str(&format!(
                "           ignored @{}: {}\n",
                flat(login),
                flat(reason)
            ));
        }
        if rule.outcome != Outcome::Passed
            && let Some(to_pass) = &rule.to_pass
        {
            out.push_str(&format!("           to pass: {}\n", flat(to_pass)));
        }
    }
    out
}
