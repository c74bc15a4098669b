//! Workspaces released as release-please releases them: a root `rust` package whose Cargo.toml
//! is the workspace, and npm workspaces under the `node-workspace` plugin.

use assert_cmd::Command;
use testkit::TestRepo;

fn bump_apply(repo: &TestRepo, extra: &[&str]) -> std::process::Output {
    Command::cargo_bin("bump")
        .expect("binary")
        .arg("apply")
        .args(extra)
        .arg("--repo")
        .arg(repo.path())
        .env_remove("GITHUB_ACTIONS")
        .env("SOURCE_DATE_EPOCH", "1795219200")
        .output()
        .expect("runs")
}

fn ok(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).expect("utf-8")
}

fn cargo(repo: &TestRepo, target: &std::path::Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(args)
        .current_dir(repo.path())
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .output()
        .expect("cargo runs")
}

#[test]
fn a_root_rust_workspace_moves_every_member_its_requirements_and_its_lock() {
    let repo = TestRepo::new();
    let target = tempfile::tempdir().expect("temp dir");
    repo.write(
        "release-please-config.json",
        r#"{"packages": {".": {"release-type": "rust"}}}"#,
    );
    repo.write(".release-please-manifest.json", "{\".\": \"1.4.2\"}\n");
    repo.write(
        "Cargo.toml",
        "[workspace]\nmembers = [\"lib\", \"app\", \"cli\"]\nresolver = \"2\"\n\n[workspace.package]\nversion = \"1.4.2\"\nedition = \"2021\"\n",
    );
    repo.write(
        "lib/Cargo.toml",
        "[package]\nname = \"demo-lib\"\nversion = \"1.4.2\"\nedition = \"2021\"\n",
    );
    repo.write("lib/src/lib.rs", "pub fn answer() -> u32 { 42 }\n");
    repo.write(
        "app/Cargo.toml",
        "[package]\nname = \"demo-app\"\nversion = \"1.4.2\"\nedition = \"2021\"\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"1.4.2\" }\n",
    );
    repo.write(
        "app/src/main.rs",
        "fn main() { println!(\"{}\", demo_lib::answer()); }\n",
    );
    repo.write(
        "cli/Cargo.toml",
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"=1.4.2\" }\n",
    );
    repo.write(
        "cli/src/main.rs",
        "fn main() { println!(\"{}\", demo_lib::answer()); }\n",
    );
    repo.write(".gitignore", "target/\n");
    let locked = cargo(&repo, target.path(), &["generate-lockfile", "--offline"]);
    assert!(
        locked.status.success(),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
    repo.commit_all("chore: initial");
    repo.tag("v1.4.2");
    repo.commit_file(
        "lib/src/lib.rs",
        "pub fn answer() -> u32 { 43 }\n",
        "feat: a better answer",
    );

    ok(&bump_apply(&repo, &[]));
    assert_eq!(
        repo.read("lib/Cargo.toml"),
        "[package]\nname = \"demo-lib\"\nversion = \"1.5.0\"\nedition = \"2021\"\n"
    );
    assert_eq!(
        repo.read("app/Cargo.toml"),
        "[package]\nname = \"demo-app\"\nversion = \"1.5.0\"\nedition = \"2021\"\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"1.5.0\" }\n"
    );
    assert_eq!(
        repo.read("cli/Cargo.toml"),
        "[package]\nname = \"demo-cli\"\nversion.workspace = true\nedition.workspace = true\n\n[dependencies]\ndemo-lib = { path = \"../lib\", version = \"=1.5.0\" }\n",
        "inheritance kept; the exact requirement stays exact"
    );
    assert!(
        repo.read("Cargo.toml")
            .contains("[workspace.package]\nversion = \"1.5.0\"\n"),
        "{}",
        repo.read("Cargo.toml")
    );
    let lock = repo.read("Cargo.lock");
    for name in ["demo-app", "demo-cli", "demo-lib"] {
        assert!(
            lock.contains(&format!("name = \"{name}\"\nversion = \"1.5.0\"\n")),
            "{lock}"
        );
    }
    assert!(!lock.contains("1.4.2"), "{lock}");
    assert_eq!(
        repo.read(".release-please-manifest.json"),
        "{\".\": \"1.5.0\"}\n"
    );

    // The released workspace builds as committed: nothing for cargo to rewrite.
    let build = cargo(
        &repo,
        target.path(),
        &["build", "--locked", "--offline", "--quiet"],
    );
    assert!(
        build.status.success(),
        "{}",
        String::from_utf8_lossy(&build.stderr)
    );
}
