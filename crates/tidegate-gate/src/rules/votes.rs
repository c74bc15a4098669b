//! `votes`: `+1` / `0` / `-1` comments from voters, the latest per voter, inside a window that
//! opens at the first `[VOTE]` comment (or the pull request's creation).

use super::{at, list};
use crate::error::GateError;
use crate::eval::{Ctx, Outcome, RuleResult, time};
use crate::policy::Votes;
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

struct Vote {
    value: i8,
    reason: String,
}

pub(crate) fn votes(ctx: &Ctx<'_>, rule: &Votes) -> Result<RuleResult, GateError> {
    let mut comments = Vec::new();
    for c in &ctx.facts.comments {
        comments.push((time(&format!("comment {}", c.id), &c.created_at)?, c));
    }
    comments.sort_by_key(|(when, c)| (*when, c.id));
    let opened = comments
        .iter()
        .find(|(_, c)| c.body.trim_start().starts_with("[VOTE]"))
        .map(|(when, _)| *when);
    let start = match (opened, &ctx.facts.pull) {
        (Some(when), _) => when,
        (None, Some(pull)) => time("pull request creation", &pull.created_at)?,
        (None, None) => {
            return Ok(RuleResult::new(
                Outcome::Failed,
                "no vote: no [VOTE] comment and no pull request",
            )
            .needs("a [VOTE] comment opening the vote"));
        }
    };
    let close = rule
        .window_hours
        .map(|h| start + SignedDuration::from_hours(i64::from(h)));
    let is_voter =
        |login: &str, among: &[String]| among.iter().any(|v| v.eq_ignore_ascii_case(login));
    // The latest vote per voter inside the window; a later vote replaces an earlier one, so a
    // -1 is withdrawn only by its author.
    let mut latest: BTreeMap<String, Vote> = BTreeMap::new();
    for (when, comment) in &comments {
        if *when < start
            || close.is_some_and(|c| *when >= c)
            || !is_voter(&comment.user, &rule.voters)
        {
            continue;
        }
        if let Some(vote) = parse_vote(&comment.body) {
            latest.insert(comment.user.to_ascii_lowercase(), vote);
        }
    }
    let binding = |login: &str| is_voter(login, rule.binding_voters());
    let names = |pick: &dyn Fn(&String, &Vote) -> bool| -> Vec<String> {
        latest
            .iter()
            .filter(|(l, v)| pick(l, v))
            .map(|(l, _)| at(l))
            .collect()
    };
    let binding_plus = names(&|l, v| v.value > 0 && binding(l));
    let binding_minus = names(&|l, v| v.value < 0 && binding(l));
    let plus = names(&|_, v| v.value > 0);
    let others = names(&|l, v| v.value == 0 || (v.value < 0 && !binding(l)));
    let tally = format!(
        "binding +1: {}; +1: {}; binding -1: {}; 0 or non-binding -1: {}",
        list(&binding_plus),
        plus.len(),
        list(&binding_minus),
        list(&others)
    );
    if rule.veto && !binding_minus.is_empty() {
        let reasons: Vec<String> = latest
            .iter()
            .filter(|(l, v)| v.value < 0 && binding(l))
            .map(|(l, v)| {
                if v.reason.is_empty() {
                    format!("{} (no reason given)", at(l))
                } else {
                    format!("{}: {}", at(l), v.reason)
                }
            })
            .collect();
        return Ok(
            RuleResult::new(Outcome::Failed, format!("vetoed by {}", reasons.join("; "))).needs(
                format!(
                    "{} to withdraw the -1 with a later vote",
                    list(&binding_minus)
                ),
            ),
        );
    }
    let cast = latest.len();
    let mut missing = Vec::new();
    if binding_plus.len() < rule.binding_min as usize {
        missing.push(format!(
            "{} more binding +1",
            rule.binding_min as usize - binding_plus.len()
        ));
    }
    if plus.len() < rule.min as usize {
        missing.push(format!("{} more +1", rule.min as usize - plus.len()));
    }
    if cast < rule.quorum as usize {
        missing.push(format!(
            "{} more votes for the quorum",
            rule.quorum as usize - cast
        ));
    }
    if !rule.veto && binding_plus.len() <= binding_minus.len() {
        missing.push("more binding +1 than binding -1".into());
    }
    let closes = |c: Timestamp| c.strftime("%Y-%m-%d %H:%M UTC").to_string();
    Ok(match close {
        Some(c) if ctx.now < c => RuleResult::new(
            Outcome::Pending,
            format!("vote open until {}; {tally}", closes(c)),
        )
        .needs(if missing.is_empty() {
            format!("the vote to close at {}", closes(c))
        } else {
            format!(
                "{} before the vote closes at {}",
                missing.join(", "),
                closes(c)
            )
        }),
        _ if missing.is_empty() => {
            RuleResult::new(Outcome::Passed, format!("vote carried; {tally}"))
        }
        Some(c) => RuleResult::new(
            Outcome::Failed,
            format!(
                "vote closed at {} without {}; {tally}",
                closes(c),
                missing.join(", ")
            ),
        )
        .needs("a new vote (a new [VOTE] comment)"),
        None => RuleResult::new(Outcome::Pending, format!("vote open; {tally}"))
            .needs(missing.join(", ")),
    })
}

/// A vote is a comment whose first line starts with `+1`, `-1`, `0`, `+0` or `-0`; the rest of
/// the comment is its reason.
fn parse_vote(body: &str) -> Option<Vote> {
    let body = body.trim_start();
    let (first, rest) = body.split_once('\n').unwrap_or((body, ""));
    let first = first.trim();
    let (token, after) = first.split_once(char::is_whitespace).unwrap_or((first, ""));
    let value = match token {
        "+1" => 1,
        "-1" => -1,
        "0" | "+0" | "-0" => 0,
        _ => return None,
    };
    let reason = format!("{} {}", after.trim(), rest.trim());
    Some(Vote {
        value,
        reason: reason.split_whitespace().collect::<Vec<_>>().join(" "),
    })
}
