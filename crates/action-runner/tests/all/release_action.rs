//! `actions/release`, the release-please-action drop-in: how its inputs become `bump release` and
//! `bump pr` calls (through a stand-in `bump` that records them), what it refuses, and the real
//! binary against the fake GitHub.

use crate::{action, failed_with, local_runner, succeeded, token_stays_hidden};
use action_runner::Runner;
use fake_github::FakeGitHub;
use std::path::{Path, PathBuf};
use testkit::TestRepo;

/// A folder holding a stand-in `bump` that appends each call's arguments to `calls` (one per
/// line, then `--end--`).
struct Stub {
    dir: tempfile::TempDir,
}

impl Stub {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let script = dir.path().join("bump");
        std::fs::write(
            &script,
            r#"#!/usr/bin/env bash
here=$(dirname "$0")
{ printf '%s\n' "$@"; printf 'GITHUB_API_URL=%s\n' "${GITHUB_API_URL:-}"; echo --end--; } >>"$here/calls"
"#,
        )
        .expect("write stub");
        let mut perms = std::fs::metadata(&script).expect("stat").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&script, perms).expect("chmod");
        Self { dir }
    }

    fn runner(&self, checkout: &Path) -> Runner {
        Runner::new(action("release"))
            .env("TIDEGATE_BIN_DIR", self.dir.path())
            .workspace(checkout)
    }

    /// Each call's arguments, the last line being the GITHUB_API_URL it saw.
    fn calls(&self) -> Vec<Vec<String>> {
        let text = std::fs::read_to_string(self.dir.path().join("calls")).unwrap_or_default();
        text.split_terminator("--end--\n")
            .map(|call| call.lines().map(String::from).collect())
            .collect()
    }
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn inputs_it_cannot_honour_are_refused_before_anything_runs() {
    let checkout = TestRepo::new();
    let refused: &[(&[(&str, &str)], &str)] = &[
        (
            &[("proxy-server", "proxy.example:8080")],
            "input 'proxy-server'",
        ),
        (&[("fork", "true")], "input 'fork'"),
        (
            &[("include-component-in-tag", "true")],
            "include-component-in-tag\": true in release-please-config.json",
        ),
        (
            &[("versioning-strategy", "always-bump-major")],
            "set \"versioning\": \"always-bump-major\" in the configuration file",
        ),
        (
            &[("changelog-host", "https://ghe.example")],
            "input 'changelog-host'",
        ),
        (
            &[("github-graphql-url", "https://ghe.example/api/graphql")],
            "input 'github-graphql-url'",
        ),
        (
            &[("manifest-file", "release/manifest.json")],
            "Tidegate reads .release-please-manifest.json",
        ),
        (
            &[
                ("config-file", "release/config.json"),
                ("manifest-file", ".release-please-manifest.json"),
            ],
            "reads release/.release-please-manifest.json",
        ),
        (
            &[
                ("skip-github-release", "true"),
                ("skip-github-pull-request", "true"),
            ],
            "nothing would run",
        ),
        (
            &[("skip-labeling", "true"), ("labels", "release")],
            "give one of the two",
        ),
        (
            &[("draft", "yes")],
            "input 'draft' must be true or false, not 'yes'",
        ),
        (
            &[("skip-github-release", "maybe")],
            "input 'skip-github-release' must be true or false",
        ),
    ];
    for (inputs, expected) in refused {
        let stub = Stub::new();
        let mut runner = stub.runner(checkout.path());
        for (name, value) in inputs.iter() {
            runner = runner.input(name, value);
        }
        let run = runner.run().expect("harness");
        let error = failed_with(&run, "run", 2);
        assert!(error.contains(expected), "{inputs:?}: {error}");
        assert!(stub.calls().is_empty(), "{inputs:?} ran bump");
        assert!(run.outputs.is_empty());
    }
}

#[test]
fn release_please_actions_own_defaults_are_accepted() {
    // A workflow that spelled out release-please-action's defaults switches unchanged.
    let checkout = TestRepo::new();
    let stub = Stub::new();
    let run = stub
        .runner(checkout.path())
        .env("GITHUB_GRAPHQL_URL", "https://api.github.com/graphql")
        .input("fork", "false")
        .input("include-component-in-tag", "false")
        .input("versioning-strategy", "default")
        .input("changelog-host", "https://github.com")
        .input("github-graphql-url", "https://api.github.com/graphql")
        .input("manifest-file", ".release-please-manifest.json")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(stub.calls().len(), 2, "bump release and bump pr ran");
    // A configuration file in a folder of its own: its manifest beside it.
    let stub = Stub::new();
    let run = stub
        .runner(checkout.path())
        .input("config-file", ".github/release-please-config.json")
        .input("manifest-file", "./.github/.release-please-manifest.json")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(stub.calls().len(), 2, "bump release and bump pr ran");
}

#[test]
fn release_runs_before_the_pr_and_the_inputs_become_flags() {
    let checkout = TestRepo::new();
    let stub = Stub::new();
    let run = stub
        .runner(checkout.path())
        .input("working-directory", "repo")
        .input("config-file", "release-please-config.json")
        .input("release-type", "rust")
        .input("path", "crates/cli")
        .input("repo-url", "acme/widgets")
        .input("github-api-url", "https://ghe.example/api/v3")
        .input("target-branch", "develop")
        .input("release-as", "2.0.0")
        .input("labels", "release, automated")
        .input("draft", "true")
        .input("draft-pull-request", "true")
        .input("allow-full-history", "true")
        .input("dispatch", "images.yml\ndocs.yml, sbom.yml\n")
        .run()
        .expect("harness");
    succeeded(&run);
    let common = [
        "--repo",
        "repo",
        "--config",
        "release-please-config.json",
        "--release-type",
        "rust",
        "--package",
        "crates/cli",
        "--github-repo",
        "acme/widgets",
        "--allow-full-history",
    ];
    let mut release = args(&["release"]);
    release.extend(args(&common));
    release.extend(args(&[
        "--draft",
        "--dispatch",
        "images.yml",
        "--dispatch",
        "docs.yml",
        "--dispatch",
        "sbom.yml",
        "GITHUB_API_URL=https://ghe.example/api/v3",
    ]));
    let mut pr = args(&["pr"]);
    pr.extend(args(&common));
    pr.extend(args(&[
        "--base",
        "develop",
        "--release-as",
        "2.0.0",
        "--labels",
        "release",
        "--labels",
        "automated",
        "--draft",
        "GITHUB_API_URL=https://ghe.example/api/v3",
    ]));
    assert_eq!(stub.calls(), vec![release, pr]);
}

#[test]
fn skip_github_pull_request_runs_only_the_release() {
    let checkout = TestRepo::new();
    let stub = Stub::new();
    let run = stub
        .runner(checkout.path())
        .input("skip-github-pull-request", "true")
        .run()
        .expect("harness");
    succeeded(&run);
    let calls = stub.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(calls[0][0], "release");
    assert!(run.log.contains("bump pr not run"), "{}", run.log);
}

#[test]
fn skip_github_release_runs_only_the_pr_and_skip_labeling_clears_its_labels() {
    let checkout = TestRepo::new();
    let stub = Stub::new();
    let run = stub
        .runner(checkout.path())
        .input("skip-github-release", "true")
        .input("skip-labeling", "true")
        .run()
        .expect("harness");
    succeeded(&run);
    let calls = stub.calls();
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert_eq!(
        calls[0],
        args(&["pr", "--repo", ".", "--labels", "", "GITHUB_API_URL="])
    );
    assert_eq!(run.outputs["releases"], "{}");
}

#[test]
fn a_merged_release_is_made_then_the_pr_step_proposes_nothing_again() {
    let project = project("docs: say what widgets are");
    // The release PR was merged: VERSION holds 0.2.0, which has no tag yet.
    let checkout = &project.checkout;
    checkout.write("VERSION", "0.2.0\n");
    checkout.commit_all("chore(main): release 0.2.0");
    checkout.git(&["push", "-q", "origin", "main"]);
    let head = checkout.head();
    let run = real_runner(&project).run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["releases_created"], "true");
    assert_eq!(run.outputs["release_created"], "true");
    assert_eq!(run.outputs["tag_name"], "v0.2.0");
    assert_eq!(run.outputs["sha"], head);
    let releases: serde_json::Value =
        serde_json::from_str(&run.outputs["releases"]).expect("releases is JSON");
    assert_eq!(releases["."]["tag_name"], "v0.2.0");
    assert_eq!(releases.as_object().map(|o| o.len()), Some(1));
    assert_eq!(
        project.fake.tag_sha("acme", "widgets", "v0.2.0").as_deref(),
        Some(head.as_str())
    );
    // The checkout has the tag too, so the PR step saw nothing left to release.
    assert_eq!(checkout.git(&["rev-parse", "v0.2.0^{commit}"]), head);
    assert_eq!(run.outputs["prs_created"], "false");
    assert!(project.fake.pulls("acme", "widgets").is_empty());
    assert_eq!(project.fake.releases("acme", "widgets").len(), 2);
}

/// A project on the fake GitHub whose version 0.1.0 is tagged, and the runner's checkout of it.
struct Project {
    fake: FakeGitHub,
    checkout: TestRepo,
    origin: PathBuf,
}

fn project(after_release: &str) -> Project {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets");
    let checkout = TestRepo::new();
    checkout.set_remote(&origin.display().to_string());
    checkout.commit_file("VERSION", "0.1.0\n", "feat: first");
    checkout.tag("v0.1.0");
    checkout.commit_file("README.md", "widgets\n", after_release);
    checkout.git(&["push", "-q", "origin", "main", "v0.1.0"]);
    // v0.1.0's GitHub release, made through the API as any client would.
    let made = std::process::Command::new("curl")
        .args(["--fail", "--silent", "--show-error", "-X", "POST"])
        .args(["-H", &format!("Authorization: Bearer {}", fake.token())])
        .args([
            "-d",
            r#"{"tag_name":"v0.1.0","name":"v0.1.0","body":"first"}"#,
        ])
        .arg(format!("{}/repos/acme/widgets/releases", fake.api_url()))
        .output()
        .expect("run curl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    fake.reset_counts();
    Project {
        fake,
        checkout,
        origin,
    }
}

fn real_runner(project: &Project) -> Runner {
    local_runner("release")
        .workspace(project.checkout.path())
        .repository("acme/widgets")
        .token(&project.fake.token())
        .env("GITHUB_API_URL", project.fake.api_url())
        .env("TIDEGATE_RETRY_BASE_MS", "1")
        .input("release-type", "simple")
}

#[test]
fn with_nothing_due_it_releases_nothing_and_opens_no_pr() {
    let project = project("docs: say what widgets are");
    let runner = real_runner(&project);
    let run = runner.run().expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["releases_created"], "false");
    assert_eq!(run.outputs["paths_released"], "[]");
    assert_eq!(run.outputs["releases"], "{}");
    assert_eq!(run.outputs["release_created"], "");
    assert_eq!(run.outputs["prs_created"], "false");
    assert_eq!(run.outputs["pr"], "");
    assert!(project.fake.pulls("acme", "widgets").is_empty());
    assert_eq!(
        project.fake.releases("acme", "widgets").len(),
        1,
        "only v0.1.0's"
    );
    assert_eq!(project.fake.tags("acme", "widgets").len(), 1, "only v0.1.0");
    assert!(run.log.contains("nothing to release"), "{}", run.log);
    token_stays_hidden(&run, runner.token_value());
    assert!(project.origin.is_dir());
}

#[test]
fn dry_run_shows_the_release_pr_with_no_token_and_no_request() {
    let project = project("feat: widgets can spin");
    let run = real_runner(&project)
        .token("")
        .input("dry-run", "true")
        .run()
        .expect("harness");
    succeeded(&run);
    assert!(
        run.log.contains("title: chore(main): release 0.2.0"),
        "{}",
        run.log
    );
    assert!(run.log.contains("widgets can spin"), "{}", run.log);
    assert_eq!(project.fake.total_requests(), 0);
    assert!(project.fake.pulls("acme", "widgets").is_empty());
}

#[test]
fn the_example_workflow_uses_only_what_the_action_declares() {
    let action = action_runner::Action::load(&action("release")).expect("action.yml");
    let path = action_runner::workspace_root().join("examples/release.yml");
    let text = std::fs::read_to_string(&path).expect("examples/release.yml");
    let docs = <saphyr::Yaml as saphyr::LoadableYamlNode>::load_from_str(&text).expect("YAML");
    let steps = docs[0]["jobs"]["release"]["steps"]
        .as_sequence()
        .expect("one job's steps");
    let release = steps
        .iter()
        .find(|s| s.as_mapping_get("id").and_then(|i| i.as_str()) == Some("release"))
        .expect("the release step");
    let uses = release["uses"].as_str().expect("uses");
    assert!(
        uses.starts_with("tidegate/tidegate/actions/release@"),
        "{uses}"
    );
    for (name, _) in release["with"].as_mapping().expect("with").iter() {
        let name = name.as_str().expect("input name");
        assert!(
            action.inputs.iter().any(|i| i.name == name),
            "the example passes `{name}`, which actions/release does not declare"
        );
    }
    let mut read = 0;
    for part in text.split("steps.release.outputs.").skip(1) {
        let name: String = part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(
            action.outputs.iter().any(|(o, _)| *o == name),
            "the example reads output `{name}`, which actions/release does not declare"
        );
        read += 1;
    }
    assert!(read > 0, "the example reads the action's outputs");
}
