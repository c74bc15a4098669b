//! What merging a pull request writes (merge, squash, rebase), which pull requests a commit
//! belongs to afterwards, label removal, and the request accounting of reads and writes.

use serde_json::{Value, json};

use crate::support::{Fx, OWNER, REPO};

/// A branch `topic-{method}` off main with two commits, and its PR into main.
fn topic_pull(fx: &Fx, method: &str) -> (u64, Vec<String>) {
    let branch = format!("topic-{method}");
    fx.fake.create_branch(OWNER, REPO, &branch, &fx.main);
    let one = fx.fake.commit_file(
        OWNER,
        REPO,
        &branch,
        &format!("{method}/1.txt"),
        "1\n",
        "feat: one",
    );
    let two = fx.fake.commit_file(
        OWNER,
        REPO,
        &branch,
        &format!("{method}/2.txt"),
        "2\n",
        "fix: two",
    );
    let r = fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": format!("Topic {method}"), "head": branch, "base": "main" }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    (
        r.json()["number"].as_u64().expect("a number"),
        vec![one, two],
    )
}

fn pulls_of(fx: &Fx, sha: &str) -> Vec<u64> {
    fx.c.get(&fx.p(&format!("/commits/{sha}/pulls")))
        .json()
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p["number"].as_u64())
        .collect()
}

fn commit(fx: &Fx, sha: &str) -> Value {
    fx.c.get(&fx.p(&format!("/git/commits/{sha}"))).json()
}

#[test]
fn squash_writes_one_commit_on_the_base_tip_with_the_merged_tree() {
    let fx = Fx::new();
    // main moves on after the topic branched: the squash must keep both sides.
    let (number, _) = topic_pull(&fx, "squash");
    let base_tip = fx
        .fake
        .commit_file(OWNER, REPO, "main", "later.txt", "l\n", "chore: later");
    let sha = fx.fake.merge_pull(OWNER, REPO, number, "squash");
    let c = commit(&fx, &sha);
    let parents: Vec<&Value> = c["parents"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| &p["sha"])
        .collect();
    assert_eq!(parents, [&json!(base_tip)]);
    assert!(
        c["message"]
            .as_str()
            .is_some_and(|m| m.starts_with(&format!("Topic squash (#{number})")))
    );
    for path in ["squash/1.txt", "squash/2.txt", "later.txt"] {
        assert_eq!(
            fx.c.get(&fx.p(&format!("/contents/{path}?ref={sha}")))
                .status,
            200,
            "{path}"
        );
    }
    fx.assert_no_violations();
}

#[test]
fn rebase_replays_each_commit_with_github_as_committer() {
    let fx = Fx::new();
    let (number, originals) = topic_pull(&fx, "rebase");
    let base_tip = fx
        .fake
        .commit_file(OWNER, REPO, "main", "later.txt", "l\n", "chore: later");
    let tip = fx.fake.merge_pull(OWNER, REPO, number, "rebase");
    let last = commit(&fx, &tip);
    let first_sha = last["parents"][0]["sha"]
        .as_str()
        .expect("a parent")
        .to_string();
    let first = commit(&fx, &first_sha);
    assert_eq!(first["parents"][0]["sha"], base_tip.as_str());
    assert_eq!(
        (first["message"].clone(), last["message"].clone()),
        (json!("feat: one"), json!("fix: two"))
    );
    for (replayed, original) in [(&first, &originals[0]), (&last, &originals[1])] {
        assert_ne!(replayed["sha"], original.as_str(), "a new commit");
        assert_eq!(
            replayed["author"],
            commit(&fx, original)["author"],
            "the author is kept"
        );
        assert_eq!(replayed["committer"]["name"], "GitHub");
    }
    let pull = fx
        .fake
        .pulls(OWNER, REPO)
        .into_iter()
        .find(|p| p.number == number)
        .expect("the PR");
    assert_eq!(
        pull.merge_commit_sha.as_deref(),
        Some(tip.as_str()),
        "the last rebased commit"
    );
    fx.assert_no_violations();
}

#[test]
fn a_commit_finds_the_pull_request_that_brought_it_for_every_merge_method() {
    let fx = Fx::new();
    let direct = fx
        .fake
        .commit_file(OWNER, REPO, "main", "direct.txt", "d\n", "chore: direct");
    let mut topics = Vec::new();
    for method in ["merge", "squash", "rebase"] {
        let (number, originals) = topic_pull(&fx, method);
        let before = fx.fake.branch_sha(OWNER, REPO, "main").expect("main");
        let tip = fx.fake.merge_pull(OWNER, REPO, number, method);
        topics.push((method, number, originals, before, tip));
    }
    let (open, open_commits) = topic_pull(&fx, "open");
    for (method, number, originals, before, tip) in &topics {
        assert_eq!(pulls_of(&fx, tip), [*number], "{method}: the merge commit");
        // Every commit the merge put on main belongs to the PR.
        let landed =
            fx.c.get(&fx.p(&format!("/compare/{before}...{tip}")))
                .json();
        for c in landed["commits"].as_array().into_iter().flatten() {
            let sha = c["sha"].as_str().unwrap_or_default();
            assert_eq!(pulls_of(&fx, sha), [*number], "{method}: {sha}");
        }
        // The PR's own commits: on main after a merge; on its branch only otherwise.
        assert_eq!(
            pulls_of(&fx, &originals[0]),
            [*number],
            "{method}: original commit"
        );
    }
    assert_eq!(pulls_of(&fx, &open_commits[1]), [open], "an open PR's head");
    assert_eq!(
        pulls_of(&fx, &direct),
        Vec::<u64>::new(),
        "pushed without a PR"
    );
    let unknown = fx.c.get(&fx.p("/commits/nope/pulls"));
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.json()["message"], "No commit found for SHA: nope");
    fx.assert_no_violations();
}

#[test]
fn merge_pull_is_not_counted() {
    let fx = Fx::new();
    let (number, _) = topic_pull(&fx, "merge");
    fx.fake.reset_counts();
    let tip = fx.fake.merge_pull(OWNER, REPO, number, "merge");
    assert_eq!(fx.fake.total_requests(), 0);
    assert_eq!(
        fx.fake.branch_sha(OWNER, REPO, "main").as_deref(),
        Some(tip.as_str())
    );
    let pull = fx
        .fake
        .pulls(OWNER, REPO)
        .into_iter()
        .find(|p| p.number == number)
        .expect("the PR");
    assert!(pull.merged);
    fx.assert_no_violations();
}

#[test]
fn reads_and_writes_are_counted_apart() {
    let fx = Fx::new();
    fx.fake.reset_counts();
    fx.c.get(&fx.p(""));
    fx.c.get(&fx.p("/branches/main"));
    fx.c.post(&fx.p("/git/blobs"), json!({ "content": "x" }));
    fx.c.delete(&fx.p("/git/refs/heads/stable"));
    // A refused write still costs a request.
    fx.c.delete(&fx.p("/git/refs/heads/stable"));
    assert_eq!((fx.fake.read_count(), fx.fake.write_count()), (2, 3));
    assert_eq!(fx.fake.total_requests(), 5);
    fx.fake.reset_counts();
    assert_eq!((fx.fake.read_count(), fx.fake.write_count()), (0, 0));
    fx.assert_no_violations();
}

#[test]
fn labels_are_removed_one_at_a_time() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    fx.c.post(
        &fx.p(&format!("/issues/{number}/labels")),
        json!({ "labels": ["autorelease: pending", "promotion"] }),
    );
    let left =
        fx.c.delete(&fx.p(&format!("/issues/{number}/labels/autorelease:%20pending")));
    assert_eq!(left.status, 200);
    assert_eq!(
        left.json()
            .as_array()
            .map(|a| a.iter().map(|l| l["name"].clone()).collect::<Vec<_>>()),
        Some(vec![json!("promotion")])
    );
    let again =
        fx.c.delete(&fx.p(&format!("/issues/{number}/labels/autorelease:%20pending")));
    assert_eq!(again.status, 404);
    assert_eq!(again.json()["message"], "Label does not exist");
    assert_eq!(fx.fake.pulls(OWNER, REPO)[0].labels, ["promotion"]);
    assert_eq!(
        fx.c.delete(&fx.p("/issues/999/labels/promotion")).status,
        404
    );
    fx.assert_no_violations();
}
