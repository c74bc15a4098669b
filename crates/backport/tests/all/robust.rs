//! The bad-input table for `backport` (README, "Exit codes and errors"): each row's input, exit
//! code and words, with RUST_BACKTRACE=1; no pull request, branch or comment is made.

use crate::World;
use serde_json::json;

/// (arguments, environment changes (None removes the variable), exit, words).
type Row<'a> = (
    Vec<String>,
    Vec<(&'a str, Option<String>)>,
    i32,
    Vec<&'a str>,
);

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_string()).collect()
}

#[test]
fn bad_inputs_are_refused_in_one_line_and_make_nothing() {
    let w = World::new();
    let number = w.merged_pr(
        "fix-count",
        "Fix the widget count",
        &[(
            "app.txt",
            "one\ntwo\nthree\nfour\n",
            "fix: count the fourth widget",
        )],
        "squash",
    );
    let pr = number.to_string();
    let folder = tempfile::tempdir().expect("temp dir");
    let not_json = folder.path().join("not.json");
    std::fs::write(&not_json, "{ not json").expect("write");
    let not_json = not_json.display().to_string();
    let needs_to = format!("--pr {pr} needs --to BRANCH");
    let rows: Vec<Row> = vec![
        (
            args(&["--to", "release/1"]),
            vec![],
            2,
            vec!["--to needs --pr N"],
        ),
        (
            args(&["--pr", "one", "--to", "release/1"]),
            vec![],
            2,
            vec!["one", "--pr"],
        ),
        (
            args(&["--pr", &pr, "--to", " , "]),
            vec![],
            2,
            vec![&needs_to],
        ),
        (
            args(&["--pr", &pr, "--to", "release/1", "--carry-labels", "maybe"]),
            vec![],
            2,
            vec!["maybe", "--carry-labels"],
        ),
        (
            args(&["--pr", &pr, "--to", "release/1", "--github-repo", "widgets"]),
            vec![],
            2,
            vec!["`widgets`", "OWNER/NAME"],
        ),
        (
            args(&["--pr", &pr, "--to", "release/1"]),
            vec![("GITHUB_REPOSITORY", None)],
            2,
            vec!["no repository: pass --github-repo OWNER/NAME"],
        ),
        (
            args(&["--pr", &pr, "--to", "release/1"]),
            vec![("GITHUB_TOKEN", None)],
            2,
            vec!["no GitHub token"],
        ),
        (
            args(&[
                "--pr",
                &pr,
                "--to",
                "release/1",
                "--repo",
                &folder.path().display().to_string(),
            ]),
            vec![],
            2,
            vec!["is not a git checkout", "--repo"],
        ),
        (
            args(&["--pr", &pr, "--to", "release/1\n::set-output name=x::y"]),
            vec![],
            2,
            vec!["release/1\\n::set-output", "does not exist"],
        ),
        (
            args(&["--event", "missing.json"]),
            vec![],
            2,
            vec!["cannot read the event file missing.json: no such file or folder"],
        ),
        (
            args(&["--event", &not_json]),
            vec![],
            2,
            vec!["is not JSON"],
        ),
        (
            args(&["--event", &not_json]),
            vec![("GITHUB_EVENT_NAME", Some("push".into()))],
            2,
            vec!["is not JSON"],
        ),
        (
            args(&[]),
            vec![("GITHUB_EVENT_NAME", Some("issue_comment".into()))],
            2,
            vec!["cannot read the event file"],
        ),
        (
            args(&[]),
            vec![("GITHUB_EVENT_NAME", Some("push".into()))],
            2,
            vec!["nothing says what to backport"],
        ),
    ];
    let push_event = w.event_file(&json!({"ref": "refs/heads/main"}));
    let mut rows = rows;
    rows.push((
        args(&["--event", &push_event.display().to_string()]),
        vec![("GITHUB_EVENT_NAME", Some("push".into()))],
        2,
        vec!["event `push` cannot ask for a backport"],
    ));
    let before = w.pulls().len();
    w.fake.reset_counts();
    for (list, env, code, words) in &rows {
        eprintln!("row: {list:?} {env:?}");
        let mut cmd = w.command(&list.iter().map(String::as_str).collect::<Vec<_>>());
        cmd.env("RUST_BACKTRACE", "1");
        for (name, value) in env {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        testkit::Run::of(&mut cmd).refused(*code, words);
    }
    assert_eq!(w.pulls().len(), before);
    assert_eq!(w.fake.write_count(), 0, "nothing written");
}
