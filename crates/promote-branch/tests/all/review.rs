//! What a reviewer and a workflow rely on beyond the list: divergence without earlier promotions'
//! merges, `origin/NAME`, a fixed header and title, the squash-merge warning, what to do on a
//! conflict, dry-run exit codes, reverts, and what `operation` says when answers are lost.

use crate::{NAME, OWNER, World};
use fake_github::Faults;

/// `stable` after two earlier promotions merged with merge commits, a hotfix between them, and
/// `main` one commit further.
fn promoted_twice() -> World {
    let world = World::new();
    let dev = &world.dev;
    for round in 1..=2 {
        dev.checkout(&["stable"]);
        if round == 2 {
            dev.commit_file("hot.txt", "hot\n", "fix: hotfix straight on stable");
        }
        dev.git(&[
            "merge",
            "-q",
            "--no-ff",
            "main",
            "-m",
            &format!("Merge pull request #{} from acme/main", 10 + round),
        ]);
        dev.checkout(&["main"]);
        dev.commit_file(
            &format!("next{round}.txt"),
            "x\n",
            &format!("feat: round {round}"),
        );
    }
    dev.git(&["push", "-q", "origin", "main", "stable"]);
    world.fetch();
    world
}

fn dry_body(world: &World, extra: &[&str]) -> String {
    let mut args = vec!["--dry-run", "--json"];
    args.extend_from_slice(extra);
    world.promote(&args).json()["body"]
        .as_str()
        .expect("body")
        .to_string()
}

#[test]
fn divergence_lists_real_target_commits_linked_and_only_counts_merges_that_bring_nothing() {
    let world = promoted_twice();
    let body = dry_body(&world, &[]);
    let stable = world.sha("origin/stable");
    let main = world.sha("main");
    assert!(
        body.contains(&format!(
            "Only on `stable`: 1 commit, besides 2 merge commits that bring no change of their own ([compare](https://github.example/acme/widgets/compare/{main}...{stable}))"
        )),
        "{body}"
    );
    let hotfix = world
        .dev
        .git(&["log", "--format=%H", "--no-merges", "-1", "origin/stable"]);
    assert!(
        body.contains(&format!(
            "* fix: hotfix straight on stable ([{}](https://github.example/acme/widgets/commit/{hotfix}))",
            &hotfix[..7]
        )),
        "{body}"
    );
    assert!(!body.contains("Merge pull request #1"), "{body}");
}

#[test]
fn origin_slash_name_is_the_same_branch_as_name() {
    let world = World::new();
    let run = world
        .command(&[
            "--from",
            "origin/main",
            "--to",
            "origin/stable",
            "--dry-run",
            "--json",
        ])
        .output()
        .expect("run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let plan: serde_json::Value = serde_json::from_slice(&run.stdout).expect("json");
    assert_eq!(plan["source"], "origin/main");
    assert!(
        plan["title"]
            .as_str()
            .is_some_and(|t| t.starts_with("chore: promote main → stable (2 commits")),
        "{plan}"
    );
    // For real, the pull request is from `main` into `stable`.
    let created =
        crate::Run::of(&mut world.command(&["--from", "origin/main", "--to", "stable", "--json"]))
            .json();
    assert_eq!(created["operation"], "created");
    let pull = &world.open_pulls()[0];
    assert_eq!(
        (pull.head_ref.as_str(), pull.base_ref.as_str()),
        ("main", "stable")
    );
    crate::Run::of(&mut world.command(&["--from", "origin/main", "--to", "main"]))
        .fails_with(2, "--from and --to both name `main`");
}

#[test]
fn a_body_header_goes_above_the_block_on_create_and_a_fixed_title_stays_fixed() {
    let world = World::new();
    let header = "**Merge this PR with a merge commit; do not squash or rebase.**";
    let fixed = [
        "--title",
        "chore: promote main to stable",
        "--body-header",
        header,
    ];
    let run = world
        .promote(&[&["--json"][..], &fixed[..]].concat())
        .json();
    assert_eq!(run["operation"], "created");
    let pull = &world.open_pulls()[0];
    assert_eq!(pull.title, "chore: promote main to stable");
    let body = pull.body.clone().expect("body");
    assert!(
        body.starts_with(&format!("{header}\n\n<!-- tidegate:promotion:begin -->\n")),
        "{body}"
    );
    world.push_commits(&["fix: one more (#4)"]);
    let again = world
        .promote(&[&["--json"][..], &fixed[..]].concat())
        .json();
    assert_eq!(again["operation"], "updated");
    let pull = &world.open_pulls()[0];
    assert_eq!(pull.title, "chore: promote main to stable");
    let body = pull.body.clone().expect("body");
    assert_eq!(body.matches(header).count(), 1, "{body}");
    assert!(body.contains("* one more (#4)"), "{body}");

    world
        .promote(&["--body-header", "a\n<!-- tidegate:promotion:end -->\n"])
        .fails_with(2, "--body-header holds a line");
    world
        .promote(&["--title", "  "])
        .fails_with(2, "--title is empty");
}

#[test]
fn a_squash_merged_earlier_promotion_is_warned_about_in_the_log_and_the_body() {
    for (title, squash_subject) in [
        // The default title: the squash commit carries it, with GitHub's (#N).
        (
            None,
            "chore: promote main → stable (2 commits, 1234567) (#1)",
        ),
        // Any subject: the squash commit's tree is main's.
        (None, "Weekly promotion"),
        // A fixed title, with stable's own hotfix beside the squash so the trees differ.
        (
            Some("Promote main to stable"),
            "Promote main to stable (#7)",
        ),
    ] {
        let world = World::new();
        let dev = &world.dev;
        dev.checkout(&["stable"]);
        if title.is_some() {
            dev.commit_file("hot.txt", "hot\n", "fix: hotfix straight on stable");
        }
        dev.git(&["merge", "-q", "--squash", "main"]);
        let squash = dev.commit_all(squash_subject);
        dev.checkout(&["main"]);
        world.push_commits(&["feat: after the squash"]);
        dev.git(&["push", "-q", "origin", "stable"]);
        world.fetch();

        let mut args = vec!["--dry-run", "--json"];
        if let Some(title) = title {
            args.extend(["--title", title]);
        }
        let run = world.promote(&args);
        let plan = run.json();
        assert!(
            run.stderr.contains(&format!(
                "`stable` has {} \"{squash_subject}\", which looks like an earlier promotion squash-merged",
                &squash[..7]
            )),
            "{}",
            run.stderr
        );
        assert_eq!(plan["squash-merged"][0]["id"], squash);
        let body = plan["body"].as_str().expect("body");
        assert!(
            body.contains("which looks like an earlier promotion squash-merged: a squash leaves the promoted commits off `stable`, so they are listed here again"),
            "{body}"
        );
    }
    // A promotion merged with a merge commit is no such thing.
    let world = promoted_twice();
    let run = world.promote(&["--dry-run", "--json"]);
    assert!(
        run.json()["squash-merged"]
            .as_array()
            .is_some_and(Vec::is_empty)
    );
    assert!(!run.stderr.contains("squash"), "{}", run.stderr);
}

/// `main` and `stable` both changed `app.txt`.
fn conflicting() -> World {
    let world = World::new();
    world.dev.checkout(&["stable"]);
    world
        .dev
        .commit_file("app.txt", "stable's hotfix\n", "fix: hotfix on stable");
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.checkout(&["main"]);
    world
        .dev
        .commit_file("app.txt", "main's rewrite\n", "feat: rewrite the app");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    world
}

#[test]
fn on_conflict_skip_opens_no_pull_request_but_keeps_an_open_one_honest() {
    let world = conflicting();
    world.fake.reset_counts();
    let run = world.promote(&["--on-conflict", "skip", "--json"]).json();
    assert_eq!(world.fake.total_requests(), 1, "one look for an open PR");
    assert_eq!(run["operation"], "conflict");
    assert_eq!(run["conflicts"][0], "app.txt");
    assert!(world.pulls().is_empty(), "no pull request is created");
    assert_eq!(world.outputs()["operation"], "conflict");
    assert_eq!(world.outputs()["pr-number"], "");
    let summary = std::fs::read_to_string(world.summary_file()).expect("summary");
    assert!(summary.contains("no pull request opened"), "{summary}");
    assert_eq!(
        world
            .promote(&["--on-conflict", "skip", "--dry-run", "--json"])
            .json()["operation"],
        "conflict"
    );

    // A PR opened before the conflict appeared is updated, so it does not claim a clean merge.
    let world = World::new();
    assert_eq!(world.promote(&[]).code, 0);
    world.dev.checkout(&["stable"]);
    world
        .dev
        .commit_file("app.txt", "stable's hotfix\n", "fix: hotfix on stable");
    world.dev.git(&["push", "-q", "origin", "stable"]);
    world.dev.checkout(&["main"]);
    world
        .dev
        .commit_file("app.txt", "main's\n", "feat: rewrite the app");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    let run = world.promote(&["--on-conflict", "skip", "--json"]).json();
    assert_eq!(run["operation"], "updated");
    let body = world.open_pulls()[0].body.clone().expect("body");
    assert!(
        body.contains("Trial merge: **conflicts** in 1 file"),
        "{body}"
    );

    // `fail` is --fail-on-conflict; the two cannot be mixed.
    let world = conflicting();
    world
        .promote(&["--on-conflict", "fail"])
        .fails_with(1, "conflicts in 1 file: app.txt");
    assert_eq!(
        world.open_pulls().len(),
        1,
        "opened first, so people see why"
    );
    let mixed = world.promote(&["--on-conflict", "skip", "--fail-on-conflict"]);
    assert_eq!(mixed.code, 2, "{}", mixed.stderr);
}

#[test]
fn a_dry_run_exits_as_the_real_run_would() {
    let world = conflicting();
    for args in [
        &["--fail-on-conflict"][..],
        &["--on-conflict", "fail"],
        &["--mode", "merge"],
        &["--mode", "fast-forward"],
    ] {
        let real = world.promote(args).code;
        let dry = world.promote(&[args, &["--dry-run"][..]].concat());
        assert_eq!((real, dry.code), (1, 1), "{args:?}: {}", dry.stderr);
        assert!(dry.stdout.contains("Dry run: would"), "{}", dry.stdout);
    }
    let fine = World::new();
    fine.fake.reset_counts();
    assert_eq!(
        fine.promote(&["--mode", "fast-forward", "--dry-run"]).code,
        0
    );
    assert_eq!(fine.promote(&["--fail-on-conflict", "--dry-run"]).code, 0);
    assert_eq!(fine.fake.total_requests(), 0);
}

#[test]
fn github_style_reverts_are_listed_under_reverts() {
    let world = World::new();
    world.push_commits(&[
        "Revert \"fix: stop dropping the last page (#2)\" (#5)\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
    ]);
    let body = dry_body(&world, &[]);
    let reverts = body.find("### Reverts").expect("a Reverts group");
    assert!(
        body[reverts..].starts_with("### Reverts\n* fix: stop dropping the last page (#2, #5)"),
        "{body}"
    );
}

#[test]
fn operation_says_what_happened_when_answers_are_lost() {
    // Half the writes' answers are lost: a lost create is retried, meets "already exists", and
    // the PR this run created is still reported as created.
    let mut lost = 0;
    for seed in 0..6 {
        let world = World::new();
        world.fake.set_faults(Faults {
            seed,
            drop_after_write: 0.5,
            ..Faults::default()
        });
        let run = world.promote(&["--json"]);
        let creates = world.fake.request_counts()["POST /repos/{owner}/{repo}/pulls"];
        lost += usize::from(creates > 1);
        assert_eq!(
            run.json()["operation"],
            "created",
            "seed {seed}: {}",
            run.stderr
        );
        assert_eq!(world.pulls().len(), 1);
    }
    assert!(lost > 0, "no answer was lost: the test proves nothing");

    // GitHub's `stable` already has `main` (moved since the checkout): nothing was merged.
    let world = World::new();
    world.dev.git(&["push", "-q", "origin", "main:stable"]);
    let run = world.promote(&["--mode", "merge", "--json"]);
    assert_eq!(run.json()["operation"], "skipped", "{}", run.stderr);
    assert!(run.stderr.contains("nothing merged"), "{}", run.stderr);
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "stable"),
        Some(world.sha("main"))
    );
}
