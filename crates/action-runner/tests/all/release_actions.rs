//! `actions/changelog` and `actions/bump` on real repositories.

use crate::{failed_with, local_runner, succeeded};
use testkit::TestRepo;

fn project() -> TestRepo {
    let repo = TestRepo::new();
    repo.set_remote("https://github.com/octo/demo.git");
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.commit("fix(parser): handle tabs (#3)");
    repo.tag("v1.0.1");
    repo.commit("feat(api): add widgets (#5)");
    repo
}

#[test]
fn changelog_writes_the_file_and_the_notes_output() {
    let repo = project();
    let run = local_runner("changelog")
        .workspace(repo.path())
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .input("output-file", "NOTES.md")
        .run()
        .expect("harness");
    succeeded(&run);
    let written = repo.read("NOTES.md");
    assert!(written.starts_with("## [1.1.0]"), "{written}");
    assert_eq!(run.outputs["version"], "1.1.0");
    assert_eq!(run.outputs["tag"], "v1.1.0");
    assert_eq!(run.outputs["previous-tag"], "v1.0.1");
    assert_eq!(run.outputs["commit-count"], "1");
    assert_eq!(run.outputs["notes"], written.trim_end());
}

#[test]
fn changelog_prepends_to_changelog_md_and_json_is_one_document() {
    let repo = project();
    repo.write("CHANGELOG.md", "# Changelog\n\n## 1.0.1\n\nOlder notes.\n");
    let run = local_runner("changelog")
        .workspace(repo.path())
        .input("prepend", "CHANGELOG.md")
        .run()
        .expect("harness");
    succeeded(&run);
    let text = repo.read("CHANGELOG.md");
    assert!(text.starts_with("# Changelog\n\n## [1.1.0]"), "{text}");
    assert!(text.ends_with("## 1.0.1\n\nOlder notes.\n"), "{text}");

    let run = local_runner("changelog")
        .workspace(repo.path())
        .input("tag", "v1.0.1")
        .input("format", "json")
        .run()
        .expect("harness");
    succeeded(&run);
    let json: serde_json::Value = serde_json::from_str(&run.outputs["notes"]).expect("json");
    assert_eq!(json["version"], "1.0.1");
}

#[test]
fn bump_reports_the_next_version_with_release_please_names() {
    let repo = project();
    let run = local_runner("bump")
        .workspace(repo.path())
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["release_needed"], "true");
    assert_eq!(run.outputs["version"], "1.1.0");
    assert_eq!(
        [
            &run.outputs["major"],
            &run.outputs["minor"],
            &run.outputs["patch"]
        ],
        ["1", "1", "0"]
    );
    assert_eq!(run.outputs["tag_name"], "v1.1.0");
    assert_eq!(run.outputs["previous_version"], "1.0.1");
    assert_eq!(run.outputs["bump"], "minor");
    assert_eq!(run.outputs["files"], "", "version writes nothing");
}

#[test]
fn bump_apply_writes_the_release_files() {
    let repo = project();
    repo.write("tidegate.toml", "release-type = \"node\"\n");
    repo.write(
        "package.json",
        "{\n  \"name\": \"demo\",\n  \"version\": \"1.0.1\"\n}\n",
    );
    repo.commit("chore: configure");

    let dry = local_runner("bump")
        .workspace(repo.path())
        .input("command", "apply")
        .input("dry-run", "true")
        .run()
        .expect("harness");
    succeeded(&dry);
    assert!(dry.log.contains("+  \"version\": \"1.1.0\""), "{}", dry.log);
    assert!(
        repo.read("package.json").contains("1.0.1"),
        "a dry run writes nothing"
    );

    let run = local_runner("bump")
        .workspace(repo.path())
        .input("command", "apply")
        .run()
        .expect("harness");
    succeeded(&run);
    assert!(repo.read("package.json").contains("\"version\": \"1.1.0\""));
    let files: Vec<&str> = run.outputs["files"].lines().collect();
    assert!(
        files.contains(&"package.json") && files.contains(&"CHANGELOG.md"),
        "{files:?}"
    );
}

#[test]
fn bad_inputs_stop_with_one_clear_error() {
    let repo = project();
    let run = local_runner("bump")
        .workspace(repo.path())
        .input("command", "publish")
        .run()
        .expect("harness");
    assert!(
        failed_with(&run, "run", 2)
            .contains("::error::input 'command' must be version or apply, not 'publish'")
    );

    let run = local_runner("changelog")
        .workspace(repo.path())
        .input("tag", "v9.9.9")
        .run()
        .expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(error.contains("v9.9.9"), "{error}");

    assert!(
        local_runner("changelog")
            .input("tags", "v1.0.0")
            .run()
            .is_err(),
        "an input the action does not declare is refused"
    );
}

#[test]
fn release_type_reaches_both_binaries() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"demo\"\nversion = \"0.3.0\"\n",
    );
    repo.commit("chore: initial");
    repo.tag("v0.3.0");
    repo.commit("docs: explain the cache");

    let run = local_runner("bump")
        .workspace(repo.path())
        .input("release-type", "python")
        .input("command", "apply")
        .run()
        .expect("harness");
    succeeded(&run);
    assert_eq!(run.outputs["version"], "0.3.1", "python shows docs");
    assert!(repo.read("pyproject.toml").contains("version = \"0.3.1\""));

    let run = local_runner("changelog")
        .workspace(repo.path())
        .input("release-type", "python")
        .run()
        .expect("harness");
    succeeded(&run);
    assert!(
        run.outputs["notes"].contains("### Documentation"),
        "{}",
        run.outputs["notes"]
    );

    let run = local_runner("bump")
        .workspace(repo.path())
        .input("release-type", "cobol")
        .run()
        .expect("harness");
    let error = failed_with(&run, "run", 2);
    assert!(error.contains("unknown release type `cobol`"), "{error}");
}

/// Two packages of a monorepo, both with a release due.
fn monorepo() -> TestRepo {
    let repo = TestRepo::new();
    repo.write(
        "tidegate.toml",
        "[packages.\"packages/a\"]\ncomponent = \"a\"\n\n[packages.\"packages/b\"]\ncomponent = \"b\"\n",
    );
    repo.write("packages/a/version.txt", "1.0.0\n");
    repo.write("packages/b/version.txt", "2.0.0\n");
    repo.commit("chore: set up");
    repo.tag("a-v1.0.0");
    repo.tag("b-v2.0.0");
    repo.commit_file("packages/a/x.txt", "x", "feat: a grows");
    repo.commit_file("packages/b/y.txt", "y", "fix: b mends");
    repo
}

#[test]
fn bump_path_is_the_package_as_in_release_please_action() {
    let repo = monorepo();
    let every = local_runner("bump")
        .workspace(repo.path())
        .run()
        .expect("harness");
    succeeded(&every);
    assert_eq!(every.outputs["version"], "", "two packages are due");
    let packages: serde_json::Value =
        serde_json::from_str(&every.outputs["packages"]).expect("json");
    let paths: Vec<_> = packages
        .as_array()
        .expect("array")
        .iter()
        .map(|p| p["path"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(paths, ["packages/a", "packages/b"]);

    let one = local_runner("bump")
        .workspace(repo.path())
        .input("path", "packages/a")
        .run()
        .expect("harness");
    succeeded(&one);
    assert_eq!(one.outputs["version"], "1.1.0");
    assert_eq!(one.outputs["tag_name"], "a-v1.1.0");
    for creating_only in [
        "release_created",
        "releases_created",
        "prs_created",
        "pr",
        "sha",
        "html_url",
        "upload_url",
        "paths_released",
    ] {
        assert!(
            !one.outputs.contains_key(creating_only),
            "{creating_only} comes with creating a release or PR"
        );
    }

    let both = local_runner("bump")
        .workspace(repo.path())
        .input("path", "packages/a")
        .input("package", "packages/b")
        .run()
        .expect("harness");
    let error = failed_with(&both, "run", 2);
    assert!(
        error.contains("inputs 'path' and 'package' both name the package"),
        "{error}"
    );

    let elsewhere = TestRepo::new();
    let moved = local_runner("bump")
        .workspace(elsewhere.path())
        .input("working-directory", &repo.path().display().to_string())
        .input("path", "packages/b")
        .run()
        .expect("harness");
    succeeded(&moved);
    assert_eq!(moved.outputs["version"], "2.0.1");
}

#[test]
fn bump_refuses_a_history_without_tags_until_a_first_release_is_allowed() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    let refused = local_runner("bump")
        .workspace(repo.path())
        .run()
        .expect("harness");
    let error = failed_with(&refused, "run", 2);
    assert!(
        error.contains("the repository has no tags") && error.contains("--allow-full-history"),
        "{error}"
    );
    let allowed = local_runner("bump")
        .workspace(repo.path())
        .input("allow-full-history", "true")
        .run()
        .expect("harness");
    succeeded(&allowed);
    assert_eq!(allowed.outputs["version"], "1.0.0");
    assert!(
        allowed
            .raw_log
            .contains("::warning::the repository has no tags"),
        "the doubt stays visible as an annotation: {}",
        allowed.raw_log
    );
}

#[test]
fn an_input_quoted_in_an_error_cannot_start_a_workflow_command() {
    let repo = TestRepo::new();
    repo.commit("feat: first");
    let run = local_runner("bump")
        .workspace(repo.path())
        .input("command", "nope\n::add-mask::secret%")
        .run()
        .expect("harness");
    failed_with(&run, "run", 2);
    assert!(
        !run.raw_log.lines().any(|l| l.starts_with("::add-mask::")),
        "{}",
        run.raw_log
    );
    assert!(
        run.raw_log.contains("nope%0A::add-mask::secret%25"),
        "{}",
        run.raw_log
    );
}

#[test]
fn with_a_token_the_changelog_action_applies_commit_overrides() {
    let fake = fake_github::FakeGitHub::start();
    let origin = fake.create_repo("octo", "demo");
    let repo = TestRepo::new();
    repo.set_remote(&origin.display().to_string());
    repo.commit("feat: first");
    repo.tag("v1.0.0");
    repo.git(&["push", "-q", "origin", "main", "--tags"]);
    repo.git(&["checkout", "-q", "-b", "deps"]);
    repo.commit_file("Cargo.lock", "x\n", "chore(deps): bump serde");
    repo.git(&["push", "-q", "origin", "deps"]);
    let number = fake.open_pull(
        "octo",
        "demo",
        "deps",
        "main",
        "chore(deps): bump serde",
        "BEGIN_COMMIT_OVERRIDE\nfix(deps): serde stops a panic on empty maps\nEND_COMMIT_OVERRIDE",
    );
    fake.merge_pull("octo", "demo", number, "squash");
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["pull", "-q", "origin", "main"]);
    let runner = |token: &str| {
        local_runner("changelog")
            .workspace(repo.path())
            .repository("octo/demo")
            .token(&fake.token())
            .env("GITHUB_API_URL", fake.api_url())
            .env("SOURCE_DATE_EPOCH", "1795305600")
            .input("token", token)
    };
    let run = runner(&fake.token()).run().expect("harness");
    succeeded(&run);
    assert!(
        run.outputs["notes"].contains("serde stops a panic on empty maps"),
        "{}",
        run.outputs["notes"]
    );
    // Without the input, the commit's own message, and the log says why.
    let run = runner("").run().expect("harness");
    succeeded(&run);
    assert!(!run.outputs["notes"].contains("serde stops a panic"));
    assert!(run.log.contains("not read without a token"), "{}", run.log);
    assert!(fake.contract_violations().is_empty());
}
