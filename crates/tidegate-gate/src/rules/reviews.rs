//! `approvals` and `sign-off`: which reviews count, with GitHub's semantics.
//!
//! The latest review per reviewer counts: a comment does not replace an approval, a later
//! "changes requested" or a dismissal cancels it. An approval counts only for the commit it was
//! given on (or one with the same tree when the policy says so), from someone with write access
//! who is eligible and is not the author or a bot. Every approval that does not count is listed
//! with its reason.

use super::{at, list, plural};
use crate::error::GateError;
use crate::eval::{Ctx, Outcome, RuleResult, short, time};
use crate::facts::{Review, Team};
use crate::policy::{Approvals, Permission, ReviewerRules, SignOff};
use std::collections::{BTreeMap, BTreeSet};

/// The reviews that count, and the ones that do not.
struct Assessment {
    /// Logins (lowercase) whose approval counts, in login order.
    approvers: Vec<String>,
    ignored: Vec<(String, String)>,
    /// Eligible reviewers whose latest review requests changes.
    changes_requested: Vec<String>,
}

/// Whether a login is eligible under a rule's own lists; `Err` when a team it needs is unreadable.
type Eligible<'f> = dyn Fn(&str) -> Result<bool, GateError> + 'f;

fn assess(
    ctx: &Ctx<'_>,
    rules: ReviewerRules,
    eligible: &Eligible<'_>,
    not_eligible_reason: &str,
) -> Result<Assessment, GateError> {
    let facts = ctx.facts;
    // Latest state-bearing review per reviewer, in submission order (comments do not count).
    let mut by_reviewer: BTreeMap<String, Vec<(jiff::Timestamp, &Review)>> = BTreeMap::new();
    for review in &facts.reviews {
        let when = time(&format!("review {}", review.id), &review.submitted_at)?;
        by_reviewer
            .entry(review.user.to_ascii_lowercase())
            .or_default()
            .push((when, review));
    }
    let author = facts.pull.as_ref().map(|p| p.author.to_ascii_lowercase());
    let committers: BTreeSet<String> = facts
        .commits
        .iter()
        .filter_map(|c| c.author_login.as_deref())
        .map(str::to_ascii_lowercase)
        .collect();
    let mut out = Assessment {
        approvers: Vec::new(),
        ignored: Vec::new(),
        changes_requested: Vec::new(),
    };
    for (login, mut reviews) in by_reviewer {
        reviews.sort_by_key(|(when, r)| (*when, r.id));
        let states: Vec<&Review> = reviews
            .iter()
            .map(|(_, r)| *r)
            .filter(|r| {
                matches!(
                    r.state.as_str(),
                    "APPROVED" | "CHANGES_REQUESTED" | "DISMISSED"
                )
            })
            .collect();
        let Some(latest) = states.last() else {
            continue;
        };
        let approved_before = states[..states.len() - 1]
            .iter()
            .any(|r| r.state == "APPROVED");
        let is_bot = latest.user_is_bot || login.ends_with("[bot]");
        let shown = latest.user.clone();
        // Who may review at all: the same for an approval and a request for changes.
        let disqualified = if rules.exclude_author && author.as_deref() == Some(login.as_str()) {
            Some("author of the pull request".to_string())
        } else if rules.exclude_bots && is_bot {
            Some("bot".to_string())
        } else {
            match facts.permissions.get(&login).map(String::as_str) {
                None => Some("no write access (permission not read)".to_string()),
                Some(p) if Permission::from_github(p).is_none() => {
                    Some(format!("no write access (permission {p})"))
                }
                Some(_) if !eligible(&login)? => Some(not_eligible_reason.to_string()),
                Some(_) => None,
            }
        };
        match latest.state.as_str() {
            "CHANGES_REQUESTED" => {
                if approved_before {
                    out.ignored.push((
                        shown.clone(),
                        format!("superseded by changes requested at {}", latest.submitted_at),
                    ));
                }
                if disqualified.is_none() {
                    out.changes_requested.push(shown);
                }
            }
            "DISMISSED" => out.ignored.push((shown, "review dismissed".into())),
            _ => {
                let reason = disqualified.or_else(|| {
                    if rules.exclude_committers && committers.contains(&login) {
                        Some("author of a commit in the range".into())
                    } else {
                        stale(ctx, latest, rules.same_tree)
                    }
                });
                match reason {
                    Some(reason) => out.ignored.push((shown, reason)),
                    None => out.approvers.push(login),
                }
            }
        }
    }
    Ok(out)
}

/// Why an approval on another commit does not count, `None` when it does.
fn stale(ctx: &Ctx<'_>, review: &Review, same_tree: bool) -> Option<String> {
    let head = &ctx.facts.head;
    if review.commit_id == head.sha {
        return None;
    }
    let tree_equal = review.commit_tree.as_deref() == Some(head.tree.as_str());
    if same_tree && tree_equal {
        return None;
    }
    let mut reason = format!(
        "stale: given on {}, the head is {}",
        short(&review.commit_id),
        short(&head.sha)
    );
    if tree_equal {
        reason.push_str(" (same tree; the policy does not set same-tree)");
    }
    Some(reason)
}

/// Members of a team (lowercase), or the error that says the token cannot read it.
fn members(ctx: &Ctx<'_>, team: &str) -> Result<Vec<String>, GateError> {
    let key = team.to_ascii_lowercase();
    let found = ctx
        .facts
        .teams
        .iter()
        .find(|(name, _)| name.to_ascii_lowercase() == key)
        .map(|(_, t)| t);
    match found {
        Some(Team::Members(members)) => {
            Ok(members.iter().map(|m| m.to_ascii_lowercase()).collect())
        }
        Some(Team::Unreadable(why)) => Err(GateError::TeamUnreadable {
            team: team.to_string(),
            why: why.clone(),
        }),
        None => Err(GateError::TeamUnreadable {
            team: team.to_string(),
            why: "not among the facts read".into(),
        }),
    }
}

/// Users and teams of a list such as `["ada", "acme/leads"]`.
fn who(users: &[String], teams: &[String]) -> String {
    let mut names: Vec<String> = users.iter().map(|u| at(u)).collect();
    names.extend(teams.iter().map(|t| at(t)));
    list(&names)
}

pub(crate) fn approvals(ctx: &Ctx<'_>, rule: &Approvals) -> Result<RuleResult, GateError> {
    let users: BTreeSet<String> = rule.users.iter().map(|u| u.to_ascii_lowercase()).collect();
    let mut team_members = Vec::new();
    for team in &rule.teams {
        team_members.push(members(ctx, team)?);
    }
    // Any write access qualifies only when the rule names nobody.
    let permission = match rule.permission {
        None if users.is_empty() && rule.teams.is_empty() => Some(Permission::Write),
        p => p,
    };
    if permission.is_none() {
        let people: BTreeSet<&String> = users.iter().chain(team_members.iter().flatten()).collect();
        if rule.min as usize > people.len() {
            return Err(GateError::policy(
                ctx.gate,
                format!(
                    "approvals: min = {} but {} hold only {}",
                    rule.min,
                    who(&rule.users, &rule.teams),
                    plural(people.len(), "person", "people")
                ),
            ));
        }
    }
    let eligible = |login: &str| -> Result<bool, GateError> {
        let level = ctx
            .facts
            .permissions
            .get(login)
            .and_then(|p| Permission::from_github(p));
        Ok(users.contains(login)
            || team_members.iter().any(|m| m.iter().any(|x| x == login))
            || permission.is_some_and(|p| level.is_some_and(|l| l >= p)))
    };
    let from = match (permission, rule.users.is_empty() && rule.teams.is_empty()) {
        (Some(p), true) => format!("anyone with {} permission", p.name()),
        (Some(p), false) => format!(
            "{} or anyone with {} permission",
            who(&rule.users, &rule.teams),
            p.name()
        ),
        (None, _) => who(&rule.users, &rule.teams),
    };
    let assessment = assess(
        ctx,
        rule.reviewer_rules(),
        &eligible,
        &format!("not eligible (not {from})"),
    )?;
    let have = assessment.approvers.len();
    let need = rule.min as usize;
    let named: Vec<String> = assessment.approvers.iter().map(|a| at(a)).collect();
    let mut row = if !assessment.changes_requested.is_empty() {
        let by: Vec<String> = assessment.changes_requested.iter().map(|a| at(a)).collect();
        RuleResult::new(
            Outcome::Failed,
            format!("changes requested by {}", list(&by)),
        )
        .needs(format!(
            "{} to approve or have the review dismissed",
            list(&by)
        ))
    } else if have >= need {
        RuleResult::new(
            Outcome::Passed,
            format!("{have} of {need} approvals: {}", list(&named)),
        )
    } else {
        RuleResult::new(
            Outcome::Pending,
            format!("{have} of {need} approvals: {}", list(&named)),
        )
        .needs(format!(
            "{} from {from}",
            plural(need - have, "more approval", "more approvals")
        ))
    };
    row.ignored = assessment.ignored;
    Ok(row)
}

/// One approval per group; a person satisfies one group only, so one person in two groups
/// cannot stand for two roles (the point of asking several owners).
pub(crate) fn sign_off(ctx: &Ctx<'_>, rule: &SignOff) -> Result<RuleResult, GateError> {
    let mut groups: Vec<BTreeSet<String>> = Vec::new();
    for group in &rule.each_of {
        let mut people = BTreeSet::new();
        for member in group {
            if member.contains('/') {
                people.extend(members(ctx, member)?);
            } else {
                people.insert(member.to_ascii_lowercase());
            }
        }
        groups.push(people);
    }
    let eligible =
        |login: &str| -> Result<bool, GateError> { Ok(groups.iter().any(|g| g.contains(login))) };
    let assessment = assess(
        ctx,
        rule.reviewer_rules(),
        &eligible,
        "not in any sign-off group",
    )?;
    let matched = match_groups(&groups, &assessment.approvers);
    let describe = |i: usize| -> String {
        let names: Vec<String> = rule.each_of[i].iter().map(|m| at(m)).collect();
        format!("group {} ({})", i + 1, names.join(", "))
    };
    let mut signed = Vec::new();
    let mut missing = Vec::new();
    for (i, approver) in matched.iter().enumerate() {
        match approver {
            Some(a) => signed.push(format!(
                "{} for {}",
                at(&assessment.approvers[*a]),
                describe(i)
            )),
            None => missing.push(describe(i)),
        }
    }
    let mut row = if !assessment.changes_requested.is_empty() {
        let by: Vec<String> = assessment.changes_requested.iter().map(|a| at(a)).collect();
        RuleResult::new(
            Outcome::Failed,
            format!("changes requested by {}", list(&by)),
        )
        .needs(format!(
            "{} to approve or have the review dismissed",
            list(&by)
        ))
    } else if missing.is_empty() {
        RuleResult::new(Outcome::Passed, format!("signed off: {}", list(&signed)))
    } else {
        RuleResult::new(
            Outcome::Pending,
            format!(
                "{} of {} groups signed off: {}",
                signed.len(),
                groups.len(),
                list(&signed)
            ),
        )
        .needs(format!(
            "an approval from each of {} (one person per group)",
            missing.join("; ")
        ))
    };
    row.ignored = assessment.ignored;
    Ok(row)
}

/// The largest assignment of approvers to groups, one approver per group and one group per
/// approver (augmenting paths; groups and approvers are few).
fn match_groups(groups: &[BTreeSet<String>], approvers: &[String]) -> Vec<Option<usize>> {
    fn augment(
        g: usize,
        groups: &[BTreeSet<String>],
        approvers: &[String],
        seen: &mut [bool],
        owner: &mut [Option<usize>],
    ) -> bool {
        for (a, login) in approvers.iter().enumerate() {
            if seen[a] || !groups[g].contains(login) {
                continue;
            }
            seen[a] = true;
            let free = match owner[a] {
                None => true,
                Some(other) => augment(other, groups, approvers, seen, owner),
            };
            if free {
                owner[a] = Some(g);
                return true;
            }
        }
        false
    }
    let mut owner: Vec<Option<usize>> = vec![None; approvers.len()];
    // The most constrained groups first, so the groups left unfilled (reported as missing) are
    // the ones more people could still fill.
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| groups[g].len());
    for g in order {
        let mut seen = vec![false; approvers.len()];
        augment(g, groups, approvers, &mut seen, &mut owner);
    }
    let mut by_group = vec![None; groups.len()];
    for (a, g) in owner.iter().enumerate() {
        if let Some(g) = g {
            by_group[*g] = Some(a);
        }
    }
    by_group
}
