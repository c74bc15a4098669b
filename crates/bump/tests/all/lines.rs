//! Release lines against the fake GitHub, from real histories: a line cut with its files bumped,
//! candidates on it, the voted one promoted on the same commit, the merge back, and a maintenance
//! line's patch.

use crate::github::{NAME, OWNER, World};

fn release_of(world: &World, tag: &str) -> fake_github::Release {
    world
        .fake
        .releases(OWNER, NAME)
        .into_iter()
        .find(|r| r.tag_name == tag)
        .expect("the release exists")
}

fn tag_sha(world: &World, tag: &str) -> String {
    world
        .fake
        .tag_sha(OWNER, NAME, tag)
        .expect("the tag exists")
}

#[test]
fn a_line_is_cut_takes_candidates_and_its_voted_candidate_becomes_the_release() {
    let world = World::new();
    world.push(&["feat: sprockets (#5)"]);
    let cut_from = world.checkout.head();

    // The cut: one commit on the cut commit, bumping the files to 1.1.0.
    let cut = world.run(&["cut", "1.1.0"]).ok();
    assert!(cut.stdout.contains("cut release/1.1.0"), "{}", cut.stdout);
    let line_tip = world
        .fake
        .branch_sha(OWNER, NAME, "release/1.1.0")
        .expect("the line exists");
    assert!(
        world
            .file_on("release/1.1.0", "package.json")
            .contains("\"version\": \"1.1.0\"")
    );
    assert!(
        world
            .file_on("release/1.1.0", "CHANGELOG.md")
            .contains("sprockets")
    );
    assert_eq!(
        world.checkout.git(&["rev-parse", &format!("{line_tip}^")]),
        cut_from,
        "the bump sits on the cut commit"
    );
    // Cutting again changes nothing.
    let again = world.run(&["cut", "1.1.0"]).ok();
    assert!(again.stdout.contains("was cut already"), "{}", again.stdout);
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "release/1.1.0"),
        Some(line_tip.clone())
    );

    // The first candidate, on the line's tip; a rerun makes nothing more.
    world.check_out("release/1.1.0");
    world.run(&["release", "--prerelease", "rc"]).ok();
    assert_eq!(tag_sha(&world, "v1.1.0-rc.1"), line_tip);
    let rc1 = release_of(&world, "v1.1.0-rc.1");
    assert!(rc1.prerelease && !rc1.draft);
    assert_eq!(
        world.fake.latest_release(OWNER, NAME).as_deref(),
        Some("v1.0.0")
    );
    assert!(
        rc1.body
            .as_deref()
            .unwrap_or_default()
            .contains("sprockets")
    );
    world.run(&["release", "--prerelease", "rc"]).ok();
    assert_eq!(world.fake.releases(OWNER, NAME).len(), 2);
    // A release PR on the line has nothing to propose: its version waits for the promotion.
    let pr = world.run(&["pr"]).ok();
    assert!(
        pr.stderr.contains("bump promote v1.1.0-rc.1"),
        "{}",
        pr.stderr
    );
    assert!(world.pulls().is_empty());

    // A fix on the line makes the second candidate: its notes say what is new since rc.1, then
    // everything since 1.0.0.
    world.push_on("release/1.1.0", &["fix: sprocket leak (#6)"]);
    let fixed = world.checkout.head();
    world.run(&["release", "--prerelease", "rc"]).ok();
    assert_eq!(tag_sha(&world, "v1.1.0-rc.2"), fixed);
    let body = release_of(&world, "v1.1.0-rc.2").body.unwrap_or_default();
    let (recent, everything) = body
        .split_once("## Everything since v1.0.0")
        .expect("two parts");
    assert!(
        recent.contains("sprocket leak") && !recent.contains("* sprockets"),
        "{body}"
    );
    assert!(
        everything.contains("sprocket leak") && everything.contains("* sprockets"),
        "{body}"
    );

    // Only the newest candidate is promoted, once, on its own commit.
    world
        .run(&["promote", "v1.1.0-rc.1"])
        .fails_with(1, "v1.1.0-rc.2 is");
    assert!(world.fake.tag_sha(OWNER, NAME, "v1.1.0").is_none());
    world.run(&["promote", "v1.1.0-rc.2"]).ok();
    assert_eq!(tag_sha(&world, "v1.1.0"), fixed);
    let final_release = release_of(&world, "v1.1.0");
    assert!(!final_release.prerelease && !final_release.draft);
    assert_eq!(
        world.fake.latest_release(OWNER, NAME).as_deref(),
        Some("v1.1.0")
    );
    let notes = final_release.body.unwrap_or_default();
    assert!(
        notes.contains("sprocket leak") && notes.contains("sprockets"),
        "{notes}"
    );
    assert!(!notes.contains("Everything since"), "{notes}");
    // The line's changelog, written at the cut, now holds the fix too, under one 1.1.0 section.
    let changelog = world.file_on("release/1.1.0", "CHANGELOG.md");
    assert_eq!(changelog.matches("sprocket leak").count(), 1, "{changelog}");
    assert_eq!(changelog.matches("## [1.1.0]").count(), 1, "{changelog}");
    assert_eq!(
        tag_sha(&world, "v1.1.0"),
        fixed,
        "the tag stays on the voted commit"
    );
    world
        .run(&["promote", "v1.1.0-rc.2"])
        .fails_with(1, "promoted already");
    // No more candidates once the final release exists.
    world.run(&["release", "--prerelease", "rc"]).ok();
    assert!(world.fake.tag_sha(OWNER, NAME, "v1.1.0-rc.3").is_none());

    // The merge back into main; main's next notes list nothing the line released.
    world.pull();
    world.dev.git(&["fetch", "-q", "origin", "release/1.1.0"]);
    world
        .dev
        .merge("FETCH_HEAD", "Merge branch 'release/1.1.0'");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.push(&["feat: gears (#7)"]);
    assert!(
        world
            .checkout
            .read("CHANGELOG.md")
            .contains("sprocket leak")
    );
    let next = world.run(&["version", "--json"]).ok().json();
    assert_eq!(next["next"], "1.2.0");
    assert_eq!(next["previous_tag"], "v1.1.0");
    assert_eq!(next["types"]["feat"], 1, "{next}");
    let proposal = world.run(&["pr", "--dry-run", "--json"]).ok().json();
    let body = proposal["body"].as_str().unwrap_or_default();
    assert!(
        body.contains("gears") && !body.contains("sprocket"),
        "{body}"
    );

    // A maintenance line from the final tag, and its patch through a release PR on the line.
    world.run(&["cut", "--hotfix", "v1.1.0"]).ok();
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "release/1.1.x"),
        Some(fixed.clone())
    );
    world.push_on("release/1.1.x", &["fix: urgent (#8)"]);
    world.run(&["pr"]).ok();
    let pull = world.open_pull();
    assert_eq!(pull.base_ref, "release/1.1.x");
    assert!(pull.title.ends_with("release 1.1.1"), "{}", pull.title);
    world.fake.merge_pull(OWNER, NAME, pull.number, "squash");
    world.check_out("release/1.1.x");
    world.release();
    let patch = release_of(&world, "v1.1.1");
    assert!(!patch.prerelease);
    assert_eq!(
        world.fake.latest_release(OWNER, NAME).as_deref(),
        Some("v1.1.1")
    );
    let patch_notes = patch.body.unwrap_or_default();
    assert!(
        patch_notes.contains("urgent") && !patch_notes.contains("sprocket"),
        "{patch_notes}"
    );
}

#[test]
fn a_feature_on_a_line_is_reported_and_refused_when_configured() {
    let world = World::new();
    world.run(&["cut", "1.1.0"]).ok();
    world.push_on("release/1.1.0", &["feat: sneaked in (#9)"]);
    let run = world.run(&["release", "--prerelease", "rc"]).ok();
    assert!(
        run.stderr.contains("sneaked in") && run.stderr.contains("(feat, by"),
        "{}",
        run.stderr
    );
    assert!(world.fake.tag_sha(OWNER, NAME, "v1.1.0-rc.1").is_some());

    world.push_on("release/1.1.0", &["feat: another (#10)"]);
    world.checkout.write(
        "tidegate.toml",
        "release-type = \"node\"\n[release-lines]\nrefuse-other-types = true\n",
    );
    world
        .run(&["release", "--prerelease", "rc"])
        .fails_with(1, "refuse-other-types");
    assert!(world.fake.tag_sha(OWNER, NAME, "v1.1.0-rc.2").is_none());
}

#[test]
fn a_teams_candidate_spelling_is_kept_and_the_final_is_only_made_by_promote() {
    let world = World::new();
    world.run(&["cut", "1.1.0"]).ok();
    // The team tagged its first candidate by hand, in its own spelling.
    world.dev.git(&["fetch", "-q", "origin", "release/1.1.0"]);
    world.dev.git(&["tag", "v1.1.0-rc1", "FETCH_HEAD"]);
    world.dev.git(&["push", "-q", "origin", "v1.1.0-rc1"]);
    world.push_on("release/1.1.0", &["fix: one (#3)"]);
    world.run(&["release", "--prerelease", "rc"]).ok();
    assert!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0-rc2").is_some(),
        "{:?}",
        world.tags()
    );
    // A plain release on the line would publish unvoted bits: refused.
    world
        .run(&["release"])
        .fails_with(1, "bump promote v1.1.0-rc2");
    assert!(world.fake.tag_sha(OWNER, NAME, "v1.1.0").is_none());
}

#[test]
fn bad_line_inputs_get_one_line_each() {
    let world = World::new();
    world
        .run(&["cut", "1.1"])
        .fails_with(2, "not a version to cut a line for");
    world.run(&["cut", "1.0.0"]).fails_with(2, "1.0.0");
    world
        .run(&["cut", "--hotfix", "v9.9.9"])
        .fails_with(2, "no release tag `v9.9.9`");
    world
        .run(&["promote", "v1.0.0"])
        .fails_with(2, "not a candidate");
    assert!(world.fake.branch_sha(OWNER, NAME, "release/1.1").is_none());
}

#[test]
fn a_line_cut_with_a_pr_takes_its_bump_through_review() {
    let world = World::new();
    world.push(&["feat: sprockets (#5)"]);
    let cut_from = world.checkout.head();
    world.checkout.write(
        "tidegate.toml",
        "release-type = \"node\"\n[release-lines]\ncut-with = \"pr\"\n",
    );
    world.run(&["cut", "1.1.0"]).ok();
    // The line starts at the cut commit itself; the bump waits in a release PR into it.
    assert_eq!(
        world.fake.branch_sha(OWNER, NAME, "release/1.1.0"),
        Some(cut_from)
    );
    let pull = world.open_pull();
    assert_eq!(pull.base_ref, "release/1.1.0");
    assert_eq!(pull.title, "chore(release/1.1.0): release 1.1.0");
    world.fake.merge_pull(OWNER, NAME, pull.number, "squash");
    world.check_out("release/1.1.0");
    world.run(&["release", "--prerelease", "rc"]).ok();
    assert_eq!(
        world.fake.tag_sha(OWNER, NAME, "v1.1.0-rc.1"),
        Some(world.checkout.head())
    );
}

/// What each step of a line costs (printed for the README with `--nocapture`).
#[test]
fn api_cost_of_a_line() {
    let world = World::new();
    let cost = |label: &str, run: &dyn Fn()| world.cost(label, run);
    world.push(&["feat: sprockets (#5)"]);
    let cut = cost("bump cut", &|| {
        world.run(&["cut", "1.1.0"]).ok();
    });
    world.check_out("release/1.1.0");
    for (path, text) in [("dist/a.bin", "a"), ("dist/b.bin", "b")] {
        world.checkout.write(path, text);
    }
    let candidate = cost("bump release --prerelease rc, 2 assets", &|| {
        world
            .run(&["release", "--prerelease", "rc", "--assets", "dist/*"])
            .ok();
    });
    let again = cost("bump release --prerelease rc, nothing new", &|| {
        world
            .run(&["release", "--prerelease", "rc", "--assets", "dist/*"])
            .ok();
    });
    let promote = cost("bump promote, 2 assets", &|| {
        world.run(&["promote", "v1.1.0-rc.1"]).ok();
    });
    let hotfix = cost("bump cut --hotfix", &|| {
        world.run(&["cut", "--hotfix", "v1.1.0"]).ok();
    });
    assert!(cut.1 <= 3, "{cut:?}");
    // The release, its assets (2 files, SHA256SUMS and 2 .sha512) and the publication.
    assert!(candidate.1 <= 8, "{candidate:?}");
    assert_eq!(again.1, 0, "{again:?}");
    assert!(promote.1 <= 8, "{promote:?}");
    assert!(hotfix.1 <= 1, "{hotfix:?}");
}

#[test]
fn a_line_cut_from_an_earlier_commit_leaves_the_checkout_alone() {
    let world = World::new();
    world.push(&["feat: sprockets (#5)"]);
    let earlier = world.checkout.head();
    world.push(&["feat: gears (#6)"]);
    world.run(&["cut", "1.1.0", "--from", &earlier]).ok();
    let tip = world
        .fake
        .branch_sha(OWNER, NAME, "release/1.1.0")
        .expect("the line");
    let changelog = world.file_on("release/1.1.0", "CHANGELOG.md");
    assert_eq!(
        world.checkout.git(&["rev-parse", &format!("{tip}^")]),
        earlier
    );
    assert!(
        changelog.contains("sprockets") && !changelog.contains("gears"),
        "{changelog}"
    );
    // The temporary checkout of the earlier commit is gone, and the user's is as it was.
    assert_eq!(world.checkout.git(&["worktree", "list"]).lines().count(), 1);
    assert_eq!(world.checkout.git(&["status", "--porcelain"]), "");
}

#[test]
fn a_fix_merged_with_its_working_commits_is_a_fix_and_a_feature_merged_is_reported() {
    let world = World::new();
    world.run(&["cut", "1.1.0"]).ok();
    let merge_in = |branch: &str, commits: &[&str], message: &str| {
        let dev = &world.dev;
        dev.git(&["fetch", "-q", "origin", "release/1.1.0"]);
        dev.git(&["checkout", "-q", "-B", "release/1.1.0", "FETCH_HEAD"]);
        dev.git(&["checkout", "-q", "-b", branch]);
        for (i, subject) in commits.iter().enumerate() {
            dev.commit_file(&format!("{branch}-{i}.txt"), subject, subject);
        }
        dev.git(&["checkout", "-q", "release/1.1.0"]);
        dev.git(&["merge", "-q", "--no-ff", branch, "-m", message]);
        dev.git(&["push", "-q", "origin", "release/1.1.0"]);
        dev.git(&["checkout", "-q", "main"]);
    };
    // GitHub's merge button: the PR title under "Merge pull request"; the PR's own commits are
    // working steps of that fix.
    merge_in(
        "fix-schema",
        &["lint", "address review comments"],
        "Merge pull request #12 from a/fix-schema\n\nfix: null schema",
    );
    world.check_out("release/1.1.0");
    let quiet = world.run(&["release", "--prerelease", "rc"]).ok();
    assert!(!quiet.stderr.contains("does not take"), "{}", quiet.stderr);
    // A plain merge carries its commits as they are.
    merge_in("topic", &["feat: sneaked in"], "Merge branch 'topic'");
    world.check_out("release/1.1.0");
    let said = world.run(&["release", "--prerelease", "rc"]).ok();
    assert!(
        said.stderr
            .contains("1 commit a release line does not take")
            && said.stderr.contains("sneaked in"),
        "{}",
        said.stderr
    );
}

#[test]
fn a_monorepo_packages_line_carries_its_component() {
    let package =
        |name: &str| format!("{{\n  \"name\": \"{name}\",\n  \"version\": \"1.0.0\"\n}}\n");
    let (a, b) = (package("a"), package("b"));
    let world = World::with_files(
        fake_github::FakeGitHub::start(),
        &[
            (
                "release-please-config.json",
                r#"{"packages": {"packages/a": {"release-type": "node"}, "packages/b": {"release-type": "node"}}}"#,
            ),
            (
                ".release-please-manifest.json",
                "{\"packages/a\": \"1.0.0\", \"packages/b\": \"1.0.0\"}\n",
            ),
            ("packages/a/package.json", &a),
            ("packages/b/package.json", &b),
        ],
        &["a-v1.0.0", "b-v1.0.0"],
    );
    world.pull();
    world
        .dev
        .commit_file("packages/a/x.js", "x", "feat(a): more a");
    world.dev.git(&["push", "-q", "origin", "main"]);
    world.fetch();
    world.run(&["cut", "1.1.0", "--package", "packages/a"]).ok();
    assert!(
        world
            .fake
            .branch_sha(OWNER, NAME, "release/a-1.1.0")
            .is_some()
    );
    world.check_out("release/a-1.1.0");
    world
        .run(&["release", "--prerelease", "rc", "--package", "packages/a"])
        .ok();
    assert!(
        world.fake.tag_sha(OWNER, NAME, "a-v1.1.0-rc.1").is_some(),
        "{:?}",
        world.tags()
    );
    world.run(&["promote", "a-v1.1.0-rc.1"]).ok();
    assert!(world.fake.tag_sha(OWNER, NAME, "a-v1.1.0").is_some());
    assert!(world.tags().iter().all(|t| !t.starts_with("b-v1.1")));
}
