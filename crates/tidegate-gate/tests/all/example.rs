//! The policy of issue 16, as written there.

use crate::*;
use tidegate_gate::facts::{Check, Comment, GateRun, Status, Team};

pub const ISSUE_POLICY: &str = r#"
[package]
release-type = "rust"   # bump's keys live beside the gates and are not read here

[gates.production]
approvals = { min = 2, teams = ["acme/release-managers"], users = ["ada"], exclude-author = true }
sign-off = { each-of = [["ada"], ["grace", "linus"]] }  # one approval from each group
checks = ["ci / test", "e2e"]                             # check runs or statuses, all must pass
blockers = { labels = ["release-blocker", "production-impact"] }
ticket = { pattern = "[A-Z][A-Z0-9]+-[0-9]+", in = ["title", "body"] }
freeze = { windows = ["2026-12-20T00:00/2026-12-28T08:00"], time-zone = "Europe/Paris", override-label = "freeze-exception" }
votes = { voters = ["ada", "grace", "linus", "margaret"], binding-min = 3, veto = true, window-hours = 72 }
after = "staging"

[gates.staging]
approvals = { min = 1 }
"#;

/// Facts under which the issue's production gate passes.
pub fn passing_facts() -> Facts {
    let mut f = facts();
    if let Some(pull) = f.pull.as_mut() {
        pull.title = "OPS-12 promote to production".into();
    }
    f.teams.insert(
        "acme/release-managers".into(),
        Team::Members(vec!["grace".into(), "linus".into()]),
    );
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "grace", "APPROVED", HEAD, 2),
    ];
    f.checks = vec![Check {
        id: 1,
        name: "ci / test".into(),
        app: Some("github-actions".into()),
        status: "completed".into(),
        conclusion: Some("success".into()),
        url: None,
        completed_at: None,
    }];
    f.statuses = vec![Status {
        context: "e2e".into(),
        state: "success".into(),
        url: None,
        created_at: "2026-06-01T10:00:00Z".into(),
    }];
    f.comments = ["octo", "ada", "grace", "linus"]
        .iter()
        .enumerate()
        .map(|(i, user)| Comment {
            id: i as u64,
            user: user.to_string(),
            body: if i == 0 {
                "[VOTE] 1.2.0".into()
            } else {
                "+1".into()
            },
            created_at: format!("2026-06-01T1{i}:00:00Z"),
        })
        .collect();
    f.gate_runs = vec![GateRun {
        gate: "staging".into(),
        sha: HEAD.into(),
        tree: HEAD_TREE.into(),
        conclusion: Some("success".into()),
        completed_at: None,
    }];
    f
}

#[test]
fn the_issue_policy_parses_and_its_gates_are_listed() {
    let p = policy(ISSUE_POLICY);
    assert_eq!(
        p.gate_names().collect::<Vec<_>>(),
        ["production", "staging"]
    );
}

#[test]
fn the_issue_policy_passes_when_every_rule_does() {
    let v = evaluate(
        &policy(ISSUE_POLICY),
        "production",
        &passing_facts(),
        time("2026-06-10T12:00:00Z"),
    )
    .expect("evaluates");
    assert_eq!(v.outcome, Outcome::Passed, "{:#?}", v.rules);
    let names: Vec<&str> = v.rules.iter().map(|r| r.rule.as_str()).collect();
    assert_eq!(
        names,
        [
            "approvals",
            "sign-off",
            "checks",
            "blockers",
            "ticket",
            "freeze",
            "votes",
            "after"
        ]
    );
}

#[test]
fn the_issue_policy_in_its_freeze_fails_then_waits_for_more_with_the_label() {
    let p = policy(ISSUE_POLICY);
    let mut f = passing_facts();
    let christmas = time("2026-12-24T12:00:00Z");
    let v = evaluate(&p, "production", &f, christmas).expect("evaluates");
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(outcome(&v, "freeze"), Outcome::Failed);
    if let Some(pull) = f.pull.as_mut() {
        pull.labels.push("freeze-exception".into());
    }
    let v = evaluate(&p, "production", &f, christmas).expect("evaluates");
    assert_eq!(v.outcome, Outcome::Pending);
    assert!(v.freeze_override.is_some());
    f.reviews.push(review(3, "linus", "APPROVED", HEAD, 3));
    let v = evaluate(&p, "production", &f, christmas).expect("evaluates");
    assert_eq!(v.outcome, Outcome::Passed, "{:#?}", v.rules);
}
