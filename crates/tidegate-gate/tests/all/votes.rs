use crate::*;
use tidegate_gate::facts::Comment;

const VOTE: &str = r#"[gates.g]
votes = { voters = ["ada", "grace", "linus", "margaret"], binding-min = 3, veto = true, window-hours = 72 }"#;

fn comment(id: u64, user: &str, body: &str, at: &str) -> Comment {
    Comment {
        id,
        user: user.into(),
        body: body.into(),
        created_at: at.into(),
    }
}

/// A vote opened on 1 June at noon (closing on 4 June at noon), with three +1.
fn three_plus_ones() -> Vec<Comment> {
    vec![
        comment(
            1,
            "ada",
            "+1 early, before the vote",
            "2026-06-01T11:00:00Z",
        ),
        comment(
            2,
            "octo",
            "[VOTE] Release 1.2.0\nPlease vote.",
            "2026-06-01T12:00:00Z",
        ),
        comment(3, "ada", "+1", "2026-06-01T13:00:00Z"),
        comment(4, "grace", "+1 tested on staging", "2026-06-01T14:00:00Z"),
        comment(5, "linus", "+1", "2026-06-02T09:00:00Z"),
        comment(6, "mallory", "-1", "2026-06-02T10:00:00Z"),
    ]
}

#[test]
fn a_vote_window_still_open_is_pending_with_the_tally() {
    let mut f = facts();
    f.comments = three_plus_ones();
    let v = verdict(VOTE, &f, time("2026-06-04T11:59:00Z"));
    assert_eq!(v.outcome, Outcome::Pending);
    let votes = rule(&v, "votes");
    assert!(
        votes
            .why
            .starts_with("vote open until 2026-06-04 12:00 UTC; binding +1: @ada, @grace, @linus"),
        "{}",
        votes.why
    );
    assert_eq!(
        votes.to_pass.as_deref(),
        Some("the vote to close at 2026-06-04 12:00 UTC")
    );
    assert_eq!(
        verdict(VOTE, &f, time("2026-06-04T12:00:00Z")).outcome,
        Outcome::Passed
    );
}

#[test]
fn a_binding_minus_one_vetoes_with_its_reason_until_its_author_withdraws_it() {
    let mut f = facts();
    f.comments = three_plus_ones();
    f.comments.push(comment(
        7,
        "margaret",
        "-1 the migration\ndrops a column",
        "2026-06-02T11:00:00Z",
    ));
    let later = time("2026-06-05T00:00:00Z");
    let v = verdict(VOTE, &f, later);
    assert_eq!(v.outcome, Outcome::Failed);
    assert_eq!(
        rule(&v, "votes").why,
        "vetoed by @margaret: the migration drops a column"
    );
    // Another voter's +1 does not withdraw it…
    f.comments
        .push(comment(8, "ada", "+1 again", "2026-06-02T12:00:00Z"));
    assert_eq!(verdict(VOTE, &f, later).outcome, Outcome::Failed);
    // …its author's later vote does.
    f.comments.push(comment(
        9,
        "margaret",
        "0 fixed in a3f",
        "2026-06-03T12:00:00Z",
    ));
    assert_eq!(verdict(VOTE, &f, later).outcome, Outcome::Passed);
}

#[test]
fn a_closed_vote_without_enough_binding_votes_fails_and_late_votes_do_not_count() {
    let mut f = facts();
    f.comments = three_plus_ones();
    f.comments.retain(|c| c.user != "linus");
    f.comments
        .push(comment(10, "linus", "+1", "2026-06-04T12:00:00Z"));
    let v = verdict(VOTE, &f, time("2026-06-05T00:00:00Z"));
    assert_eq!(v.outcome, Outcome::Failed);
    assert!(
        rule(&v, "votes")
            .why
            .starts_with("vote closed at 2026-06-04 12:00 UTC without 1 more binding +1")
    );
}

#[test]
fn non_binding_votes_count_for_min_and_quorum_only() {
    let text = r#"[gates.g]
votes = { voters = ["ada", "grace", "linus"], binding = ["ada"], binding-min = 1, min = 2, quorum = 3 }"#;
    let mut f = facts();
    f.comments = vec![
        comment(1, "grace", "-1 not binding", "2026-06-01T13:00:00Z"),
        comment(2, "linus", "+1", "2026-06-01T13:00:00Z"),
    ];
    // No window: the vote stays open until the counts are met.
    let v = verdict(text, &f, noon());
    assert_eq!(v.outcome, Outcome::Pending);
    assert_eq!(
        rule(&v, "votes").to_pass.as_deref(),
        Some("1 more binding +1, 1 more +1, 1 more votes for the quorum")
    );
    f.comments
        .push(comment(3, "ada", "+1", "2026-06-01T14:00:00Z"));
    assert_eq!(verdict(text, &f, noon()).outcome, Outcome::Passed);
}
