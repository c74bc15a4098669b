use crate::*;
use tidegate_gate::GateError;
use tidegate_gate::facts::{Commit, Team};

const TWO_OF_NAMED: &str = r#"
[gates.g]
approvals = { min = 2, users = ["ada", "grace", "linus"] }
"#;

#[test]
fn two_approvals_on_the_head_pass() {
    let mut f = facts();
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "grace", "APPROVED", HEAD, 2),
    ];
    let v = verdict(TWO_OF_NAMED, &f, noon());
    assert_eq!(v.outcome, Outcome::Passed);
    assert!(rule(&v, "approvals").why.contains("2 of 2"));
}

#[test]
fn an_approval_of_an_older_commit_is_stale() {
    let mut f = facts();
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "grace", "APPROVED", OLD, 2),
    ];
    let v = verdict(TWO_OF_NAMED, &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert!(ignored(&v, "approvals", "grace").is_some_and(|r| r.starts_with("stale")));
    assert_eq!(
        rule(&v, "approvals").to_pass.as_deref(),
        Some("1 more approval from @ada, @grace, @linus")
    );
}

#[test]
fn same_tree_accepts_an_approval_of_a_rebased_commit_only_when_asked() {
    let mut f = facts();
    let mut rebased = review(2, "grace", "APPROVED", OLD, 2);
    rebased.commit_tree = Some(HEAD_TREE.into());
    f.reviews = vec![review(1, "ada", "APPROVED", HEAD, 1), rebased];
    let strict = verdict(TWO_OF_NAMED, &f, noon());
    assert_eq!(strict.outcome, Outcome::Pending);
    assert!(ignored(&strict, "approvals", "grace").is_some_and(|r| r.contains("same tree")));
    let lenient = verdict(
        r#"[gates.g]
approvals = { min = 2, users = ["ada", "grace"], same-tree = true }"#,
        &f,
        noon(),
    );
    assert_eq!(lenient.outcome, Outcome::Passed);
}

#[test]
fn changes_requested_after_an_approval_cancels_it_and_blocks() {
    let mut f = facts();
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "grace", "APPROVED", HEAD, 2),
        review(3, "grace", "CHANGES_REQUESTED", HEAD, 3),
    ];
    let v = verdict(TWO_OF_NAMED, &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(rule(&v, "approvals").why, "changes requested by @grace");
    assert!(ignored(&v, "approvals", "grace").is_some_and(|r| r.starts_with("superseded")));
}

#[test]
fn a_comment_does_not_replace_an_approval_but_a_dismissal_does() {
    let mut f = facts();
    f.reviews = vec![
        review(1, "ada", "APPROVED", HEAD, 1),
        review(2, "ada", "COMMENTED", HEAD, 5),
        review(3, "grace", "DISMISSED", HEAD, 2),
    ];
    let v = verdict(TWO_OF_NAMED, &f, noon());
    assert!(
        rule(&v, "approvals")
            .why
            .starts_with("1 of 2 approvals: @ada")
    );
    assert_eq!(ignored(&v, "approvals", "grace"), Some("review dismissed"));
}

#[test]
fn the_latest_review_counts_by_time_not_by_listing_order() {
    let mut f = facts();
    // Listed out of order: the approval at 10:09 is after the changes requested at 10:03.
    f.reviews = vec![
        review(9, "ada", "APPROVED", HEAD, 9),
        review(3, "ada", "CHANGES_REQUESTED", HEAD, 3),
        review(4, "grace", "APPROVED", HEAD, 4),
    ];
    assert_eq!(verdict(TWO_OF_NAMED, &f, noon()).outcome, Outcome::Passed);
}

#[test]
fn the_author_bots_and_readers_cannot_approve() {
    let mut f = facts();
    f.permissions.insert("reader".into(), "read".into());
    f.permissions.insert("helper[bot]".into(), "write".into());
    let mut bot = review(3, "helper[bot]", "APPROVED", HEAD, 3);
    bot.user_is_bot = true;
    f.reviews = vec![
        review(1, "octo", "APPROVED", HEAD, 1),
        review(2, "reader", "APPROVED", HEAD, 2),
        bot,
        review(4, "stranger", "APPROVED", HEAD, 4),
    ];
    let v = verdict("[gates.g]\napprovals = { min = 1 }", &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert_eq!(
        ignored(&v, "approvals", "octo"),
        Some("author of the pull request")
    );
    assert_eq!(ignored(&v, "approvals", "helper[bot]"), Some("bot"));
    assert_eq!(
        ignored(&v, "approvals", "reader"),
        Some("no write access (permission read)")
    );
    assert_eq!(
        ignored(&v, "approvals", "stranger"),
        Some("no write access (permission not read)")
    );
    // Without exclude-author the author's own approval counts.
    let own = verdict(
        "[gates.g]\napprovals = { min = 1, exclude-author = false }",
        &f,
        noon(),
    );
    assert_eq!(own.outcome, Outcome::Passed);
}

#[test]
fn a_listed_user_without_write_access_is_ignored_with_the_reason() {
    let mut f = facts();
    f.permissions.insert("ada".into(), "triage".into());
    f.reviews = vec![review(1, "ada", "APPROVED", HEAD, 1)];
    let v = verdict("[gates.g]\napprovals = { users = [\"ada\"] }", &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert_eq!(
        ignored(&v, "approvals", "ada"),
        Some("no write access (permission triage)")
    );
}

#[test]
fn committers_are_excluded_only_when_asked() {
    let mut f = facts();
    f.commits = vec![Commit {
        sha: HEAD.into(),
        message: "fix: x".into(),
        author_login: Some("Ada".into()),
        author_name: "Ada".into(),
    }];
    f.reviews = vec![review(1, "ada", "APPROVED", HEAD, 1)];
    let lax = verdict("[gates.g]\napprovals = { min = 1 }", &f, noon());
    assert_eq!(lax.outcome, Outcome::Passed);
    let strict = verdict(
        "[gates.g]\napprovals = { min = 1, exclude-committers = true }",
        &f,
        noon(),
    );
    assert_eq!(strict.outcome, Outcome::Pending);
    assert_eq!(
        ignored(&strict, "approvals", "ada"),
        Some("author of a commit in the range")
    );
}

#[test]
fn team_members_and_permission_levels_are_eligible_and_others_are_told_why_not() {
    let mut f = facts();
    f.teams.insert(
        "acme/release-managers".into(),
        Team::Members(vec!["Grace".into(), "linus".into()]),
    );
    f.permissions.insert("boss".into(), "admin".into());
    f.reviews = vec![
        review(1, "grace", "APPROVED", HEAD, 1),
        review(2, "margaret", "APPROVED", HEAD, 2),
        review(3, "boss", "APPROVED", HEAD, 3),
    ];
    let v = verdict(
        r#"[gates.g]
approvals = { min = 2, teams = ["acme/release-managers"], permission = "admin" }"#,
        &f,
        noon(),
    );
    assert_eq!(v.outcome, Outcome::Passed);
    assert!(
        ignored(&v, "approvals", "margaret")
            .is_some_and(|r| r.starts_with("not eligible (not @acme/release-managers"))
    );
}

#[test]
fn a_team_the_token_cannot_read_is_an_error_not_a_non_member() {
    let mut f = facts();
    f.teams
        .insert("acme/x".into(), Team::Unreadable("403 Forbidden".into()));
    f.reviews = vec![review(1, "ada", "APPROVED", HEAD, 1)];
    let err = evaluate(
        &policy("[gates.g]\napprovals = { teams = [\"acme/x\"] }"),
        "g",
        &f,
        noon(),
    )
    .expect_err("an unreadable team stops the evaluation");
    assert_eq!(
        err.to_string(),
        "cannot read team acme/x (403 Forbidden): use an App token with members: read"
    );
    // A team missing from the facts is the same error.
    f.teams.clear();
    let err = evaluate(
        &policy("[gates.g]\napprovals = { teams = [\"acme/x\"] }"),
        "g",
        &f,
        noon(),
    )
    .expect_err("a team not read stops the evaluation");
    assert!(matches!(err, GateError::TeamUnreadable { .. }));
}

#[test]
fn a_min_above_the_members_of_the_teams_is_refused_at_evaluation() {
    let mut f = facts();
    f.teams
        .insert("acme/leads".into(), Team::Members(vec!["ada".into()]));
    let err = evaluate(
        &policy("[gates.g]\napprovals = { min = 3, teams = [\"acme/leads\"], users = [\"ada\", \"bob\"] }"),
        "g",
        &f,
        noon(),
    )
    .expect_err("impossible");
    assert_eq!(
        err.to_string(),
        "gate `g`: approvals: min = 3 but @ada, @bob, @acme/leads hold only 2 people; fix [gates.g] in tidegate.toml"
    );
}

#[test]
fn three_hundred_reviews_are_counted_one_per_reviewer() {
    let mut f = facts();
    let mut reviews = Vec::new();
    for i in 0..100u32 {
        let login = format!("dev{i}");
        f.permissions.insert(login.clone(), "write".into());
        // Each reviewer approves an old commit, comments, then approves the head; the odd ones
        // then request changes on the head.
        let base = u64::from(i) * 3;
        let at = |id: u64, state: &str, commit: &str, second: u64| {
            let mut r = review(id, &login, state, commit, 0);
            r.submitted_at = format!(
                "2026-06-01T{:02}:{:02}:{:02}Z",
                10 + second / 3600,
                (second / 60) % 60,
                second % 60
            );
            r
        };
        reviews.push(at(base + 1, "APPROVED", OLD, base));
        reviews.push(at(base + 2, "COMMENTED", HEAD, base + 1));
        let last = if i % 2 == 1 {
            "CHANGES_REQUESTED"
        } else {
            "APPROVED"
        };
        reviews.push(at(base + 3, last, HEAD, base + 2));
    }
    assert_eq!(reviews.len(), 300);
    f.reviews = reviews;
    let v = verdict("[gates.g]\napprovals = { min = 50 }", &f, noon());
    assert_eq!(v.outcome, Outcome::Failed);
    assert!(rule(&v, "approvals").why.contains("@dev1,"));
    // Without the changes requested, exactly the 50 head approvals count.
    f.reviews.retain(|r| r.state != "CHANGES_REQUESTED");
    let v = verdict("[gates.g]\napprovals = { min = 50 }", &f, noon());
    assert_eq!(v.outcome, Outcome::Passed, "{:?}", rule(&v, "approvals"));
    assert_eq!(rule(&v, "approvals").ignored.len(), 50);
}

#[test]
fn sign_off_needs_one_person_per_group() {
    let text = r#"[gates.g]
sign-off = { each-of = [["ada", "grace"], ["grace"]] }"#;
    let mut f = facts();
    // Grace is in both groups but stands for one; Ada fills the other.
    f.reviews = vec![review(1, "grace", "APPROVED", HEAD, 1)];
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert!(
        rule(&v, "sign-off")
            .to_pass
            .as_deref()
            .is_some_and(|t| t.contains("group 1"))
    );
    f.reviews.push(review(2, "ada", "APPROVED", HEAD, 2));
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Passed);
    assert_eq!(
        rule(&v, "sign-off").why,
        "signed off: @ada for group 1 (@ada, @grace), @grace for group 2 (@grace)"
    );
}

#[test]
fn sign_off_accepts_the_snake_case_spelling() {
    let mut f = facts();
    f.reviews = vec![review(1, "ada", "APPROVED", HEAD, 1)];
    let v = verdict(
        "[gates.g]\nsign_off = { each_of = [[\"ada\"]] }",
        &f,
        noon(),
    );
    assert_eq!(outcome(&v, "sign-off"), Outcome::Passed);
}
