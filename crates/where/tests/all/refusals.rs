//! Bad input: one line saying what is wrong, exit 2.

use crate::support::{river, run};

#[test]
fn an_unknown_pr_or_commit_is_one_line() {
    let (repo, _) = river();
    run(repo.path(), &["--pr", "999"]).fails_with(2, "pull request #999 is not on the river");
    run(
        repo.path(),
        &["--commit", "0123456789abcdef0123456789abcdef01234567"],
    )
    .fails_with(2, "is not in this repository");
    run(repo.path(), &["--commit", "not-a-sha"]).fails_with(2, "is not in this repository");
    run(repo.path(), &[]).fails_with(2, "--commit");
}

#[test]
fn a_bad_chain_is_one_line() {
    let (repo, fix) = river();
    for (toml, wanted) in [
        (
            "[river]\nbranches = [\"main\", \"rhoai\"]\n",
            "names `rhoai`, which exists neither on origin nor locally",
        ),
        (
            "[river]\nbranches = [\"main\", \"stable\", \"main\"]\n",
            "would make the chain a cycle",
        ),
        ("[river]\nbranches = []\n", "`river.branches` is empty"),
        (
            "[river]\nbranches = [\"main\"]\n[river.downstream]\nrepo = \"nope\"\n",
            "OWNER/NAME",
        ),
    ] {
        std::fs::write(repo.path().join("tidegate.toml"), toml).expect("write");
        run(repo.path(), &["--commit", &fix]).fails_with(2, wanted);
    }
}
