//! Hostile commit subjects and bodies through `changelog` on Actions: the log forges no
//! workflow command, `$GITHUB_OUTPUT` gets no key of theirs, and the notes mention, close and
//! embed nothing.

use crate::changelog;
use testkit::TestRepo;
use testkit::hostile::{BODIES, SUBJECTS, forged_log_line, markdown_leak, output_keys};

#[test]
fn hostile_commits_reach_the_log_the_outputs_and_the_notes_as_text() {
    let repo = TestRepo::new();
    repo.set_remote("https://github.com/octo/demo.git");
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    for (i, subject) in SUBJECTS.iter().enumerate() {
        let kind = ["feat", "fix", "feat(api)!"][i % 3];
        repo.commit(&format!("{kind}: {subject}"));
        // Also as a whole subject that is not conventional, and as a breaking note's body.
        repo.commit(subject);
    }
    for body in BODIES {
        repo.commit(&format!(
            "fix!: a change\n\n{body}\n\nBREAKING CHANGE: {body}"
        ));
    }
    let home = tempfile::tempdir().expect("temp dir");
    let output = home.path().join("output");
    let summary = home.path().join("summary");
    let out = changelog(&repo)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUST_BACKTRACE", "1")
        .output()
        .expect("runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stdout.contains("a change"),
        "the notes are printed: {stdout}"
    );
    for log in [&stdout, &stderr] {
        assert_eq!(forged_log_line(log), None, "{log}");
    }
    let written = std::fs::read_to_string(&output).expect("outputs written");
    assert_eq!(
        output_keys(&written),
        ["version", "tag", "previous-tag", "commit-count", "notes"],
        "{written}"
    );
    assert!(!output_keys(&written).contains(&"x".to_string()));
    assert_eq!(markdown_leak(&stdout), None, "{stdout}");
}
