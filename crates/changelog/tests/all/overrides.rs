//! With a token, a merged PR's `BEGIN_COMMIT_OVERRIDE` rewrites its commit in the notes; without
//! one, the notes are the commits' own and the run says so once.

use assert_cmd::Command;
use fake_github::FakeGitHub;
use testkit::TestRepo;

#[test]
fn a_merged_prs_override_replaces_its_commit_in_the_notes_when_a_token_is_given() {
    let fake = FakeGitHub::start();
    let origin = fake.create_repo("acme", "widgets");
    let dev = TestRepo::new();
    dev.set_remote(&origin.display().to_string());
    dev.commit_file("a.txt", "a\n", "feat: the first version");
    dev.tag("v1.0.0");
    dev.git(&["push", "-q", "origin", "main", "--tags"]);
    dev.git(&["checkout", "-q", "-b", "deps"]);
    dev.commit_file("Cargo.lock", "x\n", "chore(deps): bump serde");
    dev.git(&["push", "-q", "origin", "deps"]);
    let number = fake.open_pull(
        "acme",
        "widgets",
        "deps",
        "main",
        "chore(deps): bump serde",
        "BEGIN_COMMIT_OVERRIDE\nfix(deps): serde 1.0.200 stops a panic on empty maps\nEND_COMMIT_OVERRIDE",
    );
    fake.merge_pull("acme", "widgets", number, "squash");
    let checkout = TestRepo::new();
    checkout.set_remote(&origin.display().to_string());
    checkout.git(&["fetch", "-q", "--tags", "origin"]);
    checkout.git(&["checkout", "-q", "-B", "main", "origin/main"]);
    let run = |token: Option<String>| {
        let mut cmd = Command::cargo_bin("changelog").expect("binary");
        cmd.current_dir(checkout.path())
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("SOURCE_DATE_EPOCH", "1795305600")
            .env("GITHUB_API_URL", fake.api_url())
            .env("GITHUB_REPOSITORY", "acme/widgets")
            .env("TIDEGATE_RETRY_BASE_MS", "1");
        if let Some(token) = token {
            cmd.env("GITHUB_TOKEN", token);
        }
        let out = cmd.output().expect("runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (notes, _) = run(Some(fake.token()));
    assert!(notes.starts_with("## 1.0.1"), "{notes}");
    assert!(
        notes.contains("serde 1.0.200 stops a panic on empty maps"),
        "{notes}"
    );
    assert!(!notes.contains("bump serde"), "{notes}");

    let (notes, said) = run(None);
    assert!(!notes.contains("serde 1.0.200"), "{notes}");
    assert_eq!(
        said.matches("not read without a token").count(),
        1,
        "{said}"
    );
    assert!(fake.contract_violations().is_empty());
}
