//! Eight runs of `bump` started at once, each in its own copy of the runner's checkout as eight
//! workflow runs would be, against one fake GitHub: they leave the state one run leaves.

use crate::github::{BRANCH, NAME, OWNER, World};
use testkit::Run;
use testkit::concurrent::{all_succeeded, at_once};

const RUNS: usize = 8;

/// Eight copies of the world's checkout as it is now (each run writes tags into its own).
fn checkouts(world: &World) -> Vec<tempfile::TempDir> {
    (0..RUNS)
        .map(|_| {
            let dir = tempfile::tempdir().expect("temp dir");
            let copied = std::process::Command::new("cp")
                .arg("-a")
                .arg(format!("{}/.", world.checkout.path().display()))
                .arg(dir.path())
                .status()
                .expect("cp");
            assert!(copied.success());
            dir
        })
        .collect()
}

/// Eight runs of `bump ARGS` at once, each in its own checkout.
fn eight(world: &World, args: &[&str]) -> Vec<Run> {
    let dirs = checkouts(world);
    at_once(dirs.iter().map(|dir| {
        let mut cmd = world.std_command(args);
        cmd.current_dir(dir.path()).env_remove("GITHUB_OUTPUT");
        cmd
    }))
}

fn releases_of(world: &World, tag: &str) -> Vec<fake_github::Release> {
    world
        .fake
        .releases(OWNER, NAME)
        .into_iter()
        .filter(|r| r.tag_name == tag)
        .collect()
}

fn count_tags(world: &World, tag: &str) -> usize {
    world.tags().iter().filter(|t| *t == tag).count()
}

#[test]
fn eight_release_prs_at_once_leave_one_pr_on_one_release_commit() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    let runs = eight(&world, &["pr"]);
    all_succeeded(&runs);
    let pulls = world.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(pulls[0].head_ref, BRANCH);
    assert_eq!(pulls[0].title, "chore(main): release 1.1.0");
    // One commit on the base's tip, holding the bump.
    let tip = world.fake.branch_sha(OWNER, NAME, BRANCH).expect("branch");
    world.fetch();
    let parent = world.checkout.git(&["rev-parse", &format!("{tip}^")]);
    assert_eq!(parent, world.checkout.head());
    assert!(
        world
            .file_on(BRANCH, "package.json")
            .contains("\"version\": \"1.1.0\"")
    );
}

#[test]
fn eight_release_prs_at_once_update_the_open_one_in_place() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    let number = world.open_pull().number;
    world.push(&["feat!: drop the cog API (#5)"]);
    let runs = eight(&world, &["pr"]);
    all_succeeded(&runs);
    let pulls = world.pulls();
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    assert_eq!(pulls[0].number, number);
    assert_eq!(pulls[0].title, "chore(main): release 2.0.0");
    assert!(
        world
            .file_on(BRANCH, "package.json")
            .contains("\"version\": \"2.0.0\"")
    );
}

#[test]
fn eight_releases_with_assets_at_once_leave_one_release_with_each_asset_once() {
    let world = World::new();
    world.push(&["feat: add the sprocket API (#4)"]);
    world.pr();
    world.merge("merge");
    world
        .checkout
        .write("dist/app-linux.tar.gz", "the linux build");
    world.checkout.write("dist/NOTICE.txt", "notice");
    let runs = eight(&world, &["release", "--assets", "dist/*"]);
    all_succeeded(&runs);
    assert_eq!(count_tags(&world, "v1.1.0"), 1);
    let releases = releases_of(&world, "v1.1.0");
    assert_eq!(releases.len(), 1, "{releases:?}");
    assert!(!releases[0].draft, "{releases:?}");
    let assets = world.fake.release_assets(OWNER, NAME, "v1.1.0");
    let mut names: Vec<&str> = assets.iter().map(|a| a.name.as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "NOTICE.txt",
            "NOTICE.txt.sha512",
            "SHA256SUMS",
            "app-linux.tar.gz",
            "app-linux.tar.gz.sha512"
        ]
    );
    assert!(assets.iter().all(|a| a.state == "uploaded"), "{assets:?}");
    // No leftover draft of any run.
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 2);
}

#[test]
fn eight_cuts_at_once_leave_one_line_with_one_bump_commit() {
    let world = World::new();
    world.push(&["feat: sprockets (#5)"]);
    let cut_from = world.checkout.head();
    let runs = eight(&world, &["cut", "1.1.0"]);
    all_succeeded(&runs);
    let tip = world
        .fake
        .branch_sha(OWNER, NAME, "release/1.1.0")
        .expect("the line exists");
    world.fetch();
    assert_eq!(
        world.checkout.git(&["rev-parse", &format!("{tip}^")]),
        cut_from
    );
    assert!(
        world
            .file_on("release/1.1.0", "package.json")
            .contains("\"version\": \"1.1.0\"")
    );
}

#[test]
fn eight_candidates_at_once_leave_one_rc_1_and_a_promotion_one_final_release() {
    let world = World::new();
    world.push(&["feat: sprockets (#5)"]);
    world.run(&["cut", "1.1.0"]).ok();
    world.check_out("release/1.1.0");
    let line_tip = world.checkout.head();

    let runs = eight(&world, &["release", "--prerelease", "rc"]);
    all_succeeded(&runs);
    let candidates: Vec<String> = world
        .tags()
        .into_iter()
        .filter(|t| t.starts_with("v1.1.0"))
        .collect();
    assert_eq!(candidates, ["v1.1.0-rc.1"]);
    assert_eq!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0-rc.1"),
        Some(line_tip.clone())
    );
    assert_eq!(releases_of(&world, "v1.1.0-rc.1").len(), 1);

    world.fetch();
    let runs = eight(&world, &["promote", "v1.1.0-rc.1"]);
    // A run that starts after another one finished finds the promotion made and says so, as
    // promoting a candidate twice does (exit 1); the others finish the one promotion together.
    for run in &runs {
        assert!(
            run.code == 0 || (run.code == 1 && run.stderr.contains("was promoted already")),
            "exit {}: {}",
            run.code,
            run.stderr
        );
    }
    assert!(runs.iter().any(|r| r.code == 0));
    assert_eq!(count_tags(&world, "v1.1.0"), 1);
    assert_eq!(world.fake.tag_sha(OWNER, NAME, "v1.1.0"), Some(line_tip));
    let finals = releases_of(&world, "v1.1.0");
    assert_eq!(finals.len(), 1, "{finals:?}");
    assert!(!finals[0].prerelease && !finals[0].draft);
    assert_eq!(
        world.fake.latest_release(OWNER, NAME).as_deref(),
        Some("v1.1.0")
    );
}
