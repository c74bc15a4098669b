//! A hostile pull request (title, body, commit subjects) backported on Actions: the log forges
//! no workflow command, `$GITHUB_OUTPUT` gets no key of theirs, and the backport PR's title and
//! body and the comment on the original mention, close and embed nothing.

use crate::{NAME, OWNER, World};
use testkit::hostile::{BODIES, SUBJECTS, forged_log_line, markdown_leak};

#[test]
fn a_hostile_pull_request_is_backported_as_text() {
    let w = World::new();
    let commits: Vec<(String, String, String)> = SUBJECTS
        .iter()
        .enumerate()
        .map(|(i, s)| {
            (
                format!("h{i}.txt"),
                format!("{i}\n"),
                format!("fix: {s}\n\n{}", BODIES[i % 2]),
            )
        })
        .collect();
    let commits: Vec<(&str, &str, &str)> = commits
        .iter()
        .map(|(a, b, c)| (a.as_str(), b.as_str(), c.as_str()))
        .collect();
    let number = w.merged_pr(
        "hostile",
        "fix: ::stop-commands::tok @mallory <img src=x> fixes #12",
        &commits,
        "rebase",
    );
    let run = testkit::Run::of(
        w.command(&["--pr", &number.to_string(), "--to", "release/1"])
            .env("GITHUB_ACTIONS", "true")
            .env("RUST_BACKTRACE", "1"),
    )
    .ok();
    assert_eq!(forged_log_line(&run.stdout), None, "{}", run.stdout);
    assert_eq!(forged_log_line(&run.stderr), None, "{}", run.stderr);
    let made = w.backports_to("release/1");
    assert_eq!(made.len(), 1);
    let body = made[0].body.clone().unwrap_or_default();
    assert!(
        body.contains("mallory"),
        "the hostile text is quoted: {body}"
    );
    assert_eq!(markdown_leak(&body), None, "{body}");
    // A title is plain text on GitHub (no Markdown, no mention, no closing): it is kept as the
    // original's, which the notes escape when it becomes a commit subject.
    for comment in w.fake.comments(OWNER, NAME, number) {
        assert_eq!(markdown_leak(&comment.body), None, "{}", comment.body);
    }
    assert_eq!(markdown_leak(&w.summary()), None, "{}", w.summary());
    let keys: Vec<String> = w.outputs().into_keys().collect();
    assert!(
        keys.iter()
            .all(|k| ["created", "results", "failed"].contains(&k.as_str())),
        "{keys:?}"
    );
}
