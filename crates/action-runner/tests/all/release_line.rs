//! Release lines through the actions: `actions/release-line` (cut, hotfix, promote, merge-back)
//! and `actions/release`'s candidate and asset inputs. Stand-in binaries record the calls and
//! their environment (inputs become arguments; the signing secrets reach `bump` only as the
//! values of variables it is told the names of); then the real binaries against the fake GitHub,
//! from the cut to the merge-back PR.

use crate::{action, failed_with, local_runner, succeeded, token_stays_hidden};
use action_runner::{Run, Runner};
use fake_github::FakeGitHub;
use std::collections::BTreeMap;
use std::path::Path;
use testkit::TestRepo;

const KEY: &str = "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQdGBGZstandInKeyBody0123456789\n-----END PGP PRIVATE KEY BLOCK-----\n";
const PASSPHRASE: &str = "stand-in passphrase 42";

/// A folder holding stand-ins for `bump` and `promote-branch`; each call appends its binary's
/// name and arguments to `calls` and leaves its environment in `env-N`.
struct Stubs {
    dir: tempfile::TempDir,
}

/// One recorded call.
#[derive(Debug)]
struct Call {
    argv: Vec<String>,
    env: BTreeMap<String, String>,
}

impl Stubs {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for name in ["bump", "promote-branch"] {
            let script = dir.path().join(name);
            std::fs::write(
                &script,
                r#"#!/usr/bin/env bash
here=$(dirname "$0")
n=$(find "$here" -name 'env-*' | wc -l)
env -0 >"$here/env-$n"
{ basename "$0"; printf '%s\n' "$@"; echo --end--; } >>"$here/calls"
"#,
            )
            .expect("write stub");
            let mut perms = std::fs::metadata(&script).expect("stat").permissions();
            std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
            std::fs::set_permissions(&script, perms).expect("chmod");
        }
        Self { dir }
    }

    fn runner(&self, name: &str, checkout: &Path) -> Runner {
        Runner::new(action(name))
            .env("TIDEGATE_BIN_DIR", self.dir.path())
            .env("GITHUB_REF_TYPE", "branch")
            .env("GITHUB_REF_NAME", "release/1.1.0")
            .workspace(checkout)
    }

    fn calls(&self) -> Vec<Call> {
        let text = std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default();
        text.split_terminator("--end--\n")
            .enumerate()
            .map(|(n, call)| {
                let raw = std::fs::read(self.dir.path().join(format!("env-{n}"))).expect("env");
                let env = String::from_utf8_lossy(&raw)
                    .split_terminator('\0')
                    .filter_map(|kv| kv.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect();
                Call {
                    argv: call.lines().map(String::from).collect(),
                    env,
                }
            })
            .collect()
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

/// Asserts neither secret was printed (bump's own `::add-mask::` line for the passphrase aside)
/// or written to an output or the summary.
fn secrets_stay_hidden(run: &Run, secrets: &[&str]) {
    for secret in secrets {
        for part in secret
            .lines()
            .filter(|l| l.len() > 20 && !l.starts_with("-----"))
        {
            for line in run.raw_log.lines() {
                assert!(
                    !line.contains(part) || line == format!("::add-mask::{part}"),
                    "a secret reached the log: {line}"
                );
            }
            assert!(!run.summary.contains(part), "a secret reached the summary");
            for value in run.outputs.values() {
                assert!(!value.contains(part), "a secret reached an output");
            }
        }
    }
}

/// A checkout whose `origin/release/1.1.0` holds the candidate `v1.1.0-rc.1`.
fn line_checkout() -> TestRepo {
    let checkout = TestRepo::new();
    checkout.commit_file("VERSION", "1.1.0\n", "chore(release/1.1.0): release 1.1.0");
    checkout.tag("v1.1.0-rc.1");
    checkout.git(&["update-ref", "refs/remotes/origin/release/1.1.0", "HEAD"]);
    checkout
}

#[test]
fn release_inputs_make_a_signed_candidate_with_the_secrets_only_in_the_environment() {
    let checkout = TestRepo::new();
    let stubs = Stubs::new();
    let run = stubs
        .runner("release", checkout.path())
        .input("prerelease", "rc")
        .input("assets", "dist/*.tar.gz, dist/*.zip\nSBOM.json\n")
        .input("signing-key", KEY)
        .input("signing-passphrase", PASSPHRASE)
        .input("replace", "true")
        .run()
        .expect("harness");
    succeeded(&run);
    let calls = stubs.calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[0].argv,
        args(&[
            "bump",
            "release",
            "--repo",
            ".",
            "--prerelease",
            "rc",
            "--assets",
            "dist/*.tar.gz",
            "--assets",
            "dist/*.zip",
            "--assets",
            "SBOM.json",
            "--signing-key-env",
            "TIDEGATE_SIGNING_KEY",
            "--signing-passphrase-env",
            "TIDEGATE_SIGNING_PASSPHRASE",
            "--replace",
        ])
    );
    assert_eq!(calls[0].env["TIDEGATE_SIGNING_KEY"], KEY);
    assert_eq!(calls[0].env["TIDEGATE_SIGNING_PASSPHRASE"], PASSPHRASE);
    // `bump pr` signs nothing and does not get the secrets.
    assert_eq!(calls[1].argv[..2], args(&["bump", "pr"]));
    assert!(!calls[1].env.contains_key("TIDEGATE_SIGNING_KEY"));
    assert!(!calls[1].env.contains_key("TIDEGATE_SIGNING_PASSPHRASE"));
    for call in &calls {
        assert!(
            !call.argv.iter().any(|a| a.contains("stand-in")),
            "a secret on the command line: {:?}",
            call.argv
        );
    }
    secrets_stay_hidden(&run, &[KEY, PASSPHRASE]);

    // A key without a passphrase: only the key's variable is named.
    let stubs = Stubs::new();
    let run = stubs
        .runner("release", checkout.path())
        .input("assets", "dist/*")
        .input("signing-key", KEY)
        .input("skip-github-pull-request", "true")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(
        stubs.calls()[0].argv,
        args(&[
            "bump",
            "release",
            "--repo",
            ".",
            "--assets",
            "dist/*",
            "--signing-key-env",
            "TIDEGATE_SIGNING_KEY",
        ])
    );
}

#[test]
fn release_asset_inputs_that_cannot_work_are_refused_before_bump_runs() {
    let checkout = TestRepo::new();
    let refused: &[(&[(&str, &str)], &str)] = &[
        (
            &[("assets", "dist/*"), ("signing-passphrase", PASSPHRASE)],
            "input 'signing-passphrase' is given without signing-key",
        ),
        (
            &[("signing-key", KEY)],
            "input 'signing-key' signs release assets, and assets is empty",
        ),
        (
            &[("replace", "true")],
            "input 'replace' applies to release assets",
        ),
        (
            &[("assets", "dist/*"), ("replace", "yes")],
            "input 'replace' must be true or false, not 'yes'",
        ),
    ];
    for (inputs, expected) in refused {
        let stubs = Stubs::new();
        let mut runner = stubs.runner("release", checkout.path());
        for (name, value) in inputs.iter() {
            runner = runner.input(name, value);
        }
        let run = runner.run().expect("harness");
        let error = failed_with(&run, "run", 2);
        assert!(error.contains(expected), "{inputs:?}: {error}");
        assert!(stubs.calls().is_empty(), "{inputs:?} ran bump");
        secrets_stay_hidden(&run, &[KEY, PASSPHRASE]);
    }
}

#[test]
fn each_command_becomes_its_bump_call() {
    let checkout = line_checkout();
    let run_with = |inputs: &[(&str, &str)]| {
        let stubs = Stubs::new();
        let mut runner = stubs.runner("release-line", checkout.path());
        for (name, value) in inputs {
            runner = runner.input(name, value);
        }
        let run = runner.run().expect("harness");
        succeeded(&run);
        secrets_stay_hidden(&run, &[KEY, PASSPHRASE]);
        stubs.calls()
    };

    let calls = run_with(&[
        ("command", "cut"),
        ("version", "1.1.0"),
        ("from", "v1.0.0-23-gabc"),
        ("branch", "release/v1.1"),
        ("package", "crates/cli"),
        ("config", "release/tidegate.toml"),
        ("release-type", "rust"),
        ("working-directory", "repo"),
    ]);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].argv,
        args(&[
            "bump",
            "cut",
            "1.1.0",
            "--from",
            "v1.0.0-23-gabc",
            "--branch",
            "release/v1.1",
            "--package",
            "crates/cli",
            "--repo",
            "repo",
            "--config",
            "release/tidegate.toml",
            "--release-type",
            "rust",
        ])
    );

    let calls = run_with(&[("command", "hotfix"), ("tag", "v1.0.0")]);
    assert_eq!(
        calls[0].argv,
        args(&["bump", "cut", "--hotfix", "v1.0.0", "--repo", "."])
    );

    let calls = run_with(&[
        ("command", "promote"),
        ("tag", "v1.1.0-rc.1"),
        ("signing-key", KEY),
        ("signing-passphrase", PASSPHRASE),
        ("keys-file", "KEYS"),
    ]);
    assert_eq!(calls.len(), 1, "no merge-back unless asked: {calls:?}");
    assert_eq!(
        calls[0].argv,
        args(&[
            "bump",
            "promote",
            "v1.1.0-rc.1",
            "--repo",
            ".",
            "--signing-key-env",
            "TIDEGATE_SIGNING_KEY",
            "--signing-passphrase-env",
            "TIDEGATE_SIGNING_PASSPHRASE",
            "--keys-file",
            "KEYS",
        ])
    );
    assert_eq!(calls[0].env["TIDEGATE_SIGNING_KEY"], KEY);
    assert_eq!(calls[0].env["TIDEGATE_SIGNING_PASSPHRASE"], PASSPHRASE);

    // With merge-back: the promotion, then the PR from the workflow's branch into `into`;
    // promote-branch never sees the secrets.
    let calls = run_with(&[
        ("command", "promote"),
        ("tag", "v1.1.0-rc.1"),
        ("signing-key", KEY),
        ("merge-back", "true"),
        ("into", "develop"),
    ]);
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        calls[0].argv[..3],
        args(&["bump", "promote", "v1.1.0-rc.1"])
    );
    assert_eq!(
        calls[1].argv,
        args(&[
            "promote-branch",
            "--from",
            "release/1.1.0",
            "--to",
            "develop",
            "--repo",
            "."
        ])
    );
    assert!(!calls[1].env.contains_key("TIDEGATE_SIGNING_KEY"));
    assert!(calls[1].env.contains_key("GITHUB_TOKEN"));

    // merge-back alone runs promote-branch only, into main by default; `branch` names the line.
    let calls = run_with(&[("command", "merge-back"), ("branch", "release/1.0.x")]);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0].argv,
        args(&[
            "promote-branch",
            "--from",
            "release/1.0.x",
            "--to",
            "main",
            "--repo",
            "."
        ])
    );
}

#[test]
fn bad_line_inputs_stop_with_one_error_before_anything_runs() {
    let checkout = line_checkout();
    // A branch that does not hold the candidate.
    let elsewhere = TestRepo::new();
    elsewhere.commit("feat: unrelated");
    checkout.git(&[
        "fetch",
        "-q",
        &elsewhere.path().display().to_string(),
        "HEAD",
    ]);
    checkout.git(&[
        "update-ref",
        "refs/remotes/origin/release/2.0.0",
        "FETCH_HEAD",
    ]);
    let refused: &[(&[(&str, &str)], &str)] = &[
        (
            &[("command", "release")],
            "input 'command' must be cut, hotfix, promote or merge-back, not 'release'",
        ),
        (
            &[("command", "promote")],
            "input 'tag' is required by command promote",
        ),
        (
            &[("command", "cut")],
            "input 'version' is required by command cut",
        ),
        (
            &[("command", "hotfix"), ("version", "1.0.1")],
            "input 'version' is not used by command hotfix",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("from", "main"),
            ],
            "input 'from' is not used by command promote",
        ),
        (
            &[
                ("command", "cut"),
                ("version", "1.1.0"),
                ("signing-key", KEY),
            ],
            "input 'signing-key' is not used by command cut",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("branch", "release/1.1.0"),
            ],
            "only with merge-back: true",
        ),
        (
            &[
                ("command", "cut"),
                ("version", "1.1.0"),
                ("merge-back", "true"),
            ],
            "input 'merge-back' is for command promote",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("merge-back", "1"),
            ],
            "input 'merge-back' must be true or false, not '1'",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("signing-passphrase", PASSPHRASE),
            ],
            "input 'signing-passphrase' is given without signing-key",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("keys-file", "KEYS"),
            ],
            "input 'keys-file' checks the signing key",
        ),
        (
            &[("command", "merge-back"), ("branch", "main")],
            "would merge main back into itself",
        ),
        (
            &[("command", "merge-back"), ("into", "")],
            "input 'into' is empty",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("merge-back", "true"),
                ("branch", "release/1.9.0"),
            ],
            "which the checkout does not have",
        ),
        (
            &[
                ("command", "promote"),
                ("tag", "v1.1.0-rc.1"),
                ("merge-back", "true"),
                ("branch", "release/2.0.0"),
            ],
            "which does not hold candidate v1.1.0-rc.1",
        ),
    ];
    for (inputs, expected) in refused {
        let stubs = Stubs::new();
        let mut runner = stubs.runner("release-line", checkout.path());
        for (name, value) in inputs.iter() {
            runner = runner.input(name, value);
        }
        let run = runner.run().expect("harness");
        let error = failed_with(&run, "check", 2);
        assert!(error.contains(expected), "{inputs:?}: {error}");
        assert!(stubs.calls().is_empty(), "{inputs:?} ran a binary");
        assert!(run.outputs.is_empty());
        secrets_stay_hidden(&run, &[KEY, PASSPHRASE]);
    }

    // Run on main with no `branch`, a promotion has no line to merge back.
    let stubs = Stubs::new();
    let run = stubs
        .runner("release-line", checkout.path())
        .env("GITHUB_REF_NAME", "main")
        .input("command", "promote")
        .input("tag", "v1.1.0-rc.1")
        .input("merge-back", "true")
        .run()
        .expect("harness");
    let error = failed_with(&run, "check", 2);
    assert!(error.contains("back into itself"), "{error}");
    // Run on a tag, it has none either.
    let run = stubs
        .runner("release-line", checkout.path())
        .env("GITHUB_REF_TYPE", "tag")
        .env("GITHUB_REF_NAME", "v1.1.0-rc.1")
        .input("command", "merge-back")
        .run()
        .expect("harness");
    let error = failed_with(&run, "check", 2);
    assert!(error.contains("does not run on a branch"), "{error}");
    assert!(stubs.calls().is_empty());
}

/// A project on the fake GitHub released as 1.0.0 with a feature since, the developer's clone
/// that pushes to it, and the runner's checkout.
struct Project {
    fake: FakeGitHub,
    dev: TestRepo,
    checkout: TestRepo,
    origin: String,
}

impl Project {
    fn new() -> Self {
        let fake = FakeGitHub::start();
        let origin = fake.create_repo("acme", "widgets").display().to_string();
        let dev = TestRepo::new();
        dev.set_remote(&origin);
        dev.commit_file("VERSION", "1.0.0\n", "feat: first");
        dev.tag("v1.0.0");
        dev.commit_file("sprockets.txt", "spin\n", "feat: sprockets (#5)");
        dev.git(&["push", "-q", "origin", "main", "v1.0.0"]);
        let checkout = TestRepo::new();
        checkout.set_remote(&origin);
        let project = Self {
            fake,
            dev,
            checkout,
            origin,
        };
        project.check_out("main");
        project
    }

    /// The runner's checkout of `branch`, as `actions/checkout` with `fetch-depth: 0` leaves it.
    fn check_out(&self, branch: &str) {
        self.checkout.git(&[
            "fetch",
            "-q",
            "--tags",
            "--prune",
            "origin",
            "+refs/heads/*:refs/remotes/origin/*",
        ]);
        self.checkout
            .git(&["checkout", "-q", "-B", branch, &format!("origin/{branch}")]);
    }

    /// Commits `message` on `branch` as a developer would, and pushes it.
    fn push_on(&self, branch: &str, file: &str, message: &str) {
        self.dev.git(&["fetch", "-q", &self.origin, branch]);
        self.dev
            .git(&["checkout", "-q", "-B", branch, "FETCH_HEAD"]);
        self.dev.commit_file(file, message, message);
        self.dev.git(&["push", "-q", "origin", branch]);
    }

    /// An action run by a workflow on `branch`.
    fn runner(&self, name: &str, branch: &str) -> Runner {
        local_runner(name)
            .workspace(self.checkout.path())
            .repository("acme/widgets")
            .token(&self.fake.token())
            .env("GITHUB_API_URL", self.fake.api_url())
            .env("TIDEGATE_RETRY_BASE_MS", "1")
            .env("GITHUB_REF_TYPE", "branch")
            .env("GITHUB_REF_NAME", branch)
            .input("release-type", "simple")
    }

    fn asset(&self, tag: &str, name: &str) -> Vec<u8> {
        let bytes = self.fake.asset_bytes("acme", "widgets", tag, name);
        assert!(bytes.is_some(), "{tag} has no asset {name}");
        bytes.unwrap_or_default()
    }
}

/// Whether `signature` (an asset of `tag`) verifies `file` (another) with the public key only.
fn signed(project: &Project, tag: &str, file: &str, signature: &str) -> bool {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join(file), project.asset(tag, file)).expect("write");
    std::fs::write(dir.path().join(signature), project.asset(tag, signature)).expect("write");
    testkit::gpg::verifies(
        &testkit::gpg::test_key().public,
        &dir.path().join(signature),
        &dir.path().join(file),
    )
}

#[test]
fn a_line_is_cut_its_signed_candidate_promoted_and_merged_back_through_the_actions() {
    let project = Project::new();
    let key = testkit::gpg::test_key();
    let passphrase = testkit::gpg::PASSPHRASE;

    // The cut, dispatched on main.
    let runner = project
        .runner("release-line", "main")
        .input("command", "cut")
        .input("version", "1.1.0");
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["branch"], "release/1.1.0");
    assert_eq!(run.outputs["created"], "true");
    assert_eq!(run.outputs["version"], "1.1.0");
    let cut_tip = project
        .fake
        .branch_sha("acme", "widgets", "release/1.1.0")
        .expect("the line exists");
    assert_eq!(run.outputs["sha"], cut_tip);
    assert!(
        !run.step_outputs.contains_key("merge-back"),
        "no merge-back on a cut"
    );
    token_stays_hidden(&run, runner.token_value());

    // A fix lands on the line; its push makes the first candidate, with a built, signed asset.
    project.push_on("release/1.1.0", "leak.txt", "fix: sprocket leak (#6)");
    project.check_out("release/1.1.0");
    let fixed = project.checkout.head();
    project
        .checkout
        .write("dist/widgets-1.1.0-rc.1-linux.tar.gz", "the linux build\n");
    let runner = project
        .runner("release", "release/1.1.0")
        .input("prerelease", "rc")
        .input("assets", "dist/*")
        .input("signing-key", &key.secret)
        .input("signing-passphrase", passphrase)
        .input("skip-github-pull-request", "true");
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["tag_name"], "v1.1.0-rc.1");
    assert_eq!(run.outputs["sha"], fixed);
    let assets: serde_json::Value = serde_json::from_str(&run.outputs["assets"]).expect("JSON");
    let mut names: Vec<&str> = assets
        .as_array()
        .expect("an array")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    names.sort_unstable();
    assert_eq!(
        names,
        [
            "SHA256SUMS",
            "SHA256SUMS.asc",
            "widgets-1.1.0-rc.1-linux.tar.gz",
            "widgets-1.1.0-rc.1-linux.tar.gz.asc",
            "widgets-1.1.0-rc.1-linux.tar.gz.sha512",
        ]
    );
    let candidate = project
        .fake
        .releases("acme", "widgets")
        .into_iter()
        .find(|r| r.tag_name == "v1.1.0-rc.1")
        .expect("the candidate's release");
    assert!(candidate.prerelease && !candidate.draft);
    assert!(signed(
        &project,
        "v1.1.0-rc.1",
        "widgets-1.1.0-rc.1-linux.tar.gz",
        "widgets-1.1.0-rc.1-linux.tar.gz.asc"
    ));
    token_stays_hidden(&run, runner.token_value());
    secrets_stay_hidden(&run, &[&key.secret, passphrase]);

    // The vote passed: rc.1 is promoted, dispatched on the line, and the line merges back.
    let runner = project
        .runner("release-line", "release/1.1.0")
        .input("command", "promote")
        .input("tag", "v1.1.0-rc.1")
        .input("signing-key", &key.secret)
        .input("signing-passphrase", passphrase)
        .input("merge-back", "true");
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["release_created"], "true");
    assert_eq!(run.outputs["tag_name"], "v1.1.0");
    assert_eq!(run.outputs["candidate"], "v1.1.0-rc.1");
    assert_eq!(run.outputs["sha"], fixed);
    assert_eq!(
        project.fake.tag_sha("acme", "widgets", "v1.1.0").as_deref(),
        Some(fixed.as_str())
    );
    assert_eq!(
        project.fake.latest_release("acme", "widgets").as_deref(),
        Some("v1.1.0")
    );
    // The voted bits under the final name; SHA256SUMS signed again for the new names.
    assert_eq!(
        project.asset("v1.1.0", "widgets-1.1.0-linux.tar.gz"),
        b"the linux build\n"
    );
    assert!(signed(&project, "v1.1.0", "SHA256SUMS", "SHA256SUMS.asc"));
    assert_eq!(run.outputs["operation"], "created");
    let pulls = project.fake.pulls("acme", "widgets");
    assert_eq!(pulls.len(), 1, "{pulls:?}");
    let pull = &pulls[0];
    assert_eq!(
        (pull.head_ref.as_str(), pull.base_ref.as_str()),
        ("release/1.1.0", "main")
    );
    assert_eq!(run.outputs["pr-number"], pull.number.to_string());
    let body = pull.body.clone().unwrap_or_default();
    assert!(body.contains("sprocket leak"), "{body}");
    assert!(
        !body.contains("sprockets (#5)"),
        "main has it already: {body}"
    );
    assert_eq!(run.outputs["commit-count"], "2", "the bump and the fix");
    token_stays_hidden(&run, runner.token_value());
    secrets_stay_hidden(&run, &[&key.secret, passphrase]);

    // Another fix on the line: merge-back updates the same PR in place.
    project.push_on("release/1.1.0", "slip.txt", "fix: gear slip (#7)");
    project.check_out("release/1.1.0");
    let run = project
        .runner("release-line", "release/1.1.0")
        .input("command", "merge-back")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["operation"], "updated");
    assert_eq!(run.outputs["pr-number"], pull.number.to_string());
    assert!(!run.step_outputs.contains_key("run"), "bump did not run");
    let pulls = project.fake.pulls("acme", "widgets");
    assert_eq!(pulls.len(), 1, "no second PR: {pulls:?}");
    let body = pulls[0].body.clone().unwrap_or_default();
    assert!(
        body.contains("gear slip") && body.contains("sprocket leak"),
        "{body}"
    );
}

#[test]
fn the_release_lines_example_uses_only_what_the_actions_declare() {
    let path = action_runner::workspace_root().join("examples/release-lines.yml");
    let text = std::fs::read_to_string(&path).expect("examples/release-lines.yml");
    let docs = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(&text).expect("YAML");
    let mut checked = Vec::new();
    for (_, job) in docs[0]["jobs"].as_mapping().expect("jobs").iter() {
        for step in job["steps"].as_sequence().expect("steps").iter() {
            let Some(uses) = step.as_mapping_get("uses").and_then(|u| u.as_str()) else {
                continue;
            };
            let Some(name) = uses
                .strip_prefix("tidegate/tidegate/actions/")
                .and_then(|rest| rest.split('@').next())
            else {
                continue;
            };
            let declared = action_runner::Action::load(&action(name)).expect("action.yml");
            for (input, _) in step["with"].as_mapping().expect("with").iter() {
                let input = input.as_str().expect("input name");
                assert!(
                    declared.inputs.iter().any(|i| i.name == input),
                    "the example passes `{input}`, which actions/{name} does not declare"
                );
            }
            let id = step["id"].as_str().expect("each Tidegate step has an id");
            for part in text.split(&format!("steps.{id}.outputs.")).skip(1) {
                let output: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                assert!(
                    declared.outputs.iter().any(|(o, _)| *o == output),
                    "the example reads output `{output}`, which actions/{name} does not declare"
                );
            }
            checked.push(name.to_string());
        }
    }
    checked.sort();
    checked.dedup();
    assert_eq!(checked, ["release", "release-line"]);
}
