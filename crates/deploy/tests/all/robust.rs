//! The bad-input table for `deploy` (README, "Exit codes and errors"): each row's input, exit
//! code and words, with RUST_BACKTRACE=1; nothing is made on GitHub.

use crate::support::{NAME, OWNER, World};
use testkit::Run;

/// (arguments, environment changes (a value of None removes the variable), exit, words).
type Row<'a> = (
    &'a [&'a str],
    &'a [(&'a str, Option<&'a str>)],
    i32,
    &'a [&'a str],
);

const WF: &str = "deploy.yml";

#[test]
fn bad_inputs_are_refused_in_one_line_and_make_nothing() {
    let world = World::new();
    let rows: &[Row] = &[
        (
            &["--version", "v1.4.0"],
            &[],
            2,
            &["--env", "usage: deploy"],
        ),
        (
            &["--env", " ", "--version", "v1.4.0", "--workflow", WF],
            &[],
            2,
            &["--env is empty"],
        ),
        (
            &[
                "--env",
                "staging",
                "--status",
                "done",
                "--deployment-id",
                "1",
            ],
            &[],
            2,
            &["done", "success"],
        ),
        (
            &[
                "--env",
                "staging",
                "--status",
                "success",
                "--deployment-id",
                "one",
            ],
            &[],
            2,
            &["one", "--deployment-id"],
        ),
        (
            &["--env", "staging", "--list", "--version", "v1.4.0"],
            &[],
            2,
            &["cannot be used with"],
        ),
        (
            &["--env", "staging", "--to", "v1.3.0"],
            &[],
            2,
            &["--rollback"],
        ),
        (
            &["--env", "staging", "--version", "v1.4.0"],
            &[],
            2,
            &["give --workflow FILE"],
        ),
        (&["--env", "staging"], &[], 2, &["give --version TAG"]),
        (
            &[
                "--env",
                "staging",
                "--version",
                "v1.4.0",
                "--workflow",
                WF,
                "--input",
                "=x",
            ],
            &[],
            2,
            &["--input `=x` is not NAME=VALUE"],
        ),
        (
            &["--env", "staging", "--version", "v1.4.0", "--workflow", WF],
            &[("GITHUB_REPOSITORY", None)],
            2,
            &["--github-repo OWNER/NAME"],
        ),
        (
            &[
                "--env",
                "staging",
                "--version",
                "v1.4.0",
                "--workflow",
                WF,
                "--github-repo",
                "widgets",
            ],
            &[],
            2,
            &["`widgets`", "OWNER/NAME"],
        ),
        (
            &["--env", "staging", "--version", "v1.4.0", "--workflow", WF],
            &[("GITHUB_TOKEN", None)],
            2,
            &["no GitHub token", "GITHUB_TOKEN"],
        ),
        (
            &[
                "--env",
                "staging",
                "--version",
                "v1.4.0",
                "--workflow",
                WF,
                "--token-env",
                "DEPLOY_TOKEN",
            ],
            &[],
            2,
            &["DEPLOY_TOKEN"],
        ),
        (
            &[
                "--env",
                "staging\nproduction",
                "--version",
                "v1.4.0",
                "--workflow",
                WF,
            ],
            &[],
            2,
            &["staging\\nproduction", "is not an environment name"],
        ),
        (
            &["--env", "staging", "--version", "", "--workflow", WF],
            &[],
            2,
            &["--version is empty"],
        ),
        (
            &[
                "--env",
                "staging",
                "--version",
                "v1.4.0\n::set-output name=x::y",
                "--workflow",
                WF,
            ],
            &[],
            2,
            &["v1.4.0\\n::set-output", "not a tag name"],
        ),
        (
            &["--env", "staging", "--version", "v1..4", "--workflow", WF],
            &[],
            2,
            &["`v1..4` is not a tag name"],
        ),
        (
            &[
                "--env",
                "staging",
                "--rollback",
                "--reason",
                "bad",
                "--to",
                "v1.lock",
            ],
            &[],
            2,
            &["--to `v1.lock` is not a tag name"],
        ),
        (
            &[
                "--env",
                "staging",
                "--version",
                "v1.4.0",
                "--workflow",
                "../../etc/passwd",
            ],
            &[],
            2,
            &[
                "../../etc/passwd",
                "is not a file name under .github/workflows/",
            ],
        ),
    ];
    for (args, env, code, words) in rows {
        eprintln!("row: {args:?} {env:?}");
        let mut cmd = world.command(args);
        cmd.env("RUST_BACKTRACE", "1");
        for (name, value) in *env {
            match value {
                Some(value) => cmd.env(name, value),
                None => cmd.env_remove(name),
            };
        }
        Run::of(&mut cmd).refused(*code, words);
    }
    assert!(world.fake.deployments(OWNER, NAME).is_empty());
    assert!(world.fake.dispatches(OWNER, NAME).is_empty());
    assert_eq!(world.fake.write_count(), 0, "nothing written");
}
