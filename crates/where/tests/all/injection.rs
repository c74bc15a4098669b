//! Hostile PR titles and commit subjects through `where` on Actions: the log forges no workflow
//! command, and the river report and the `--notify` comments mention, close and embed nothing.

use crate::support::command;
use crate::with_github::{NAME, OWNER, World, git};
use testkit::Run;
use testkit::hostile::{SUBJECTS, forged_log_line, markdown_leak};

#[test]
fn hostile_titles_reach_the_log_the_report_and_the_comments_as_text() {
    let world = World::new();
    let mut pulls = Vec::new();
    for (i, subject) in SUBJECTS.iter().enumerate() {
        let branch = format!("hostile-{i}");
        world.fake.commit_file(
            OWNER,
            NAME,
            &branch,
            &format!("h{i}.txt"),
            "x\n",
            &format!("fix: {subject}"),
        );
        let pr = world.fake.open_pull(
            OWNER,
            NAME,
            &branch,
            "main",
            &format!("fix: {subject}"),
            subject,
        );
        world.fake.merge_pull(OWNER, NAME, pr, "squash");
        pulls.push(pr);
    }
    let dir = world.checkout.path();
    git(dir, &["pull", "-q", "--ff-only", "origin", "main"]);
    git(dir, &["fetch", "-q", "origin"]);
    let report = dir.join("river.md");
    let summary = dir.join("summary.md");
    let mut cmd = command(
        dir,
        &[
            "--river",
            "--notify",
            "--markdown",
            report.to_str().expect("utf-8"),
        ],
    );
    cmd.env("GITHUB_API_URL", world.fake.api_url())
        .env("GITHUB_REPOSITORY", format!("{OWNER}/{NAME}"))
        .env("GITHUB_TOKEN", world.fake.token())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("RUST_BACKTRACE", "1")
        .env("TIDEGATE_RETRY_BASE_MS", "1")
        .env("TIDEGATE_NOTIFY_INTERVAL_MS", "0")
        .env("TIDEGATE_NOTIFY_PER_MINUTE", "0");
    let run = Run::of(&mut cmd).ok();
    assert_eq!(forged_log_line(&run.stdout), None, "{}", run.stdout);
    assert_eq!(forged_log_line(&run.stderr), None, "{}", run.stderr);
    let markdown = std::fs::read_to_string(&report).expect("the report");
    assert!(
        markdown.contains("set-output"),
        "the titles are listed: {markdown}"
    );
    assert_eq!(markdown_leak(&markdown), None, "{markdown}");
    let summary = std::fs::read_to_string(&summary).unwrap_or_default();
    assert_eq!(markdown_leak(&summary), None, "{summary}");
    assert_eq!(markdown_leak(&run.stdout), None, "{}", run.stdout);
    let mut told = 0;
    for pr in pulls {
        for comment in world.fake.comments(OWNER, NAME, pr) {
            told += 1;
            assert_eq!(markdown_leak(&comment.body), None, "{}", comment.body);
        }
    }
    assert!(told > 0, "the PRs were told");
    // Following one hostile change prints its story as text, too.
    let one = world.run(&["--pr", "4"]);
    assert_eq!(forged_log_line(&one.stdout), None, "{}", one.stdout);
}
