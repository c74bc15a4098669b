//! From the checkout alone: a PR squash-merged to `main`, promoted to `stable`, released as a
//! candidate and a final, cherry-picked to a maintenance line.

use crate::support::{branch, promote, river, run};

#[test]
fn follows_a_fix_from_main_to_stable_to_its_releases_and_backport() {
    let (repo, fix) = river();
    let dir = repo.path();

    // Squash-merged to main: found by its PR number, on main only.
    let json = run(dir, &["--pr", "12", "--json"]).json();
    assert_eq!(json["commit"], fix.as_str());
    assert_eq!(json["pr"], 12);
    assert_eq!(branch(&json, "main")["contains"], true);
    assert_eq!(branch(&json, "main")["how"], "commit");
    assert_eq!(branch(&json, "main")["arrived_by"]["commit"], fix.as_str());
    assert_eq!(branch(&json, "stable")["contains"], false);
    assert!(json["release"].is_null() && json["prerelease"].is_null());
    assert!(json["environments"].is_null(), "no token, no environments");
    assert_eq!(branch(&json, "release/1.3.x"), &serde_json::Value::Null);

    // Promoted: stable holds it, through the promotion PR's merge commit.
    let merge = promote(&repo, 15);
    let json = run(dir, &["--commit", &fix, "--json"]).json();
    let stable = branch(&json, "stable");
    assert_eq!(stable["contains"], true);
    assert_eq!(stable["arrived_by"]["commit"], merge.as_str());
    assert_eq!(stable["arrived_by"]["merge"], true);
    assert_eq!(stable["arrived_by"]["pr"], 15);
    assert_eq!(stable["arrived_by"]["pr_confirmed"], false, "no token");
    let text = run(dir, &["--commit", &fix]).ok().stdout;
    assert!(text.contains("via #15"), "{text}");

    // A candidate, then the final release, both tagged on stable.
    repo.checkout(&["stable"]);
    repo.tag("v1.4.0-rc.1");
    let json = run(dir, &["--pr", "12", "--json"]).json();
    assert_eq!(json["prerelease"]["tag"], "v1.4.0-rc.1");
    assert!(json["release"].is_null());
    repo.commit_file("VERSION", "1.4.0\n", "chore: release 1.4.0");
    repo.tag("v1.4.0");
    repo.checkout(&["main"]);
    let json = run(dir, &["--pr", "12", "--json"]).json();
    assert_eq!(json["release"]["tag"], "v1.4.0");
    assert_eq!(json["prerelease"]["tag"], "v1.4.0-rc.1");

    // Cherry-picked (with -x) to the maintenance line and released there as 1.3.1: that line
    // holds it by patch, and 1.3.1 is now the first release holding it.
    repo.checkout(&["release/1.3.x"]);
    repo.git(&["cherry-pick", "-x", &fix]);
    let copy = repo.head();
    repo.tag("v1.3.1");
    repo.checkout(&["main"]);
    let json = run(dir, &["--pr", "12", "--json"]).json();
    let line = branch(&json, "release/1.3.x");
    assert_eq!(line["contains"], true);
    assert_eq!(line["how"], "patch");
    assert_eq!(line["carrier"], copy.as_str());
    assert_eq!(json["release"]["tag"], "v1.3.1");
}

#[test]
fn finds_a_cherry_pick_without_its_trailer_by_its_patch() {
    let (repo, fix) = river();
    repo.checkout(&["stable"]);
    repo.git(&["cherry-pick", &fix]);
    let copy = repo.head();
    repo.checkout(&["main"]);
    let json = run(repo.path(), &["--commit", &fix[..10], "--json"]).json();
    let stable = branch(&json, "stable");
    assert_eq!(stable["how"], "patch");
    assert_eq!(stable["carrier"], copy.as_str());
    // The copy arrived on stable by itself, not through a merge.
    assert_eq!(stable["arrived_by"]["merge"], false);
}

#[test]
fn finds_a_pr_merged_with_a_merge_commit() {
    let (repo, _) = river();
    repo.git(&["checkout", "-q", "-b", "topic"]);
    let topic = repo.commit_file("topic.txt", "t\n", "feat: topic");
    repo.checkout(&["main"]);
    let merge = repo.merge(
        "topic",
        "Merge pull request #20 from acme/topic\n\nfeat: topic",
    );
    let json = run(repo.path(), &["--pr", "20", "--json"]).json();
    assert_eq!(json["commit"], merge.as_str());
    // The topic commit itself arrived on main through that merge.
    let json = run(repo.path(), &["--commit", &topic, "--json"]).json();
    assert_eq!(branch(&json, "main")["arrived_by"]["pr"], 20);
}

#[test]
fn without_a_river_follows_main_alone() {
    let (repo, fix) = river();
    std::fs::remove_file(repo.path().join("tidegate.toml")).expect("remove");
    let json = run(repo.path(), &["--commit", &fix, "--json"]).json();
    let names: Vec<_> = json["branches"]
        .as_array()
        .expect("branches")
        .iter()
        .map(|b| b["branch"].clone())
        .collect();
    assert_eq!(names, ["main"]);
}

#[test]
fn in_a_monorepo_the_package_a_change_touches_gives_the_releases() {
    let repo = testkit::TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"packages/a\"]\ncomponent = \"a\"\n\n[packages.\"packages/b\"]\ncomponent = \"b\"\n",
    );
    repo.commit_all("chore: two packages");
    let fix = repo.commit_file("packages/a/lib.txt", "fixed\n", "fix(a): the fix");
    repo.tag("a-v1.0.1");
    repo.commit_file("packages/b/lib.txt", "b\n", "feat(b): more");
    repo.tag("b-v2.0.0");
    let dir = repo.path();

    // Without --package: package a's tags, the only package the change touches.
    let json = run(dir, &["--commit", &fix, "--json"]).json();
    assert_eq!(json["release"]["tag"], "a-v1.0.1");

    // A change touching both packages names them and asks for --package.
    repo.write("packages/a/lib.txt", "again\n");
    repo.write("packages/b/lib.txt", "again\n");
    let both = repo.commit_all("fix: both");
    run(dir, &["--commit", &both]).fails_with(
        2,
        "touches 2 packages (`packages/a`, `packages/b`); pass --package",
    );
    let json = run(
        dir,
        &["--commit", &both, "--package", "packages/b", "--json"],
    )
    .json();
    assert!(json["release"].is_null(), "no b release holds it yet");
}
