//! The bad-input table for `where` (README, "Exit codes and errors"): each row's input, exit
//! code and words, with RUST_BACKTRACE=1; nothing is written in the checkout.

use crate::support::{command, river};
use testkit::Run;

#[test]
fn bad_inputs_are_refused_in_one_line_and_change_nothing() {
    let (repo, fix) = river();
    let dir = repo.path().display().to_string();
    let missing_config = repo.path().join("nope.toml").display().to_string();
    // (arguments, environment (name, value), exit, words)
    type Row<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, i32, Vec<&'a str>);
    let rows: Vec<Row> = vec![
        (vec!["--pr", "one"], vec![], 2, vec!["one", "--pr"]),
        (
            vec!["--pr", "12", "--commit", &fix],
            vec![],
            2,
            vec!["cannot be used with"],
        ),
        (
            vec!["--commit", &fix, "--markdown", "r.md"],
            vec![],
            2,
            vec!["--markdown FILE needs --river"],
        ),
        (
            vec!["--river", "--notify-max", "3"],
            vec![],
            2,
            vec!["required arguments were not provided: --notify"],
        ),
        (
            vec!["--river", "--notify-since", "v1.3.0"],
            vec![],
            2,
            vec!["required arguments were not provided: --notify"],
        ),
        (
            vec!["--river", "--notify"],
            vec![],
            2,
            vec!["--notify writes comments on GitHub", "GITHUB_TOKEN"],
        ),
        (
            vec!["--commit", &fix],
            vec![("GITHUB_TOKEN", "t")],
            2,
            vec!["a token is set but not the repository", "OWNER/NAME"],
        ),
        (
            vec!["--commit", &fix, "--github-repo", "acme"],
            vec![("GITHUB_TOKEN", "t")],
            2,
            vec!["`acme`", "OWNER/NAME"],
        ),
        (
            vec!["--commit", &fix, "--github-repo", "acme/widgets"],
            vec![("GITHUB_TOKEN", "a\nb")],
            2,
            vec!["line break", "GITHUB_TOKEN"],
        ),
        (
            vec!["--commit", &fix, "--config", &missing_config],
            vec![],
            2,
            vec!["nope.toml"],
        ),
        (
            vec!["--river", "--package", "nowhere"],
            vec![],
            2,
            vec!["nowhere"],
        ),
        (
            vec!["--commit", "HEAD\n::set-output name=x::y"],
            vec![],
            2,
            vec!["HEAD\\n::set-output", "is not in this repository"],
        ),
        (
            vec!["--river", "--notify", "--notify-per-minute", "many"],
            vec![],
            2,
            vec!["many", "--notify-per-minute"],
        ),
        (
            vec!["--river"],
            vec![("TIDEGATE_NOTIFY_INTERVAL_MS", "soon")],
            2,
            vec!["soon"],
        ),
    ];
    let before = repo.git(&["status", "--porcelain"]);
    for (args, env, code, words) in &rows {
        eprintln!("row: {args:?} {env:?}");
        let mut cmd = command(repo.path(), args);
        cmd.env("RUST_BACKTRACE", "1");
        for (name, value) in env {
            cmd.env(name, value);
        }
        Run::of(&mut cmd).refused(*code, words);
    }
    assert_eq!(
        repo.git(&["status", "--porcelain"]),
        before,
        "nothing written in {dir}"
    );
    assert!(!repo.path().join("r.md").exists());
}
