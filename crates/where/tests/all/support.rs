//! A checkout with a river `main` → `stable` and a maintenance line, and the binary.

use assert_cmd::Command;
use std::path::Path;
use testkit::{Run, TestRepo};

pub const RIVER: &str =
    "[river]\nbranches = [\"main\", \"stable\"]\nenvironments = [\"staging\", \"production\"]\n";

/// `where` in `dir` with no token and no GitHub variables.
pub fn command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::cargo_bin("where").expect("the binary");
    cmd.args(args)
        .arg("--repo")
        .arg(dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir);
    cmd
}

pub fn run(dir: &Path, args: &[&str]) -> Run {
    Run::of(&mut command(dir, args))
}

/// `main` with a configuration and two commits, `stable` cut from the first, and the fix
/// `fix: stop dropping the last page (#12)` squash-merged on `main`. Returns the repository and
/// the fix's SHA.
pub fn river() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.write("tidegate.toml", RIVER);
    repo.commit_all("chore: start");
    repo.commit_file("pages.txt", "one\ntwo\n", "feat: pages (#10)");
    repo.git(&["branch", "stable"]);
    repo.git(&["tag", "v1.3.0"]);
    repo.git(&["branch", "release/1.3.x"]);
    repo.commit_file("other.txt", "x\n", "feat: something else (#11)");
    let fix = repo.commit_file(
        "pages.txt",
        "one\ntwo\nthree\n",
        "fix: stop dropping the last page (#12)",
    );
    (repo, fix)
}

/// Promotes `main` into `stable` with a merge commit, as merging promotion PR `pr` does.
pub fn promote(repo: &TestRepo, pr: u64) -> String {
    repo.checkout(&["stable"]);
    let merge = repo.merge(
        "main",
        &format!("Merge pull request #{pr} from acme/promote/main-to-stable\n\nchore: promote main → stable"),
    );
    repo.checkout(&["main"]);
    merge
}

pub fn branch<'a>(json: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    json["branches"]
        .as_array()
        .into_iter()
        .flatten()
        .chain(json["maintenance"].as_array().into_iter().flatten())
        .find(|b| b["branch"] == name)
        .unwrap_or(&serde_json::Value::Null)
}
