//! Answers a user can trust on real-looking histories: one rule for "the previous release" in
//! every mode, reverts, tag spellings, and no silent empty output.

use super::{changelog, failure, stdout};
use testkit::TestRepo;

/// main: 1.0.0, then a maintenance branch's 1.0.1 merged back after 1.1.0 (with its release
/// candidate), then 1.2.0.
fn maintained() -> TestRepo {
    let repo = TestRepo::new();
    repo.set_remote("https://github.com/octo/demo.git");
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.checkout(&["-b", "release/1.0"]);
    repo.commit("fix: maintenance fix");
    repo.tag("v1.0.1");
    repo.checkout(&["main"]);
    repo.commit("feat: second");
    repo.tag("v1.1.0-rc.1");
    repo.commit("fix: found in the candidate");
    repo.tag("v1.1.0");
    repo.merge("release/1.0", "Merge branch 'release/1.0'");
    repo.commit("feat: third");
    repo.tag("v1.2.0");
    repo.commit("fix: unreleased");
    repo
}

/// The sections of a whole changelog, by version.
fn sections(text: &str) -> Vec<(String, String)> {
    text.split("\n## ")
        .skip(1)
        .map(|s| {
            let version = s
                .trim_start_matches('[')
                .split([']', ' '])
                .next()
                .unwrap_or_default()
                .to_string();
            (version, format!("## {}", s.trim_end()))
        })
        .collect()
}

#[test]
fn a_release_has_the_same_notes_in_every_mode() {
    let repo = maintained();
    let all = stdout(changelog(&repo).arg("--all"));
    let sections = sections(&all);
    let versions: Vec<&str> = sections.iter().map(|(v, _)| v.as_str()).collect();
    // The release candidate does not count under the default versioning.
    assert_eq!(versions, ["1.2.0", "1.1.0", "1.0.1", "1.0.0"], "{all}");
    for (version, section) in &sections {
        let one = stdout(changelog(&repo).args(["--tag", &format!("v{version}")]));
        assert_eq!(one.trim_end(), section, "--tag v{version} and --all differ");
    }
    let of = |v: &str| {
        sections
            .iter()
            .find(|(x, _)| x == v)
            .expect("section")
            .1
            .clone()
    };
    // 1.1.0 runs from 1.0.0, the release it contains (not from its candidate, nor from the
    // maintenance release it does not contain).
    assert!(of("1.1.0").contains("compare/v1.0.0...v1.1.0"), "{all}");
    assert!(of("1.1.0").contains("second") && of("1.1.0").contains("found in the candidate"));
    // The maintenance fix shipped in 1.0.1, so 1.2.0 (which merged it) does not list it again.
    assert!(!of("1.2.0").contains("maintenance fix"), "{all}");
    assert!(of("1.0.1").contains("maintenance fix"));

    // The unreleased notes and the range from HEAD's previous release agree too.
    let unreleased = stdout(&mut changelog(&repo));
    assert!(
        unreleased.contains("compare/v1.2.0...v1.2.1"),
        "{unreleased}"
    );
    assert!(unreleased.contains("unreleased") && !unreleased.contains("maintenance"));
    let range = stdout(changelog(&repo).args(["--to", "HEAD"]));
    assert_eq!(range, unreleased);
}

#[test]
fn a_pre_release_asked_for_runs_from_the_previous_counted_release() {
    let repo = maintained();
    let rc = stdout(changelog(&repo).args(["--tag", "v1.1.0-rc.1"]));
    assert!(rc.contains("compare/v1.0.0...v1.1.0-rc.1"), "{rc}");
    assert!(rc.contains("second") && !rc.contains("candidate"), "{rc}");
    // Counting pre-releases, the final release runs from its candidate.
    repo.write("tidegate.toml", "versioning = \"prerelease\"\n");
    let final_notes = stdout(changelog(&repo).args(["--tag", "v1.1.0"]));
    assert!(
        final_notes.contains("compare/v1.1.0-rc.1...v1.1.0"),
        "{final_notes}"
    );
    assert!(final_notes.contains("found in the candidate") && !final_notes.contains("second"));
}

#[test]
fn reverts_from_the_revert_button_are_listed_under_reverts() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    let fix = repo.commit("fix: cache the index (#4)");
    repo.tag("v1.0.1");
    repo.commit(&format!(
        "Revert \"fix: cache the index (#4)\" (#5)\n\nThis reverts commit {fix}."
    ));
    let notes = stdout(&mut changelog(&repo));
    assert!(
        notes.starts_with("## 1.0.2 "),
        "a revert is a patch: {notes}"
    );
    assert!(
        notes.contains("### Reverts\n\n* fix: cache the index (#4) (#5)"),
        "{notes}"
    );
    // A revert in the same release as what it reverts cancels it.
    let fix2 = repo.commit("fix: another");
    repo.commit(&format!(
        "Revert \"fix: another\"\n\nThis reverts commit {fix2}."
    ));
    let notes = stdout(&mut changelog(&repo));
    assert!(!notes.contains("another"), "{notes}");

    // release-please cannot read such a message: its configurations keep its answer.
    repo.write(
        "release-please-config.json",
        r#"{"packages": {".": {"release-type": "simple"}}}"#,
    );
    let notes = stdout(&mut changelog(&repo));
    assert!(notes.starts_with("## Unreleased"), "{notes}");
}

#[test]
fn a_whole_changelog_of_a_shallow_clone_is_refused() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("fix: second");
    repo.commit("fix: third");
    let shallow = repo.shallow_clone(1);
    let (code, err) = failure(changelog(&shallow).arg("--all"));
    assert_eq!(code, 2);
    assert!(err.contains("fetch-depth: 0"), "{err}");
}

#[test]
fn a_whole_changelog_without_releases_says_why() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("release-1.0");
    let out = changelog(&repo).arg("--all").output().expect("runs");
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no release tag of package `.`") && err.contains("tag-pattern"),
        "{err}"
    );
}

#[test]
fn a_reversed_range_is_refused() {
    let repo = maintained();
    let (code, err) = failure(changelog(&repo).args(["--from", "v1.2.0", "--to", "v1.1.0"]));
    assert_eq!(code, 2);
    assert!(err.contains("swap them"), "{err}");
    assert_eq!(err.trim().lines().count(), 1);
}

#[test]
fn a_tag_spelled_without_its_prefix_gets_a_suggestion() {
    let repo = maintained();
    let (code, err) = failure(changelog(&repo).args(["--tag", "1.1.0"]));
    assert_eq!(code, 2);
    assert!(err.contains("did you mean `v1.1.0`?"), "{err}");
}

#[test]
fn two_spellings_of_one_version_are_one_release() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("1.0.0").tag("v1.0.0");
    repo.commit("fix: second");
    repo.tag("v1.0.1");
    let all = stdout(changelog(&repo).arg("--all"));
    assert_eq!(
        all.matches("## 1.0.0").count() + all.matches("## [1.0.0]").count(),
        1,
        "{all}"
    );
    assert!(stdout(changelog(&repo).args(["--tag", "1.0.0"])).contains("first"));
}

#[test]
fn tag_knobs_choose_the_releases() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.tag("0.0.1");
    repo.commit("feat: second");
    repo.tag("v0.0.2");
    repo.commit("fix: nightly work");
    repo.tag("v0.1.0-next.1");
    repo.commit("feat: third");
    repo.tag("v0.1.0");
    // Mixed spellings are releases as they are.
    let all = stdout(changelog(&repo).arg("--all"));
    assert_eq!(sections(&all).len(), 3, "{all}");

    // tag-pattern: only `v` tags are releases; the first one runs from the first commit.
    repo.write("tidegate.toml", "tag-pattern = \"^v\"\n");
    let all = stdout(changelog(&repo).arg("--all"));
    let found = sections(&all);
    assert_eq!(found.len(), 2, "{all}");
    assert!(found[1].1.contains("first") && found[1].1.contains("second"));

    // ignore-tags: counting pre-releases, the nightly tag is still not a release.
    repo.write(
        "tidegate.toml",
        "versioning = \"prerelease\"\nignore-tags = \"-next\\\\.\"\n",
    );
    let all = stdout(changelog(&repo).arg("--all"));
    let found = sections(&all);
    assert_eq!(found.len(), 3, "{all}");
    assert!(found[0].1.contains("nightly work"), "{all}");

    // skip-tags: the release stays a boundary but has no section.
    repo.write("tidegate.toml", "skip-tags = \"^0\\\\.0\\\\.1$\"\n");
    let all = stdout(changelog(&repo).arg("--all"));
    let found = sections(&all);
    assert_eq!(found.len(), 2, "{all}");
    assert!(!all.contains("first"), "{all}");

    repo.write("tidegate.toml", "tag-pattern = \"(\"\n");
    let (code, err) = failure(changelog(&repo).arg("--all"));
    assert_eq!(code, 2);
    assert!(
        err.contains("`tag-pattern` is not a valid regular expression"),
        "{err}"
    );
}

/// A monorepo of five packages, each with its own tags.
fn monorepo() -> TestRepo {
    let repo = TestRepo::new();
    let names = [
        "api",
        "web",
        "cli",
        "docs-site",
        "auto-instrumentations-node",
    ];
    let mut config = String::new();
    for name in names {
        config.push_str(&format!("[packages.\"packages/{name}\"]\n"));
    }
    repo.write("tidegate.toml", &config);
    for name in names {
        repo.commit_file(
            &format!("packages/{name}/a"),
            "1",
            &format!("feat: {name} one"),
        );
        repo.tag(&format!("{name}-v0.1.0"));
    }
    repo.commit_file(
        "packages/auto-instrumentations-node/a",
        "2",
        "fix: node two",
    );
    repo.tag("auto-instrumentations-node-v0.1.1");
    repo
}

#[test]
fn a_monorepo_tag_names_its_package() {
    let repo = monorepo();
    let notes = stdout(changelog(&repo).args(["--tag", "auto-instrumentations-node-v0.1.1"]));
    assert!(
        notes.contains("node two") && !notes.contains("api"),
        "{notes}"
    );

    let (code, err) = failure(changelog(&repo).args(["--package", "packages/ap"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("5 packages are configured; the closest are `packages/api`"),
        "{err}"
    );
    let (_, err) = failure(&mut changelog(&repo));
    assert!(
        err.contains("5 packages are configured") && !err.contains("docs-site"),
        "{err}"
    );
}

#[test]
fn unreleased_notes_warn_when_every_commit_counts() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    repo.commit("feat: second");
    let out = changelog(&repo).output().expect("runs");
    assert!(out.status.success(), "the notes are still printed");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("the repository has no tags") && err.contains("fetch-depth: 0"),
        "{err}"
    );
}

/// Every section of `--all` is what `--tag` prints for its release.
fn assert_every_section_matches_its_tag(repo: &TestRepo) -> Vec<(String, String)> {
    let all = stdout(changelog(repo).arg("--all"));
    let found = sections(&all);
    for (version, section) in &found {
        let one = stdout(changelog(repo).args(["--tag", &format!("v{version}")]));
        assert_eq!(
            one.trim_end(),
            section,
            "--tag v{version} and --all differ:\n{all}"
        );
    }
    found
}

#[test]
fn a_lower_version_tagged_later_lists_only_its_own_commits() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("feat: b");
    repo.tag("v1.1.0");
    repo.commit("feat: e");
    repo.tag("v0.9.0");
    let found = assert_every_section_matches_its_tag(&repo);
    let of = |v: &str| {
        found
            .iter()
            .find(|(x, _)| x == v)
            .expect("section")
            .1
            .clone()
    };
    assert!(
        of("0.9.0").contains("* e") && !of("0.9.0").contains("* a"),
        "{found:?}"
    );
    assert!(
        of("1.1.0").contains("* b") && of("1.0.0").contains("* a"),
        "{found:?}"
    );
}

#[test]
fn releases_tagged_on_one_commit_share_their_notes() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("feat!: g");
    repo.tag("v2.0.0").tag("v1.2.0");
    let found = assert_every_section_matches_its_tag(&repo);
    assert_eq!(found.len(), 3);
    assert!(
        found.iter().filter(|(_, s)| s.contains("* g")).count() == 2,
        "{found:?}"
    );

    // A candidate promoted as it is: the final release has the candidate's notes.
    let repo = TestRepo::new();
    repo.write("tidegate.toml", "versioning = \"prerelease\"\n");
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.commit("feat: b");
    repo.tag("v1.1.0-rc.1").tag("v1.1.0");
    let found = assert_every_section_matches_its_tag(&repo);
    let final_notes = &found.iter().find(|(v, _)| v == "1.1.0").expect("1.1.0").1;
    assert!(final_notes.contains("* b"), "{found:?}");
}

#[test]
fn to_alone_naming_a_release_is_that_release() {
    let repo = maintained();
    assert_eq!(
        stdout(changelog(&repo).args(["--to", "v1.1.0"])),
        stdout(changelog(&repo).args(["--tag", "v1.1.0"]))
    );
    let (code, err) = failure(changelog(&repo).args(["--from", "HEAD", "--to", "HEAD"]));
    assert_eq!(code, 2);
    assert!(err.contains("are the same commit"), "{err}");
}

#[test]
fn tag_mistakes_get_pointed_answers() {
    let repo = maintained();
    let (_, err) = failure(changelog(&repo).args(["--tag", "v1.1.9"]));
    assert!(
        err.contains("there is no tag `v1.1.9`; the nearest release tags are"),
        "{err}"
    );
    assert!(!err.contains("origin/NAME"), "{err}");
    repo.write("tidegate.toml", "ignore-tags = \"^v1\\\\.0\\\\.1$\"\n");
    let (_, err) = failure(changelog(&repo).args(["--tag", "v1.0.1"]));
    assert!(
        err.contains("left out of package `.`'s releases by its `tag-pattern` or `ignore-tags`"),
        "{err}"
    );

    let repo = monorepo();
    let (code, err) = failure(changelog(&repo).args(["--tag", "0.1.1"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("not a release tag of any of the 5 configured packages; did you mean `auto-instrumentations-node-v0.1.1`?"),
        "{err}"
    );
    let (_, err) = failure(changelog(&repo).args(["--package", "cli"]));
    assert!(err.contains("the closest are `packages/cli`"), "{err}");
}

#[cfg(unix)]
#[test]
fn prepend_to_a_fifo_is_refused_not_waited_on() {
    let repo = maintained();
    let fifo = repo.path().join("notes.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    let (code, err) = failure(changelog(&repo).arg("--prepend").arg(&fifo));
    assert_eq!(code, 2);
    assert!(err.contains("is a FIFO or socket"), "{err}");
}
