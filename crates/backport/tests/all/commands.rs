//! The triggers a workflow gives: labels on a merged PR, and `/backport` comments.

use crate::{NAME, OWNER, RESULTS, World};
use serde_json::json;

fn fix(w: &World) -> u64 {
    w.merged_pr(
        "fix-count",
        "Fix the widget count",
        &[(
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        )],
        "squash",
    )
}

fn comment_event(w: &World, number: u64, id: u64, login: &str, body: &str) -> std::path::PathBuf {
    w.event_file(&json!({
        "action": "created",
        "issue": { "number": number, "pull_request": { "url": "x" } },
        "comment": { "id": id, "body": body, "user": { "login": login } },
    }))
}

#[test]
fn a_backport_comment_from_a_writer_is_accepted_with_a_reaction() {
    let w = World::new();
    let number = fix(&w);
    w.fake
        .add_collaborator_with_role(OWNER, NAME, "grace", "write");
    let body = "Thanks!\n/backport release/2";
    let id = w
        .fake
        .add_comment_at(OWNER, NAME, number, "grace", body, "2026-02-01T00:00:00Z");
    let event = comment_event(&w, number, id, "grace", body);
    w.command(&[])
        .env("GITHUB_EVENT_NAME", "issue_comment")
        .env("GITHUB_EVENT_PATH", &event)
        .assert()
        .success();
    assert_eq!(w.backports_to("release/2").len(), 1);
    assert!(w.backports_to("release/1").is_empty());
    let reactions = w.fake.comment_reactions(OWNER, NAME, id);
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].1, "+1");
    assert_eq!(w.comments_with(number, RESULTS).len(), 1);
}

#[test]
fn a_backport_comment_without_write_access_is_ignored_with_one_reply_and_exit_0() {
    let w = World::new();
    let number = fix(&w);
    w.fake
        .add_collaborator_with_role(OWNER, NAME, "mallory", "triage");
    let body = "/backport release/1";
    let id = w
        .fake
        .add_comment_at(OWNER, NAME, number, "mallory", body, "2026-02-01T00:00:00Z");
    let event = comment_event(&w, number, id, "mallory", body);
    for _ in 0..2 {
        let run = testkit::Run::of(
            w.command(&[])
                .env("GITHUB_EVENT_NAME", "issue_comment")
                .env("GITHUB_EVENT_PATH", &event),
        );
        let out = run.ok();
        assert!(
            out.stderr.contains("mallory may not ask for backports"),
            "a notice says why: {}",
            out.stderr
        );
    }
    assert!(w.backports_to("release/1").is_empty());
    let replies = w.comments_with(number, "tidegate:backport-refused");
    assert_eq!(
        replies.len(),
        1,
        "one reply, also when the event is delivered twice"
    );
    assert!(replies[0].body.contains("write access"));
    assert!(w.fake.comment_reactions(OWNER, NAME, id).is_empty());
    assert!(
        w.fake
            .branch_sha(OWNER, NAME, &format!("backport/{number}-to-release/1"))
            .is_none()
    );
}

#[test]
fn labels_on_the_closed_event_and_a_label_added_later_each_ask() {
    let w = World::new();
    let number = fix(&w);
    let closed = w.event_file(&json!({
        "action": "closed",
        "pull_request": { "number": number, "merged": true,
            "labels": [{ "name": "backport release/1" }, { "name": "bug" }] },
    }));
    w.command(&["--event", closed.to_str().expect("utf-8")])
        .env("GITHUB_EVENT_NAME", "pull_request_target")
        .assert()
        .success();
    assert_eq!(w.backports_to("release/1").len(), 1);
    assert!(w.backports_to("release/2").is_empty());
    let labeled = w.event_file(&json!({
        "action": "labeled",
        "label": { "name": "backport release/2" },
        "pull_request": { "number": number, "merged": true,
            "labels": [{ "name": "backport release/1" }, { "name": "backport release/2" }] },
    }));
    w.command(&["--event", labeled.to_str().expect("utf-8")])
        .env("GITHUB_EVENT_NAME", "pull_request_target")
        .assert()
        .success();
    assert_eq!(w.backports_to("release/1").len(), 1);
    assert_eq!(w.backports_to("release/2").len(), 1);
    let comment = &w.comments_with(number, RESULTS)[0].body;
    assert!(
        comment.contains("`release/1`") && comment.contains("`release/2`"),
        "both kept: {comment}"
    );
}

#[test]
fn a_closed_pr_that_was_not_merged_is_left_alone() {
    let w = World::new();
    let number = w.open_pr(
        "idea",
        "An idea",
        &[("idea.txt", "idea\n", "feat: an idea")],
    );
    w.fake.close_pull(OWNER, NAME, number);
    let closed = w.event_file(&json!({
        "action": "closed",
        "pull_request": { "number": number, "merged": false,
            "labels": [{ "name": "backport release/1" }] },
    }));
    let run = testkit::Run::of(
        w.command(&["--event", closed.to_str().expect("utf-8")])
            .env("GITHUB_EVENT_NAME", "pull_request_target"),
    )
    .ok();
    assert!(run.stderr.contains("not merged"), "{}", run.stderr);
    assert_eq!(w.pulls().len(), 1);
    assert_eq!(
        w.fake.total_requests(),
        0,
        "an event says enough: no request"
    );
}
