//! `where --river` from the checkout alone: the counts of each hop are what `git log` lists, the
//! last promotion is found, and the Markdown report escapes commit text.

use crate::support::{promote, river, run};

fn git_log_count(repo: &testkit::TestRepo, range: &str) -> u64 {
    repo.git(&["log", "--no-merges", "--format=%H", range])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count() as u64
}

#[test]
fn the_report_counts_what_git_log_lists_and_names_the_last_promotion() {
    let (repo, _fix) = river();
    let dir = repo.path();

    let json = run(dir, &["--river", "--json"]).json();
    let hop = &json["hops"][0];
    assert_eq!(
        (hop["from"].as_str(), hop["to"].as_str()),
        (Some("main"), Some("stable"))
    );
    assert_eq!(hop["waiting_commits"], git_log_count(&repo, "stable..main"));
    assert_eq!(hop["waiting_commits"], 2);
    assert_eq!(hop["waiting_pulls"], serde_json::json!([12, 11]));
    assert_eq!(hop["oldest"]["subject"], "feat: something else (#11)");
    assert_eq!(hop["oldest"]["pr"], 11);
    assert!(hop["last_promotion"].is_null(), "never promoted");
    assert!(hop["open_promotion"].is_null(), "no token: not read");
    assert!(json["environments"].is_null());
    assert_eq!(json["newest_release"], "v1.3.0");

    // Promoted by PR #15, then three more changes, one with markup in its subject.
    let merge = promote(&repo, 15);
    repo.commit_file(
        "a.txt",
        "a\n",
        "fix: <b>bold</b> [link](http://x) @someone (#16)",
    );
    repo.commit_file("b.txt", "b\n", "feat: b (#17)");
    repo.commit_file("c.txt", "c\n", "chore: no pr");
    let markdown = dir.join("river.md");
    let json = run(
        dir,
        &[
            "--river",
            "--json",
            "--markdown",
            &markdown.display().to_string(),
        ],
    )
    .json();
    let hop = &json["hops"][0];
    assert_eq!(hop["waiting_commits"], git_log_count(&repo, "stable..main"));
    assert_eq!(hop["waiting_commits"], 3);
    assert_eq!(hop["waiting_pulls"], serde_json::json!([17, 16]));
    assert_eq!(hop["last_promotion"]["commit"], merge.as_str());
    assert_eq!(hop["last_promotion"]["pr"], 15);

    let md = std::fs::read_to_string(&markdown).expect("the Markdown report");
    assert!(md.contains("```mermaid\nflowchart LR\n"), "{md}");
    assert!(md.contains("-->|\"3 commits, 2 PRs waiting\"|"), "{md}");
    assert!(md.contains("&lt;b&gt;bold&lt;/b&gt;"), "{md}");
    assert!(md.contains("`@someone`"), "{md}");
    assert!(md.contains("\\[link\\](http://x)"), "no link is made: {md}");
    assert!(!md.contains("<b>"), "{md}");

    let text = run(dir, &["--river"]).ok().stdout;
    assert!(text.contains("main → stable"), "{text}");
    assert!(text.contains("waiting: 3 commits, 2 PRs waiting"), "{text}");
    assert!(
        text.contains("last promotion: ") && text.contains(" #15 "),
        "{text}"
    );
}

#[test]
fn a_three_branch_chain_reports_each_hop() {
    let (repo, _fix) = river();
    let dir = repo.path();
    repo.git(&["branch", "rhoai", "stable"]);
    repo.write(
        "tidegate.toml",
        "[river]\nbranches = [\"main\", \"stable\", \"rhoai\"]\n",
    );
    repo.commit_all("chore: a river of three (#20)");
    promote(&repo, 21);
    repo.commit_file("d.txt", "d\n", "fix: d (#22)");
    let json = run(dir, &["--river", "--json"]).json();
    assert_eq!(json["hops"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        json["hops"][0]["waiting_commits"],
        git_log_count(&repo, "stable..main")
    );
    assert_eq!(
        json["hops"][1]["waiting_commits"],
        git_log_count(&repo, "rhoai..stable")
    );
    assert_eq!(json["hops"][1]["waiting_commits"], 3);
    assert_eq!(json["hops"][1]["to"], "rhoai");
}
