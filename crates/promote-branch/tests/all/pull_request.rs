//! PR mode: create, update in place keeping people's text, skip, what each costs in requests, and
//! a promotion too long for one body.

use crate::{NAME, OWNER, World};
use tidegate_core::promotion::{BLOCK_BEGIN, BLOCK_END, BODY_LIMIT};

const LIST: &str = "GET /repos/{owner}/{repo}/pulls";
const UPDATE: &str = "PATCH /repos/{owner}/{repo}/pulls/{pull_number}";

#[test]
fn first_run_creates_then_new_commits_update_the_same_pull_request_and_nothing_new_skips() {
    let world = World::new();
    let main = world.sha("main");

    let created = world
        .promote(&["--json", "--labels", "promotion,release"])
        .json();
    assert_eq!(created["operation"], "created");
    let create_cost = world.fake.total_requests();
    let pulls = world.open_pulls();
    assert_eq!(pulls.len(), 1);
    let pull = &pulls[0];
    assert_eq!(created["pr-number"], pull.number);
    assert_eq!(
        (pull.head_ref.as_str(), pull.base_ref.as_str()),
        ("main", "stable")
    );
    assert_eq!(
        pull.title,
        format!("chore: promote main → stable (2 commits, {})", &main[..7])
    );
    let body = pull.body.clone().expect("body");
    assert!(
        body.contains("* **api:** add the widgets endpoint (#1)"),
        "{body}"
    );
    assert!(
        body.contains("* stop dropping the last page (#2)"),
        "{body}"
    );
    assert_eq!(pull.labels, ["promotion", "release"]);
    let outputs = world.outputs();
    assert_eq!(outputs["operation"], "created");
    assert_eq!(outputs["pr-number"], pull.number.to_string());
    assert_eq!(outputs["commit-count"], "2");
    assert_eq!(outputs["head-sha"], main);
    assert!(outputs["pr-url"].ends_with(&format!("/{OWNER}/{NAME}/pull/{}", pull.number)));
    let summary = std::fs::read_to_string(world.summary_file()).expect("summary");
    assert!(summary.contains("created [#"), "{summary}");

    // A reviewer writes around the block.
    let edited = format!("Please check the migration first.\n\n{body}\n\n- [x] QA signed off\n");
    world.fake.set_pull_body(OWNER, NAME, pull.number, &edited);
    world.push_commits(&["feat(ui): dark mode (#3)"]);
    world.fake.reset_counts();
    let updated = world
        .promote(&["--json", "--labels", "promotion,release"])
        .json();
    assert_eq!(updated["operation"], "updated");
    let update_counts = world.fake.request_counts();
    let after = world.open_pulls();
    assert_eq!(after.len(), 1);
    assert_eq!(after[0].number, pull.number);
    assert_eq!(
        after[0].title,
        format!(
            "chore: promote main → stable (3 commits, {})",
            &world.sha("main")[..7]
        )
    );
    let new_body = after[0].body.clone().expect("body");
    assert!(new_body.starts_with(&format!(
        "Please check the migration first.\n\n{BLOCK_BEGIN}"
    )));
    assert!(
        new_body.ends_with(&format!("{BLOCK_END}\n\n- [x] QA signed off\n")),
        "{new_body}"
    );
    assert!(new_body.contains("* **ui:** dark mode (#3)"));
    assert_eq!(update_counts.get(LIST), Some(&1), "{update_counts:?}");
    assert_eq!(update_counts.get(UPDATE), Some(&1), "{update_counts:?}");
    let update_cost: usize = update_counts.values().sum();

    // The same commits again: the PR already says it all.
    world.fake.reset_counts();
    let same = world
        .promote(&["--json", "--labels", "promotion,release"])
        .json();
    assert_eq!(
        (same["operation"].as_str(), same["pr-number"].as_u64()),
        (Some("skipped"), Some(pull.number))
    );
    let unchanged_cost = world.fake.total_requests();
    assert_eq!(
        world.open_pulls()[0].body.as_deref(),
        Some(new_body.as_str())
    );

    // stable catches up: nothing to promote, and no request at all.
    world.dev.git(&["push", "-q", "origin", "main:stable"]);
    world.fetch();
    world.fake.reset_counts();
    let nothing = world.promote(&["--json"]).json();
    assert_eq!(
        (
            nothing["operation"].as_str(),
            nothing["commit-count"].as_u64()
        ),
        (Some("skipped"), Some(0))
    );
    assert_eq!(world.fake.total_requests(), 0);
    let summary = std::fs::read_to_string(world.summary_file()).expect("summary");
    assert!(summary.contains("nothing to promote"), "{summary}");

    assert!(update_cost <= 4, "{update_cost}");
    eprintln!(
        "requests: create {create_cost}, update {update_cost}, unchanged {unchanged_cost}, nothing new 0"
    );
    assert!(
        world.fake.contract_violations().is_empty(),
        "{:?}",
        world.fake.contract_violations()
    );
}

#[test]
fn a_three_thousand_commit_promotion_fits_one_body_and_updates_in_two_requests() {
    let world = World::new();
    assert_eq!(world.promote(&[]).code, 0);
    // 3,000 commits, written straight into history with fast-import (seconds, not minutes).
    let mut stream = String::new();
    let parent = world.sha("main");
    for n in 0..3_000 {
        let message = format!(
            "feat(area{n}): a change described at some length, number {n} (#{})\n",
            n + 10
        );
        stream.push_str(&format!(
            "commit refs/heads/main\ncommitter Dev <dev@example.org> {} +0000\ndata {}\n{message}",
            1_800_000_000 + n,
            message.len()
        ));
        if n == 0 {
            stream.push_str(&format!("from {parent}\n"));
        }
        stream.push('\n');
    }
    let mut import = std::process::Command::new("git")
        .args(["fast-import", "--quiet"])
        .current_dir(world.dev.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("fast-import");
    std::io::Write::write_all(import.stdin.as_mut().expect("stdin"), stream.as_bytes())
        .expect("stream");
    assert!(import.wait().expect("fast-import").success());
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();

    world.fake.reset_counts();
    let run = world.promote(&["--json"]).json();
    assert_eq!(run["operation"], "updated");
    assert_eq!(run["commit-count"], 3_002);
    assert!(
        world.fake.total_requests() <= 4,
        "{:?}",
        world.fake.request_counts()
    );
    let body = world.open_pulls()[0].body.clone().expect("body");
    assert!(
        body.chars().count() < BODY_LIMIT,
        "{}",
        body.chars().count()
    );
    let shown = body.lines().filter(|l| l.starts_with("* ")).count();
    assert!(shown > 100, "{shown}");
    assert!(
        body.contains(&format!("…and {} more commits", 3_002 - shown)),
        "{}",
        &body[body.len() - 300..]
    );
}

#[test]
fn eight_runs_started_at_once_leave_exactly_one_pull_request() {
    let world = World::new();
    let commands: Vec<_> = (0..8)
        .map(|_| world.command(&["--from", "main", "--to", "stable", "--json"]))
        .collect();
    let runs: Vec<_> = std::thread::scope(|scope| {
        let handles: Vec<_> = commands
            .into_iter()
            .map(|mut cmd| scope.spawn(move || crate::Run::of(&mut cmd)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut operations: Vec<String> = runs
        .iter()
        .map(|r| {
            r.json()["operation"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    operations.sort();
    assert_eq!(world.pulls().len(), 1, "{:?}", world.pulls());
    assert_eq!(
        operations.iter().filter(|o| *o == "created").count(),
        1,
        "{operations:?}"
    );
    let numbers: std::collections::BTreeSet<_> = runs
        .iter()
        .map(|r| r.json()["pr-number"].clone().to_string())
        .collect();
    assert_eq!(numbers.len(), 1, "{numbers:?}");
    assert!(
        world.pulls()[0]
            .body
            .as_deref()
            .is_some_and(|b| b.matches(BLOCK_BEGIN).count() == 1)
    );
}

#[test]
fn new_pull_requests_get_reviewers_assignees_and_draft_and_a_snapshot_head_when_asked() {
    let world = World::new();
    world.fake.add_collaborator(OWNER, NAME, "grace");
    world.fake.add_collaborator(OWNER, NAME, "linus");
    let run = world
        .promote(&[
            "--json",
            "--reviewers",
            "grace",
            "--assignees",
            "linus",
            "--draft",
            "--snapshot-branch",
            "promote/main-to-stable",
            "--title",
            "Promote {source} into {target}: {count} at {sha}",
        ])
        .json();
    assert_eq!(run["operation"], "created");
    let pull = &world.open_pulls()[0];
    assert_eq!(pull.requested_reviewers, ["grace"]);
    assert_eq!(pull.assignees, ["linus"]);
    assert!(pull.draft);
    assert_eq!(pull.head_ref, "promote/main-to-stable");
    assert_eq!(pull.head_sha, world.sha("main"));
    assert_eq!(
        pull.title,
        format!("Promote main into stable: 2 at {}", &world.sha("main")[..7])
    );
    // main moves on; the snapshot does not until the next run.
    world.push_commits(&["fix: later"]);
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "promote/main-to-stable"),
        Some(pull.head_sha.clone())
    );
    let again = world
        .promote(&["--json", "--snapshot-branch", "promote/main-to-stable"])
        .json();
    assert_eq!(
        (again["operation"].as_str(), again["pr-number"].as_u64()),
        (Some("updated"), Some(pull.number))
    );
    assert_eq!(world.open_pulls()[0].head_sha, world.sha("main"));
    assert!(
        world.fake.contract_violations().is_empty(),
        "{:?}",
        world.fake.contract_violations()
    );
}

#[test]
fn conflicts_and_divergence_are_told_on_the_pull_request_and_can_fail_the_run() {
    let world = World::new();
    world.dev.checkout(&["stable"]);
    world.dev.commit_file(
        "app.txt",
        "stable's hotfix\n",
        "fix: hotfix straight on stable",
    );
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.checkout(&["main"]);
    world
        .dev
        .commit_file("app.txt", "main's rewrite\n", "feat: rewrite the app");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();

    let run = world.promote(&["--fail-on-conflict"]);
    run.fails_with(1, "conflicts in 1 file: app.txt");
    assert!(
        run.stderr
            .contains("warning: the trial merge of `main` into `stable` conflicts in: app.txt"),
        "{}",
        run.stderr
    );
    let body = world.open_pulls()[0]
        .body
        .clone()
        .expect("the PR is still opened");
    assert!(
        body.contains("Trial merge: **conflicts** in 1 file"),
        "{body}"
    );
    assert!(body.contains("* `app.txt`"));
    assert!(body.contains("Only on `stable`: 1 commit"), "{body}");
    assert_eq!(world.outputs()["conflicts"], "app.txt");
    // Without the flag the same state is a warning only.
    assert_eq!(world.promote(&[]).code, 0);
}
