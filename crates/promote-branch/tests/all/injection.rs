//! Hostile commit subjects and bodies through `promote-branch` on Actions: the log forges no
//! workflow command, `$GITHUB_OUTPUT` gets no key of theirs, and the PR body, the dry-run
//! body and the step summary mention, close and embed nothing.

use crate::World;
use testkit::hostile::{BODIES, SUBJECTS, forged_log_line, markdown_leak, output_keys};

#[test]
fn hostile_commits_reach_the_log_the_outputs_and_the_pr_body_as_text() {
    let w = World::new();
    let mut messages: Vec<String> = Vec::new();
    for (i, subject) in SUBJECTS.iter().enumerate() {
        messages.push(format!(
            "{}: {subject} (#{})",
            ["feat", "fix"][i % 2],
            40 + i
        ));
        messages.push((*subject).to_string());
    }
    for body in BODIES {
        messages.push(format!(
            "fix!: a change\n\n{body}\n\nBREAKING CHANGE: {body}"
        ));
    }
    w.push_commits(&messages.iter().map(String::as_str).collect::<Vec<_>>());
    let dry = on_actions(&w, &["--from", "main", "--to", "stable", "--dry-run"]);
    let real = on_actions(&w, &["--from", "main", "--to", "stable"]);
    assert_eq!(real.code, 0, "{}", real.stderr);
    for run in [&dry, &real] {
        assert_eq!(forged_log_line(&run.stdout), None, "{}", run.stdout);
        assert_eq!(forged_log_line(&run.stderr), None, "{}", run.stderr);
    }
    assert_eq!(markdown_leak(&dry.stdout), None, "{}", dry.stdout);
    let pulls = w.open_pulls();
    assert_eq!(pulls.len(), 1);
    let body = pulls[0].body.clone().unwrap_or_default();
    assert!(body.contains("a change"), "{body}");
    assert_eq!(markdown_leak(&body), None, "{body}");
    assert_eq!(markdown_leak(&pulls[0].title), None);
    let summary = std::fs::read_to_string(w.summary_file()).unwrap_or_default();
    assert_eq!(markdown_leak(&summary), None, "{summary}");
    let written = std::fs::read_to_string(w.output_file()).expect("outputs");
    let keys = output_keys(&written);
    assert!(
        !keys
            .iter()
            .any(|k| k == "x" || k.contains(' ') || k.starts_with('<')),
        "{written}"
    );
}

/// One run on Actions with RUST_BACKTRACE=1.
fn on_actions(w: &World, args: &[&str]) -> testkit::Run {
    testkit::Run::of(
        w.command(args)
            .env("GITHUB_ACTIONS", "true")
            .env("RUST_BACKTRACE", "1"),
    )
}
