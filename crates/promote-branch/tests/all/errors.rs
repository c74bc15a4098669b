//! Bad input and refusals: one line that says what to do, the right exit code, nothing created,
//! and never the token.

use crate::{NAME, OWNER, World};

#[test]
fn the_token_never_appears_in_any_output() {
    let world = World::new();
    let token = world.fake.token();
    let mut seen = String::new();
    let record = |seen: &mut String, run: crate::Run| {
        seen.push_str(&run.stdout);
        seen.push_str(&run.stderr);
    };
    record(&mut seen, world.promote(&["--json"]));
    world.push_commits(&["fix: more"]);
    // On a runner: the token is registered for masking (the runner hides that command itself).
    let mut on_actions = world.command(&["--from", "main", "--to", "stable"]);
    on_actions.env("GITHUB_ACTIONS", "true");
    let run = crate::Run::of(&mut on_actions);
    // The mask command goes to stderr, where the runner reads it too; stdout stays clean.
    assert_eq!(
        run.stderr.lines().next(),
        Some(format!("::add-mask::{token}").as_str()),
        "{}",
        run.stderr
    );
    seen.push_str(&run.stdout);
    seen.push_str(&run.stderr.replacen(&format!("::add-mask::{token}"), "", 1));
    // Failures: GitHub refusing the token's permissions, and refusing a wrong token.
    world.fake.set_read_only_token(true);
    world.push_commits(&["fix: even more"]);
    record(
        &mut seen,
        world.promote(&["--github-repo", &format!("{OWNER}/{NAME}")]),
    );
    world.fake.set_read_only_token(false);
    let mut wrong = world.command(&["--from", "main", "--to", "stable"]);
    wrong.env("GITHUB_TOKEN", "ghp_wrongtoken_never_shown_123456");
    record(&mut seen, crate::Run::of(&mut wrong));
    seen.push_str(&std::fs::read_to_string(world.output_file()).unwrap_or_default());
    seen.push_str(&std::fs::read_to_string(world.summary_file()).unwrap_or_default());
    assert!(!seen.contains(&token), "the token leaked");
    assert!(
        !seen.contains("ghp_wrongtoken_never_shown_123456"),
        "the wrong token leaked"
    );
}

#[test]
fn github_refusals_say_what_to_do() {
    let world = World::new();
    let mut wrong = world.command(&["--from", "main", "--to", "stable"]);
    wrong.env("GITHUB_TOKEN", "ghp_not_the_right_one");
    crate::Run::of(&mut wrong).fails_with(2, "GitHub rejected the token (401 Bad credentials)");

    world.fake.set_read_only_token(true);
    world
        .promote(&[])
        .fails_with(2, "give the workflow `permissions: pull-requests: write`");
    world.fake.set_read_only_token(false);

    world.fake.forbid_actions_pull_requests(true);
    world.promote(&[]).fails_with(
        2,
        "\"Allow GitHub Actions to create and approve pull requests\"",
    );
    world.fake.forbid_actions_pull_requests(false);

    world.promote(&["--github-repo", "acme/nope"]).fails_with(
        2,
        "repository acme/nope was not found, or the token cannot see it",
    );
    assert!(world.pulls().is_empty());
}

#[test]
fn bad_arguments_and_checkouts_are_refused_before_any_request() {
    let world = World::new();
    crate::Run::of(&mut world.command(&["--from", "mian", "--to", "stable"]))
        .fails_with(2, "branch `mian` exists neither on origin nor locally");
    crate::Run::of(&mut world.command(&["--from", "main", "--to", "main"]))
        .fails_with(2, "--from and --to both name `main`");
    let mut no_token = world.command(&["--from", "main", "--to", "stable"]);
    no_token.env_remove("GITHUB_TOKEN");
    crate::Run::of(&mut no_token).fails_with(2, "no GitHub token: set GITHUB_TOKEN");
    let mut other_name = world.command(&[
        "--from",
        "main",
        "--to",
        "stable",
        "--token-env",
        "PROMOTION_TOKEN",
    ]);
    other_name.env_remove("GITHUB_TOKEN");
    crate::Run::of(&mut other_name).fails_with(2, "no GitHub token: set PROMOTION_TOKEN");
    world
        .promote(&["--title", "{nope}"])
        .fails_with(2, "unknown placeholder {nope}");
    world
        .promote(&["--github-repo", "not-a-repo"])
        .fails_with(2, "write it as OWNER/NAME");
    let mut plain_http = world.command(&["--from", "main", "--to", "stable"]);
    plain_http.env("GITHUB_API_URL", "http://api.example.com");
    crate::Run::of(&mut plain_http).fails_with(2, "is not an https:// URL");

    let shallow = testkit::TestRepo::new();
    shallow.git(&[
        "fetch",
        "-q",
        "--depth",
        "1",
        &format!("file://{}", world.origin.display()),
        "+refs/heads/*:refs/remotes/origin/*",
    ]);
    let mut in_shallow = world.command(&[
        "--from",
        "main",
        "--to",
        "stable",
        "--repo",
        &shallow.path().display().to_string(),
    ]);
    crate::Run::of(&mut in_shallow).fails_with(2, "fetch-depth: 0");

    assert_eq!(world.fake.total_requests(), 0);
    assert!(world.pulls().is_empty());
}

#[test]
fn dry_run_needs_no_token_and_no_network() {
    let world = World::new();
    let mut cmd = world.command(&["--from", "main", "--to", "stable", "--dry-run"]);
    cmd.env_remove("GITHUB_TOKEN")
        .env("GITHUB_API_URL", "https://unreachable.invalid");
    let run = crate::Run::of(&mut cmd);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Dry run: would open or update the pull request, main (origin/main) → stable (origin/stable)"), "{}", run.stdout);
    assert!(run.stdout.contains(&format!(
        "Title: chore: promote main → stable (2 commits, {})",
        &world.sha("main")[..7]
    )));
    assert!(run.stdout.contains("* stop dropping the last page (#2)"));
    let outputs = world.outputs();
    assert_eq!(
        (
            outputs["operation"].as_str(),
            outputs["commit-count"].as_str()
        ),
        ("pr", "2")
    );
    let mut json = world.command(&["--from", "main", "--to", "stable", "--dry-run", "--json"]);
    json.env_remove("GITHUB_TOKEN");
    let plan = crate::Run::of(&mut json).json();
    assert_eq!(
        (plan["operation"].as_str(), plan["commit-count"].as_u64()),
        (Some("pr"), Some(2))
    );
    assert!(plan["body"].as_str().is_some_and(|b| b.contains("(#1)")));
    assert_eq!(world.fake.total_requests(), 0);
}

#[test]
fn json_on_actions_is_one_clean_document() {
    let world = World::new();
    let mut cmd = world.command(&["--from", "main", "--to", "stable", "--json"]);
    cmd.env("GITHUB_ACTIONS", "true");
    let run = crate::Run::of(&mut cmd);
    assert_eq!(run.json()["operation"], "created");
    assert!(!run.stdout.contains(&world.fake.token()));
}

#[test]
fn a_snapshot_branch_may_not_be_the_source_or_the_target() {
    let world = World::new();
    world.promote(&["--snapshot-branch", "stable"]).fails_with(
        2,
        "--snapshot-branch `stable` would move --from or --to itself",
    );
    assert_eq!(world.fake.total_requests(), 0);
}

#[test]
fn a_checkout_older_than_github_skips_when_github_has_nothing_to_promote() {
    let world = World::new();
    // Someone promoted by hand after the checkout was made.
    world.dev.git(&["push", "-q", "origin", "main:stable"]);
    let run = world.promote(&["--json"]).json();
    assert_eq!(run["operation"], "skipped");
    assert!(world.pulls().is_empty());
}
