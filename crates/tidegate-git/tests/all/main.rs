//! History tests against real repositories in temporary directories.

mod promotion;
mod properties;
mod release_tree;

use testkit::TestRepo;
use tidegate_core::tag::TagFormat;
use tidegate_git::{GitError, History};

fn open(repo: &TestRepo) -> History {
    History::open(repo.path()).expect("opens")
}

fn plain() -> TagFormat {
    TagFormat::default()
}

fn messages(history: &History, target: &str, since: Option<&str>) -> Vec<String> {
    let target = history.resolve(target).expect("target");
    let since = since.map(|s| history.resolve(s).expect("since"));
    history
        .commits(target, since)
        .expect("walk")
        .commits
        .into_iter()
        .map(|c| c.message.trim().to_string())
        .collect()
}

#[test]
fn previous_release_is_the_highest_reachable_release_tag() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.0.0").tag("latest").tag("v1.0");
    repo.commit("fix: two");
    repo.annotated_tag("v1.1.0");
    repo.checkout(&["-b", "other"]);
    repo.commit("feat: only on other");
    repo.tag("v9.0.0");
    repo.checkout(&["main"]);
    repo.commit("fix: three");
    let history = open(&repo);
    let tags = history.release_tags(&plain(), false).expect("tags");
    assert_eq!(
        tags.ignored, 2,
        "`latest` and `v1.0` are not semantic versions"
    );
    let head = history.resolve("HEAD").expect("head");
    let previous = history
        .baseline(head, &tags, false)
        .expect("walk")
        .tag
        .expect("found");
    assert_eq!(previous.name, "v1.1.0", "v9.0.0 is not reachable from main");
    assert_eq!(
        messages(&history, "HEAD", Some("v1.1.0")),
        vec!["fix: three"]
    );
}

#[test]
fn prerelease_tags_count_only_when_asked() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.0.0");
    repo.commit("fix: two");
    repo.tag("v1.1.0-rc.1");
    repo.commit("fix: three");
    let history = open(&repo);
    let head = history.resolve("HEAD").expect("head");
    let without = history.release_tags(&plain(), false).expect("tags");
    assert_eq!(without.prereleases_skipped, 1);
    let found = history
        .baseline(head, &without, false)
        .expect("walk")
        .tag
        .expect("found");
    assert_eq!(found.name, "v1.0.0");
    let with = history.release_tags(&plain(), true).expect("tags");
    let found = history
        .baseline(head, &with, false)
        .expect("walk")
        .tag
        .expect("found");
    assert_eq!(found.name, "v1.1.0-rc.1");
}

#[test]
fn component_tags_are_found_by_their_format() {
    let repo = TestRepo::new();
    repo.commit("feat: api");
    repo.tag("api-v1.0.0").tag("web/v3.0.0").tag("v7.0.0");
    let history = open(&repo);
    let api = TagFormat {
        component: Some("api".into()),
        ..TagFormat::default()
    };
    let tags = history.release_tags(&api, false).expect("tags");
    assert_eq!(tags.tags.len(), 1);
    assert_eq!(tags.tags[0].name, "api-v1.0.0");
    assert_eq!(tags.ignored, 2);
    let web = TagFormat {
        component: Some("web".into()),
        separator: "/".into(),
        include_v: true,
        ..TagFormat::default()
    };
    assert_eq!(
        history.release_tags(&web, false).expect("tags").tags[0]
            .version
            .major,
        3
    );
}

#[test]
fn merged_commits_are_listed_and_linked_to_their_pull_request() {
    let repo = TestRepo::new();
    repo.commit("chore: start");
    repo.tag("v1.0.0");
    repo.checkout(&["-b", "topic"]);
    repo.commit("feat: from the branch");
    repo.commit("fix: own link (#77)");
    repo.checkout(&["main"]);
    repo.commit("fix: on main");
    repo.merge("topic", "Merge pull request #42 from octo/topic");
    repo.checkout(&["-b", "local"]);
    repo.commit("docs: local branch");
    repo.checkout(&["main"]);
    repo.merge("local", "Merge branch 'local'");
    let history = open(&repo);
    let head = history.resolve("HEAD").expect("head");
    let since = history.resolve("v1.0.0").expect("tag");
    let found = history.commits(head, Some(since)).expect("walk");
    assert_eq!(found.merge_records, 2);
    let mut listed: Vec<(String, Option<u64>)> = found
        .commits
        .iter()
        .map(|c| (c.message.trim().to_string(), c.merged_pr))
        .collect();
    listed.sort();
    assert_eq!(
        listed,
        vec![
            ("docs: local branch".to_string(), None),
            ("feat: from the branch".to_string(), Some(42)),
            ("fix: on main".to_string(), None),
            ("fix: own link (#77)".to_string(), Some(42)),
        ]
    );
}

#[test]
fn whole_history_assigns_each_commit_to_the_first_release_that_shipped_it() {
    let repo = TestRepo::new();
    repo.commit("feat: a");
    repo.tag("v1.0.0");
    repo.checkout(&["-b", "topic"]);
    repo.commit("fix: b");
    repo.checkout(&["main"]);
    repo.commit("feat: c");
    repo.tag("v1.1.0");
    repo.merge("topic", "Merge pull request #3 from o/topic");
    repo.commit("fix: d");
    repo.tag("v1.1.1");
    repo.commit("feat: unreleased");
    let history = open(&repo);
    let tags = history.release_tags(&plain(), false).expect("tags");
    let head = history.resolve("HEAD").expect("head");
    let releases = history.releases(head, &tags).expect("releases");
    let listed: Vec<(String, Vec<String>)> = releases
        .iter()
        .map(|(tag, _, commits)| {
            let mut m: Vec<String> = commits
                .commits
                .iter()
                .map(|c| c.message.trim().to_string())
                .collect();
            m.sort();
            (tag.name.clone(), m)
        })
        .collect();
    assert_eq!(
        listed,
        vec![
            ("v1.0.0".to_string(), vec!["feat: a".to_string()]),
            ("v1.1.0".to_string(), vec!["feat: c".to_string()]),
            (
                "v1.1.1".to_string(),
                vec!["fix: b".to_string(), "fix: d".to_string()]
            ),
        ]
    );
    assert_eq!(releases[2].2.merge_records, 1);
}

#[test]
fn a_shallow_clone_that_misses_the_previous_release_is_an_error() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.0.0");
    for i in 0..5 {
        repo.commit(&format!("fix: {i}"));
    }
    let clone = repo.shallow_clone(2);
    let history = open(&clone);
    assert!(history.is_shallow());
    let tags = history.release_tags(&plain(), false).expect("tags");
    let head = history.resolve("HEAD").expect("head");
    let err = history.baseline(head, &tags, false).expect_err("shallow");
    assert!(matches!(err, GitError::ShallowHistory));
    assert!(err.to_string().contains("fetch-depth: 0"), "{err}");
    // A full clone of the same history has no such problem.
    let full = open(&repo);
    let tags = full.release_tags(&plain(), false).expect("tags");
    let head = full.resolve("HEAD").expect("head");
    assert!(
        full.baseline(head, &tags, false)
            .expect("walk")
            .tag
            .is_some()
    );
}

#[test]
fn messages_that_are_not_utf8_are_read_lossily() {
    let repo = TestRepo::new();
    repo.commit_bytes(b"fix: caf\xe9 cr\xe8me\n");
    let history = open(&repo);
    let listed = messages(&history, "HEAD", None);
    assert_eq!(listed, vec!["fix: caf\u{fffd} cr\u{fffd}me"]);
}

#[test]
fn errors_say_what_is_wrong() {
    let empty = TestRepo::new();
    let history = open(&empty);
    assert!(matches!(history.resolve("HEAD"), Err(GitError::Empty)));

    let repo = TestRepo::new();
    repo.commit("feat: one");
    let history = open(&repo);
    let err = history.resolve("no-such-branch").expect_err("unknown");
    assert!(err.is_usage());
    assert!(err.to_string().contains("no-such-branch"));

    let outside = tempfile::tempdir().expect("temp dir");
    let err = History::open(outside.path())
        .err()
        .expect("not a repository");
    assert!(matches!(err, GitError::NotARepository(_)), "{err}");
}

#[test]
fn detached_head_works() {
    let repo = TestRepo::new();
    repo.commit("feat: one");
    repo.tag("v1.0.0");
    let second = repo.commit("fix: two");
    repo.commit("fix: three");
    repo.checkout(&["--detach", &second]);
    let history = open(&repo);
    assert_eq!(messages(&history, "HEAD", Some("v1.0.0")), vec!["fix: two"]);
}

#[test]
fn ten_thousand_tags_are_read_once() {
    let repo = TestRepo::new();
    let mut refs = String::new();
    for i in 0..20 {
        let sha = repo.commit(&format!("fix: {i}"));
        for patch in 0..500 {
            refs.push_str(&format!("create refs/tags/v{i}.{patch}.0 {sha}\n"));
        }
    }
    repo.commit("feat: after");
    let mut cmd = repo.git_command(&["update-ref", "--stdin"]);
    cmd.stdin(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("update-ref");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(refs.as_bytes())
        .expect("refs");
    assert!(child.wait().expect("wait").success());
    repo.git(&["pack-refs", "--all"]);
    let history = open(&repo);
    let tags = history.release_tags(&plain(), false).expect("tags");
    assert_eq!(tags.tags.len(), 10_000);
    let head = history.resolve("HEAD").expect("head");
    let previous = history
        .baseline(head, &tags, false)
        .expect("walk")
        .tag
        .expect("found");
    assert_eq!(previous.name, "v19.499.0");
}
