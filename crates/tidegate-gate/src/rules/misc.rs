//! The rules that read one kind of fact each: blockers, ticket, labels, commits, release notes,
//! after.

use super::list;
use crate::eval::{Ctx, Outcome, RuleResult, short};
use crate::policy::{Blockers, CommitTypes, Labels, Ticket, TicketSource};

/// Open issues and pull requests with a blocking label (in the milestone, when one is given).
/// The pull request being evaluated does not block itself.
pub(crate) fn blockers(ctx: &Ctx<'_>, rule: &Blockers) -> RuleResult {
    let own = ctx.facts.pull.as_ref().map(|p| p.number);
    let found: Vec<String> = ctx
        .facts
        .blockers
        .iter()
        .filter(|b| !(b.is_pull && Some(b.number) == own))
        .filter(|b| {
            b.labels
                .iter()
                .any(|l| rule.labels.iter().any(|r| r.eq_ignore_ascii_case(l)))
        })
        .filter(|b| {
            rule.milestone
                .as_deref()
                .is_none_or(|m| b.milestone.as_deref() == Some(m))
        })
        .map(|b| {
            let kind = if b.is_pull { "pull request" } else { "issue" };
            format!("{kind} #{} {} ({})", b.number, b.title, b.labels.join(", "))
        })
        .collect();
    let labels = rule.labels.join(", ");
    let scope = match &rule.milestone {
        Some(m) => format!(" in milestone {m}"),
        None => String::new(),
    };
    if found.is_empty() {
        RuleResult::new(
            Outcome::Passed,
            format!("no open issue or pull request labelled {labels}{scope}"),
        )
    } else {
        RuleResult::new(
            Outcome::Failed,
            format!("{} open: {}", found.len(), found.join("; ")),
        )
        .needs(format!(
            "close or relabel the open blockers ({labels}{scope})"
        ))
    }
}

/// The pull request carries one of the labels. A label is something a person adds, so a missing
/// one fails (the `labeled` event evaluates the gate again); with no pull request (a bare ref)
/// there are no labels to read, and the rule fails rather than being skipped.
pub(crate) fn labels(ctx: &Ctx<'_>, rule: &Labels) -> RuleResult {
    let wanted = rule.any_of.join(", ");
    let Some(pull) = ctx.facts.pull.as_ref() else {
        return RuleResult::new(
            Outcome::Failed,
            format!("no pull request, so no label of {wanted} can be read"),
        );
    };
    let found = pull
        .labels
        .iter()
        .find(|l| rule.any_of.iter().any(|w| w.eq_ignore_ascii_case(l)));
    match found {
        Some(label) => RuleResult::new(Outcome::Passed, format!("labelled {label}")),
        None => RuleResult::new(Outcome::Failed, format!("no label of {wanted}")).needs(format!(
            "add one of the labels {wanted} to the pull request"
        )),
    }
}

/// A ticket reference in the title, body or commit messages. With no pull request only the
/// commits can be read; a rule that looks nowhere else fails rather than being skipped, so a
/// bare ref never passes a ticket requirement unread.
pub(crate) fn ticket(ctx: &Ctx<'_>, rule: &Ticket) -> RuleResult {
    let Some(regex) = &rule.regex else {
        return RuleResult::new(Outcome::Failed, "the ticket pattern was not compiled");
    };
    let pull = ctx.facts.pull.as_ref();
    let mut looked = Vec::new();
    for source in &rule.sources {
        let (name, found) = match (source, pull) {
            (TicketSource::Title, Some(p)) => (
                "the title",
                regex.find(&p.title).map(|m| m.as_str().to_string()),
            ),
            (TicketSource::Body, Some(p)) => (
                "the body",
                regex.find(&p.body).map(|m| m.as_str().to_string()),
            ),
            (TicketSource::Commits, _) => (
                "the commit messages",
                ctx.facts
                    .commits
                    .iter()
                    .find_map(|c| regex.find(&c.message).map(|m| m.as_str().to_string())),
            ),
            (_, None) => continue,
        };
        if let Some(found) = found {
            return RuleResult::new(Outcome::Passed, format!("ticket {found} in {name}"));
        }
        looked.push(name.to_string());
    }
    let why = if looked.is_empty() {
        "no pull request: nothing to read a ticket from".to_string()
    } else {
        format!("no ticket matching `{}` in {}", rule.pattern, list(&looked))
    };
    RuleResult::new(Outcome::Failed, why).needs(format!(
        "a ticket matching `{}` in the pull request's {}",
        rule.pattern,
        rule.sources
            .iter()
            .map(|s| match s {
                TicketSource::Title => "title",
                TicketSource::Body => "body",
                TicketSource::Commits => "commits",
            })
            .collect::<Vec<_>>()
            .join(" or ")
    ))
}

/// Every commit of the range is a conventional commit of an allowed type.
pub(crate) fn commits(ctx: &Ctx<'_>, rule: &CommitTypes) -> RuleResult {
    let bad: Vec<String> = ctx
        .facts
        .commits
        .iter()
        .filter(|c| {
            tidegate_core::conventional::header_type(&c.message)
                .is_none_or(|kind| !rule.types.iter().any(|t| t.eq_ignore_ascii_case(&kind)))
        })
        .map(|c| {
            format!(
                "{} {}",
                short(&c.sha),
                c.message.lines().next().unwrap_or_default()
            )
        })
        .collect();
    let types = rule.types.join(", ");
    if bad.is_empty() {
        return RuleResult::new(
            Outcome::Passed,
            format!(
                "{} of types {types}",
                super::plural(ctx.facts.commits.len(), "commit", "commits")
            ),
        );
    }
    const SHOWN: usize = 5;
    let mut why = format!(
        "{} not of types {types}: {}",
        super::plural(bad.len(), "commit", "commits"),
        bad.iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>()
            .join("; ")
    );
    if bad.len() > SHOWN {
        why.push_str(&format!("; and {} more", bad.len() - SHOWN));
    }
    RuleResult::new(Outcome::Failed, why).needs(format!(
        "only conventional commits of types {types} in the range"
    ))
}

pub(crate) fn release_notes(ctx: &Ctx<'_>, required: bool) -> RuleResult {
    if !required {
        return RuleResult::new(Outcome::Skipped, "release-notes = false");
    }
    match ctx.facts.notes_present {
        Some(true) => RuleResult::new(Outcome::Passed, "the release notes of the version exist"),
        Some(false) => RuleResult::new(
            Outcome::Failed,
            "the release notes of the version are missing",
        )
        .needs("write the version's release notes"),
        None => RuleResult::new(
            Outcome::Failed,
            "whether the release notes exist was not read",
        )
        .needs("evaluate with the release's version known"),
    }
}

/// Another gate's `tidegate/gate: NAME` check run passed on the head or on a commit with the
/// head's tree. Until it has, this rule waits: the other gate may still pass.
pub(crate) fn after(ctx: &Ctx<'_>, gate: &str) -> RuleResult {
    let head = &ctx.facts.head;
    let passed = ctx.facts.gate_runs.iter().find(|r| {
        r.gate == gate
            && r.conclusion.as_deref() == Some("success")
            && (r.sha == head.sha || (!head.tree.is_empty() && r.tree == head.tree))
    });
    match passed {
        Some(run) if run.sha == head.sha => RuleResult::new(
            Outcome::Passed,
            format!("gate {gate} passed on the head {}", short(&run.sha)),
        ),
        Some(run) => RuleResult::new(
            Outcome::Passed,
            format!(
                "gate {gate} passed on {}, which has the head's tree",
                short(&run.sha)
            ),
        ),
        None => RuleResult::new(
            Outcome::Pending,
            format!("gate {gate} has not passed on this commit or its tree"),
        )
        .needs(format!("gate {gate} to pass on {}", short(&head.sha))),
    }
}
