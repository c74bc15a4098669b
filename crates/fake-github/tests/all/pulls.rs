//! Pull requests as GitHub documents them: the exact 422s, the `head` filter, the body limit, one
//! open PR per head and base even under concurrent creates, merges.

use std::sync::Arc;

use serde_json::{Value, json};

use crate::support::{Fx, OWNER, REPO};

const CREATE_DOCS: &str = "https://docs.github.com/rest/pulls/pulls#create-a-pull-request";

fn create(fx: &Fx, head: &str, base: &str) -> crate::client::Resp {
    fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": "t", "head": head, "base": base, "body": "b" }),
    )
}

#[test]
fn create_answers_github_s_exact_422s() {
    let fx = Fx::new();
    let none = create(&fx, "stable", "main");
    assert_eq!(none.status, 422);
    assert_eq!(
        none.json(),
        json!({
            "message": "Validation Failed",
            "errors": [{ "resource": "PullRequest", "code": "custom", "message": "No commits between main and stable" }],
            "documentation_url": CREATE_DOCS,
            "status": "422",
        })
    );
    assert_eq!(create(&fx, "main", "stable").status, 201);
    for head in ["main", "acme:main"] {
        let again = create(&fx, head, "stable");
        assert_eq!(again.status, 422);
        assert_eq!(
            again.json(),
            json!({
                "message": "Validation Failed",
                "errors": [{ "resource": "PullRequest", "code": "custom", "message": "A pull request already exists for acme:main." }],
                "documentation_url": CREATE_DOCS,
                "status": "422",
            })
        );
    }
    let no_head = create(&fx, "nope", "stable");
    assert_eq!(
        no_head.json()["errors"],
        json!([{ "resource": "PullRequest", "field": "head", "code": "invalid" }])
    );
    let no_base = create(&fx, "main", "nope");
    assert_eq!(
        no_base.json()["errors"],
        json!([{ "resource": "PullRequest", "field": "base", "code": "invalid" }])
    );
    let fork = create(&fx, "someone-else:main", "stable");
    assert_eq!(fork.json()["errors"][0]["field"], "head");
    fx.assert_no_violations();
}

#[test]
fn created_pull_has_location_and_current_head() {
    let fx = Fx::new();
    let r = create(&fx, "main", "stable");
    assert_eq!(r.status, 201);
    let pr = r.json();
    assert_eq!(r.header("location"), pr["url"].as_str());
    assert_eq!(pr["head"]["sha"], fx.main.as_str());
    assert_eq!(pr["head"]["label"], "acme:main");
    assert_eq!(pr["base"]["sha"], fx.first.as_str());
    assert_eq!(pr["user"]["login"], "github-actions[bot]");
    assert_eq!(
        (
            pr["commits"].as_u64(),
            pr["additions"].as_u64(),
            pr["changed_files"].as_u64()
        ),
        (Some(2), Some(2), Some(2))
    );
    // New commits on the head branch show at once, in the API and in the snapshot.
    let newer = fx
        .fake
        .commit_file(OWNER, REPO, "main", "c.txt", "c\n", "feat: c");
    let number = pr["number"].as_u64().expect("a number");
    let again = fx.c.get(&fx.p(&format!("/pulls/{number}"))).json();
    assert_eq!(again["head"]["sha"], newer.as_str());
    assert_eq!(again["commits"], 3);
    let snapshot = &fx.fake.pulls(OWNER, REPO)[0];
    assert_eq!(snapshot.head_sha, newer);
    assert_eq!(
        (snapshot.head_ref.as_str(), snapshot.base_ref.as_str()),
        ("main", "stable")
    );
    assert_eq!(snapshot.body.as_deref(), Some("b"));
}

#[test]
fn body_limit_is_65536_characters() {
    let fx = Fx::new();
    // Characters, not bytes: 65,536 two-byte characters fit.
    let fits = "é".repeat(65_536);
    let r = fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": "t", "head": "main", "base": "stable", "body": fits }),
    );
    assert_eq!(r.status, 201);
    let number = r.json()["number"].as_u64().expect("a number");
    let too_long = "x".repeat(65_537);
    let patch = fx.c.patch(
        &fx.p(&format!("/pulls/{number}")),
        json!({ "body": too_long }),
    );
    assert_eq!(patch.status, 422);
    assert_eq!(
        patch.json()["errors"][0]["message"],
        "body is too long (maximum is 65536 characters)"
    );
    fx.c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/heads/other", "sha": fx.main }),
    );
    let create = fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": "t", "head": "other", "base": "stable", "body": too_long }),
    );
    assert_eq!(create.status, 422);
    assert_eq!(create.json()["message"], "Validation Failed");
    assert_eq!(
        fx.fake.pulls(OWNER, REPO).len(),
        1,
        "the long one was not created"
    );
    // Editing in the UI bypasses the API (and its counts).
    let before = fx.fake.total_requests();
    fx.fake
        .set_pull_body(OWNER, REPO, number, "edited by a person");
    assert_eq!(fx.fake.total_requests(), before);
    assert_eq!(
        fx.fake.pulls(OWNER, REPO)[0].body.as_deref(),
        Some("edited by a person")
    );
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .map(|a| a.iter().filter_map(|p| p["number"].as_u64()).collect())
        .unwrap_or_default()
}

#[test]
fn head_filter_needs_owner_and_branch() {
    let fx = Fx::new();
    let promotion = fx.open_promotion();
    fx.c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/heads/feature", "sha": fx.main }),
    );
    let feature = create(&fx, "feature", "stable").json()["number"]
        .as_u64()
        .expect("a number");
    let list = |q: &str| numbers(&fx.c.get(&fx.p(&format!("/pulls{q}"))).json());
    assert_eq!(list("?head=acme:main"), vec![promotion]);
    assert_eq!(list("?head=ACME:feature"), vec![feature]);
    // A bare branch name is ignored, as on GitHub: every open PR comes back.
    assert_eq!(list("?head=main"), vec![feature, promotion]);
    assert_eq!(list("?head=someone:main"), Vec::<u64>::new());
    assert_eq!(list("?base=main"), Vec::<u64>::new());
    assert_eq!(list("?direction=asc"), vec![promotion, feature]);
    fx.c.patch(
        &fx.p(&format!("/pulls/{feature}")),
        json!({ "state": "closed" }),
    );
    assert_eq!(list(""), vec![promotion]);
    assert_eq!(list("?state=closed"), vec![feature]);
    assert_eq!(list("?state=all&head=acme:feature"), vec![feature]);
    fx.assert_no_violations();
}

#[test]
fn concurrent_creates_open_exactly_one_pull() {
    let fx = Arc::new(Fx::new());
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let fx = Arc::clone(&fx);
            std::thread::spawn(move || create(&fx, "acme:main", "stable").status)
        })
        .collect();
    let mut statuses: Vec<u16> = threads
        .into_iter()
        .map(|t| t.join().expect("the thread finishes"))
        .collect();
    statuses.sort_unstable();
    assert_eq!(statuses, vec![201, 422, 422, 422, 422, 422, 422, 422]);
    assert_eq!(fx.fake.pulls(OWNER, REPO).len(), 1);
    assert_eq!(
        fx.fake
            .request_counts()
            .get("POST /repos/{owner}/{repo}/pulls"),
        Some(&8)
    );
}

#[test]
fn reopening_and_rebasing_keep_one_open_pull_per_head_and_base() {
    let fx = Fx::new();
    let first = fx.open_promotion();
    fx.c.patch(
        &fx.p(&format!("/pulls/{first}")),
        json!({ "state": "closed" }),
    );
    let second = fx.open_promotion();
    let reopen = fx.c.patch(
        &fx.p(&format!("/pulls/{first}")),
        json!({ "state": "open" }),
    );
    assert_eq!(reopen.status, 422);
    assert_eq!(
        reopen.json()["errors"][0]["message"],
        "A pull request already exists for acme:main."
    );
    let bad_base = fx.c.patch(
        &fx.p(&format!("/pulls/{second}")),
        json!({ "base": "nope" }),
    );
    assert_eq!(bad_base.json()["errors"][0]["field"], "base");
    let retitled = fx.c.patch(
        &fx.p(&format!("/pulls/{second}")),
        json!({ "title": "New" }),
    );
    assert_eq!(retitled.json()["title"], "New");
}

#[test]
fn review_requests_need_collaborators_and_not_the_author() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    let path = fx.p(&format!("/pulls/{number}/requested_reviewers"));
    let stranger = fx.c.post(&path, json!({ "reviewers": ["stranger"] }));
    assert_eq!(stranger.status, 422);
    assert_eq!(
        stranger.json()["message"],
        "Reviews may only be requested from collaborators. One or more of the users or teams you \
         specified is not a collaborator of the acme/widgets repository."
    );
    let team =
        fx.c.post(&path, json!({ "team_reviewers": ["no-such-team"] }));
    assert_eq!(team.status, 422);
    fx.fake.add_collaborator(OWNER, REPO, "github-actions[bot]");
    let author =
        fx.c.post(&path, json!({ "reviewers": ["github-actions[bot]"] }));
    assert_eq!(author.status, 422);
    assert_eq!(
        author.json()["message"],
        "Review cannot be requested from pull request author."
    );
    fx.fake.add_collaborator(OWNER, REPO, "alice");
    fx.fake.add_team(OWNER, "Leads", &["alice"]);
    let ok = fx.c.post(
        &path,
        json!({ "reviewers": ["alice"], "team_reviewers": ["leads"] }),
    );
    assert_eq!(ok.status, 201);
    fx.fake.set_assignees(OWNER, REPO, number, &["alice"]);
    let served = fx.c.get(&fx.p(&format!("/pulls/{number}"))).json();
    assert_eq!(served["assignees"][0]["login"], "alice");
    assert_eq!(served["requested_teams"][0]["slug"], "leads");
    let pull = &fx.fake.pulls(OWNER, REPO)[0];
    assert_eq!(pull.assignees, vec!["alice".to_string()]);
    assert_eq!(pull.requested_reviewers, vec!["alice".to_string()]);
    assert_eq!(pull.requested_teams, vec!["leads".to_string()]);
    fx.assert_no_violations();
}

#[test]
fn labels_are_created_on_the_fly_and_shared_with_issues() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    fx.fake.add_label(OWNER, REPO, "release", "00ff00", "Ships");
    let r = fx.c.post(
        &fx.p(&format!("/issues/{number}/labels")),
        json!({ "labels": ["release", "brand-new"] }),
    );
    assert_eq!(r.status, 200);
    let labels = r.json();
    assert_eq!(labels[0]["color"], "00ff00");
    assert_eq!(labels[1]["name"], "brand-new");
    assert_eq!(labels[1]["color"], "ededed");
    // The bare-array form adds to the set without duplicates.
    let again = fx.c.post(
        &fx.p(&format!("/issues/{number}/labels")),
        json!(["brand-new"]),
    );
    assert_eq!(again.json().as_array().map(Vec::len), Some(2));
    assert_eq!(
        fx.fake.pulls(OWNER, REPO)[0].labels,
        vec!["release", "brand-new"]
    );
    // Issues and PRs share one number sequence.
    let issue = fx.fake.add_issue(OWNER, REPO, "tracking", &["release"]);
    assert_eq!(issue, number + 1);
    assert_eq!(fx.c.get(&fx.p("/issues/99/labels")).status, 404);
}

#[test]
fn merge_methods_write_real_commits() {
    let fx = Fx::new();
    for (method, parents) in [("merge", 2), ("squash", 1), ("rebase", 1)] {
        let branch = format!("topic-{method}");
        fx.c.post(
            &fx.p("/git/refs"),
            json!({ "ref": format!("refs/heads/{branch}"), "sha": fx.first }),
        );
        fx.fake.commit_file(
            OWNER,
            REPO,
            &branch,
            &format!("{method}.txt"),
            "x\n",
            "feat: topic",
        );
        let number = create(&fx, &branch, "stable").json()["number"]
            .as_u64()
            .expect("a number");
        let merged = fx.c.put(
            &fx.p(&format!("/pulls/{number}/merge")),
            json!({ "merge_method": method }),
        );
        assert_eq!(merged.status, 200, "{method}: {}", merged.text());
        let sha = merged.json()["sha"].as_str().expect("a sha").to_string();
        assert_eq!(
            fx.fake.branch_sha(OWNER, REPO, "stable").as_deref(),
            Some(sha.as_str())
        );
        let commit = fx.c.get(&fx.p(&format!("/commits/{sha}"))).json();
        assert_eq!(
            commit["parents"].as_array().map(Vec::len),
            Some(parents),
            "{method}"
        );
        let pull = fx
            .fake
            .pulls(OWNER, REPO)
            .into_iter()
            .find(|p| p.number == number)
            .expect("the PR");
        assert!(pull.merged && pull.state == "closed");
        assert_eq!(pull.merge_commit_sha.as_deref(), Some(sha.as_str()));
        let again =
            fx.c.put(&fx.p(&format!("/pulls/{number}/merge")), json!({}));
        assert_eq!(again.status, 405);
    }
    fx.assert_no_violations();
}

#[test]
fn merge_refuses_a_moved_head_and_conflicts() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    let stale = fx.c.put(
        &fx.p(&format!("/pulls/{number}/merge")),
        json!({ "sha": fx.first }),
    );
    assert_eq!(stale.status, 409);
    assert_eq!(
        stale.json()["message"],
        "Head branch was modified. Review and try the merge again."
    );
    // Both sides change the same line: no merge.
    fx.fake
        .commit_file(OWNER, REPO, "main", "README.md", "# Main\n", "docs: main");
    fx.fake.commit_file(
        OWNER,
        REPO,
        "stable",
        "README.md",
        "# Stable\n",
        "docs: stable",
    );
    let pr = fx.c.get(&fx.p(&format!("/pulls/{number}"))).json();
    assert_eq!(pr["mergeable"], false);
    assert_eq!(pr["mergeable_state"], "dirty");
    let conflict =
        fx.c.put(&fx.p(&format!("/pulls/{number}/merge")), json!({}));
    assert_eq!(conflict.status, 405);
    assert_eq!(conflict.json()["message"], "Pull Request is not mergeable");
    let branch_merge = fx.c.post(
        &fx.p("/merges"),
        json!({ "base": "stable", "head": "main" }),
    );
    assert_eq!(branch_merge.status, 409);
    assert_eq!(branch_merge.json()["message"], "Merge conflict");
    fx.assert_no_violations();
}
