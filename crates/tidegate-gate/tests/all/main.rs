//! Gate policies evaluated against facts built in code, one binary for the crate.

mod approvals;
mod checks;
mod example;
mod freeze;
mod other_rules;
mod policy;
mod properties;
mod record;
mod report;
mod votes;

use jiff::Timestamp;
use std::collections::BTreeMap;
use tidegate_gate::facts::{Facts, Pull, Ref, Review};
use tidegate_gate::{Outcome, Policy, RuleResult, Verdict, evaluate};

pub const HEAD: &str = "1111111111111111111111111111111111111111";
pub const HEAD_TREE: &str = "7777777777777777777777777777777777777777";
pub const OLD: &str = "2222222222222222222222222222222222222222";

/// A pull request by `octo` on main, with write access for the usual reviewers.
pub fn facts() -> Facts {
    let mut permissions = BTreeMap::new();
    for login in ["ada", "grace", "linus", "margaret", "octo"] {
        permissions.insert(login.to_string(), "write".to_string());
    }
    Facts {
        repo: "acme/app".into(),
        base: Ref {
            name: "main".into(),
            sha: "3333333333333333333333333333333333333333".into(),
            tree: "8888888888888888888888888888888888888888".into(),
        },
        head: Ref {
            name: "feature".into(),
            sha: HEAD.into(),
            tree: HEAD_TREE.into(),
        },
        pull: Some(Pull {
            number: 7,
            title: "Ship it".into(),
            body: String::new(),
            author: "octo".into(),
            author_is_bot: false,
            labels: Vec::new(),
            milestone: None,
            created_at: "2026-06-01T09:00:00Z".into(),
            url: "https://github.com/acme/app/pull/7".into(),
        }),
        permissions,
        ..Facts::default()
    }
}

/// A review submitted `minute` minutes after 10:00 on 2026-06-01.
pub fn review(id: u64, user: &str, state: &str, commit: &str, minute: u32) -> Review {
    Review {
        id,
        user: user.into(),
        user_is_bot: false,
        state: state.into(),
        commit_id: commit.into(),
        commit_tree: None,
        submitted_at: format!("2026-06-01T10:{minute:02}:00Z"),
    }
}

pub fn time(text: &str) -> Timestamp {
    text.parse().expect("a valid time")
}

/// A noon in June, outside every freeze the tests write.
pub fn noon() -> Timestamp {
    time("2026-06-02T12:00:00Z")
}

pub fn policy(text: &str) -> Policy {
    Policy::parse(text).expect("the policy parses")
}

/// Evaluates gate `g` of `text`.
pub fn verdict(text: &str, facts: &Facts, now: Timestamp) -> Verdict {
    evaluate(&policy(text), "g", facts, now).expect("evaluates")
}

pub fn rule<'a>(verdict: &'a Verdict, name: &str) -> &'a RuleResult {
    verdict
        .rules
        .iter()
        .find(|r| r.rule == name)
        .expect("the rule is in the verdict")
}

pub fn outcome(verdict: &Verdict, name: &str) -> Outcome {
    rule(verdict, name).outcome
}

/// The reason an approval by `login` was ignored under rule `name`.
pub fn ignored<'a>(verdict: &'a Verdict, name: &str, login: &str) -> Option<&'a str> {
    rule(verdict, name)
        .ignored
        .iter()
        .find(|(l, _)| l == login)
        .map(|(_, reason)| reason.as_str())
}
