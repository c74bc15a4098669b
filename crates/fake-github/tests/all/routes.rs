//! Drives every implemented operation once or more; the client checks each answer against the
//! response schema GitHub documents for it. Ends by checking that no implemented operation was
//! left out.

use std::collections::BTreeSet;

use serde_json::json;

use crate::support::{Fx, OWNER, REPO};

/// Documented operations the fake does not implement (they answer 404 and are reported as contract
/// violations if called).
const NOT_IMPLEMENTED: &[&str] = &[
    "POST /repos/{owner}/{repo}/dispatches",
    "POST /repos/{owner}/{repo}/issues",
];

#[test]
fn every_implemented_operation_answers_as_documented() {
    let fx = Fx::new();
    let c = &fx.c;
    fx.fake.add_collaborator(OWNER, REPO, "octo-reviewer");
    fx.fake
        .add_team(OWNER, "release-team", &["octo-reviewer", "hubot"]);

    // Repository, branches, collaborators, teams.
    let repo = c.get(&fx.p(""));
    assert_eq!(repo.status, 200);
    assert_eq!(repo.json()["full_name"], "acme/widgets");
    assert_eq!(repo.json()["default_branch"], "main");
    // The same routes are served without the /api/v3 prefix.
    let bare = c.get(&format!("{}/repos/acme/widgets", fx.fake.web_url()));
    assert_eq!(bare.status, 200);
    let branch = c.get(&fx.p("/branches/main"));
    assert_eq!(branch.json()["commit"]["sha"], fx.main.as_str());
    assert_eq!(c.get(&fx.p("/branches/nope")).status, 404);
    let protection = c.get(&fx.p("/branches/main/protection"));
    assert_eq!(protection.status, 404);
    assert_eq!(protection.json()["message"], "Branch not protected");
    assert_eq!(c.get(&fx.p("/rules/branches/main")).json(), json!([]));
    let perm = c.get(&fx.p("/collaborators/octo-reviewer/permission"));
    assert_eq!(perm.json()["permission"], "write");
    assert_eq!(perm.json()["role_name"], "write");
    let members = c.get("/orgs/acme/teams/release-team/members");
    assert_eq!(members.json().as_array().map(Vec::len), Some(2));

    // Commits, compare, contents, tags.
    let commits = c.get(&fx.p("/commits?sha=main&per_page=2"));
    assert_eq!(commits.json()[0]["sha"], fx.main.as_str());
    assert!(
        commits
            .header("link")
            .is_some_and(|l| l.contains("rel=\"next\""))
    );
    let only_b = c.get(&fx.p("/commits?path=src/b.txt"));
    assert_eq!(only_b.json().as_array().map(Vec::len), Some(1));
    let one = c.get(&fx.p(&format!("/commits/{}", fx.main)));
    assert_eq!(one.json()["files"][0]["filename"], "src/b.txt");
    assert_eq!(one.json()["stats"]["additions"], 1);
    let unknown = c.get(&fx.p("/commits/no-such-ref"));
    assert_eq!(unknown.status, 422);
    assert_eq!(
        unknown.json()["message"],
        "No commit found for SHA: no-such-ref"
    );
    let cmp = c.get(&fx.p("/compare/stable...main"));
    assert_eq!(cmp.json()["status"], "ahead");
    assert_eq!(cmp.json()["ahead_by"], 2);
    assert_eq!(cmp.json()["total_commits"], 2);
    assert_eq!(cmp.json()["commits"][1]["sha"], fx.main.as_str());
    assert_eq!(
        c.get(&fx.p("/compare/main...stable")).json()["status"],
        "behind"
    );
    assert_eq!(
        c.get(&fx.p("/compare/acme:main...acme:main")).json()["status"],
        "identical"
    );
    assert_eq!(c.get(&fx.p("/compare/stable...nope")).status, 404);
    let file = c.get(&fx.p("/contents/README.md?ref=main"));
    assert_eq!(file.json()["encoding"], "base64");
    assert_eq!(file.json()["content"], "IyBXaWRnZXRzCg==\n");
    let dir = c.get(&fx.p("/contents/src"));
    assert_eq!(dir.json().as_array().map(Vec::len), Some(2));
    assert_eq!(c.get(&fx.p("/contents/missing.md")).status, 404);

    // Git references.
    let main_ref = c.get(&fx.p("/git/ref/heads/main"));
    assert_eq!(main_ref.json()["object"]["sha"], fx.main.as_str());
    assert_eq!(c.get(&fx.p("/git/ref/heads/nope")).status, 404);
    let created = c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/heads/release/1.x", "sha": fx.first }),
    );
    assert_eq!(created.status, 201);
    let matching = c.get(&fx.p("/git/matching-refs/heads/release"));
    assert_eq!(matching.json()[0]["ref"], "refs/heads/release/1.x");
    let moved = c.patch(
        &fx.p("/git/refs/heads/release/1.x"),
        json!({ "sha": fx.main }),
    );
    assert_eq!(moved.status, 200);
    assert_eq!(moved.json()["object"]["sha"], fx.main.as_str());
    assert_eq!(c.delete(&fx.p("/git/refs/heads/release/1.x")).status, 204);
    c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/tags/v0.1.0", "sha": fx.first }),
    );
    let tags = c.get(&fx.p("/tags"));
    assert_eq!(tags.json()[0]["name"], "v0.1.0");

    // Git data: a blob, a tree on main's tree, a commit of it, read back.
    let blob = c.post(&fx.p("/git/blobs"), json!({ "content": "notes\n" }));
    assert_eq!(blob.status, 201);
    let main_tree =
        c.get(&fx.p(&format!("/git/commits/{}", fx.main))).json()["tree"]["sha"].clone();
    let tree = c.post(
        &fx.p("/git/trees"),
        json!({ "base_tree": main_tree, "tree": [{ "path": "NOTES", "mode": "100644", "type": "blob", "sha": blob.json()["sha"] }] }),
    );
    assert_eq!(tree.status, 201);
    let commit = c.post(
        &fx.p("/git/commits"),
        json!({ "message": "docs: notes", "tree": tree.json()["sha"], "parents": [fx.main] }),
    );
    assert_eq!(commit.status, 201);
    let sha = commit.json()["sha"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert_eq!(
        c.get(&fx.p(&format!("/git/commits/{sha}"))).json()["message"],
        "docs: notes"
    );

    // Workflows.
    let workflow = fx.fake.add_workflow(OWNER, REPO, "release-image.yml");
    assert_eq!(
        c.get(&fx.p(&format!("/actions/workflows/{workflow}")))
            .status,
        200
    );
    let dispatched = c.post(
        &fx.p("/actions/workflows/release-image.yml/dispatches"),
        json!({ "ref": "v0.1.0", "inputs": { "tag": "v0.1.0" } }),
    );
    assert_eq!(dispatched.status, 204);

    // Branch merges.
    c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/heads/hotfix", "sha": fx.first }),
    );
    let hotfix = fx
        .fake
        .commit_file(OWNER, REPO, "hotfix", "HOTFIX", "x\n", "fix: hot");
    let merged = c.post(
        &fx.p("/merges"),
        json!({ "base": "main", "head": "hotfix", "commit_message": "Merge hotfix" }),
    );
    assert_eq!(merged.status, 201);
    assert_eq!(merged.json()["parents"][1]["sha"], hotfix.as_str());
    assert_eq!(
        c.post(
            &fx.p("/merges"),
            json!({ "base": "main", "head": "hotfix" })
        )
        .status,
        204
    );
    let no_base = c.post(
        &fx.p("/merges"),
        json!({ "base": "nope", "head": "hotfix" }),
    );
    assert_eq!(no_base.json()["message"], "Base does not exist");
    let no_head = c.post(&fx.p("/merges"), json!({ "base": "main", "head": "nope" }));
    assert_eq!(no_head.json()["message"], "Head does not exist");

    let tip = fx
        .fake
        .branch_sha(OWNER, REPO, "main")
        .expect("main exists");

    // Pull requests.
    let number = fx.open_promotion();
    let list = c.get(&fx.p("/pulls?state=open&head=acme:main&base=stable"));
    assert_eq!(list.json()[0]["number"], number);
    let pr = c.get(&fx.p(&format!("/pulls/{number}")));
    assert_eq!(
        pr.json()["commits"],
        4,
        "two commits, the hotfix and its merge"
    );
    assert_eq!(pr.json()["mergeable"], true);
    let edited = c.patch(
        &fx.p(&format!("/pulls/{number}")),
        json!({ "title": "Promote", "body": "new body" }),
    );
    assert_eq!(edited.json()["body"], "new body");
    let requested = c.post(
        &fx.p(&format!("/pulls/{number}/requested_reviewers")),
        json!({ "reviewers": ["octo-reviewer"], "team_reviewers": ["release-team"] }),
    );
    assert_eq!(requested.status, 201);
    assert_eq!(
        requested.json()["requested_reviewers"][0]["login"],
        "octo-reviewer"
    );
    fx.fake
        .add_review(OWNER, REPO, number, "octo-reviewer", "APPROVED", "ship it");
    let reviews = c.get(&fx.p(&format!("/pulls/{number}/reviews")));
    assert_eq!(reviews.json()[0]["state"], "APPROVED");
    let pr_commits = c.get(&fx.p(&format!("/pulls/{number}/commits")));
    assert_eq!(pr_commits.json().as_array().map(Vec::len), Some(4));

    // Issues, labels, comments, reactions.
    let issue = fx.fake.add_issue(
        OWNER,
        REPO,
        "autorelease: pending",
        &["autorelease: pending"],
    );
    let labels = c.post(
        &fx.p(&format!("/issues/{number}/labels")),
        json!({ "labels": ["promotion", "autorelease: pending"] }),
    );
    assert_eq!(labels.json().as_array().map(Vec::len), Some(2));
    // Assignees (documented by GitHub, added beside the subset): non-collaborators are ignored.
    let assigned = c.post(
        &fx.p(&format!("/issues/{number}/assignees")),
        json!({ "assignees": ["octo-reviewer", "stranger"] }),
    );
    assert_eq!(assigned.status, 201);
    let logins: Vec<_> = assigned.json()["assignees"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a["login"].clone())
        .collect();
    assert_eq!(logins, [json!("octo-reviewer")]);
    assert_eq!(
        c.get(&fx.p(&format!("/issues/{number}/labels"))).json()[0]["name"],
        "promotion"
    );
    let issues = c.get(&fx.p("/issues?labels=autorelease:%20pending&state=all"));
    let numbers: Vec<u64> = issues
        .json()
        .as_array()
        .map(|a| a.iter().filter_map(|i| i["number"].as_u64()).collect())
        .unwrap_or_default();
    assert_eq!(numbers, vec![issue, number]);
    assert!(issues.json()[1]["pull_request"]["url"].is_string());
    let comment = c.post(
        &fx.p(&format!("/issues/{number}/comments")),
        json!({ "body": "Gate: ok" }),
    );
    assert_eq!(comment.status, 201);
    assert_eq!(
        c.get(&fx.p(&format!("/issues/{number}/comments"))).json()[0]["body"],
        "Gate: ok"
    );
    assert_eq!(
        c.get(&fx.p(&format!("/issues/{issue}/reactions"))).json(),
        json!([])
    );
    let left = c.delete(&fx.p(&format!("/issues/{number}/labels/promotion")));
    assert_eq!(left.json().as_array().map(Vec::len), Some(1));

    // One issue read and edited, a comment edited, a reaction (backport).
    let milestone = fx.fake.add_milestone(OWNER, REPO, "1.3");
    let edited = c.patch(
        &fx.p(&format!("/issues/{number}")),
        json!({ "labels": ["backport"], "milestone": milestone, "assignees": ["octo-reviewer"] }),
    );
    assert_eq!(edited.status, 200, "{}", edited.text());
    let read = c.get(&fx.p(&format!("/issues/{number}")));
    assert_eq!(read.json()["labels"][0]["name"], "backport");
    assert_eq!(read.json()["milestone"]["title"], "1.3");
    assert_eq!(read.json()["assignees"][0]["login"], "octo-reviewer");
    assert_eq!(
        c.patch(
            &fx.p(&format!("/issues/{number}")),
            json!({ "milestone": 99 })
        )
        .status,
        422
    );
    let comment_id = comment.json()["id"].as_u64().expect("an id");
    let changed = c.patch(
        &fx.p(&format!("/issues/comments/{comment_id}")),
        json!({ "body": "Gate: still ok" }),
    );
    assert_eq!(changed.json()["body"], "Gate: still ok");
    let reaction = c.post(
        &fx.p(&format!("/issues/comments/{comment_id}/reactions")),
        json!({ "content": "eyes" }),
    );
    assert_eq!(reaction.status, 201);
    let again = c.post(
        &fx.p(&format!("/issues/comments/{comment_id}/reactions")),
        json!({ "content": "eyes" }),
    );
    assert_eq!(again.status, 200, "the same reaction twice is one reaction");
    assert_eq!(fx.fake.comment_reactions(OWNER, REPO, comment_id).len(), 1);
    let gone = c.delete(&fx.p(&format!("/issues/comments/{comment_id}")));
    assert_eq!(gone.status, 204, "{}", gone.text());
    assert!(
        fx.fake
            .comments(OWNER, REPO, number)
            .iter()
            .all(|c| c.id != comment_id)
    );

    // Check runs and statuses.
    let run = c.post(
        &fx.p("/check-runs"),
        json!({ "name": "gate", "head_sha": tip, "status": "in_progress" }),
    );
    assert_eq!(run.status, 201);
    let run_id = run.json()["id"].as_u64().expect("an id");
    let done = c.patch(
        &fx.p(&format!("/check-runs/{run_id}")),
        json!({ "conclusion": "success", "output": { "title": "ok", "summary": "all good" } }),
    );
    assert_eq!(done.json()["status"], "completed");
    fx.fake
        .add_check_run(OWNER, REPO, &tip, "build", "completed", Some("failure"));
    let runs = c.get(&fx.p(&format!("/commits/{}/check-runs", tip)));
    assert_eq!(runs.json()["total_count"], 2);
    let status = c.post(
        &fx.p(&format!("/statuses/{}", tip)),
        json!({ "state": "pending", "context": "ci/test" }),
    );
    assert_eq!(status.status, 201);
    c.post(
        &fx.p(&format!("/statuses/{}", tip)),
        json!({ "state": "success", "context": "ci/test", "target_url": "https://ci.example/1" }),
    );
    let combined = c.get(&fx.p("/commits/main/status"));
    assert_eq!(combined.json()["state"], "success");
    assert_eq!(combined.json()["total_count"], 1);

    // Releases.
    let rel = c.post(
        &fx.p("/releases"),
        json!({ "tag_name": "v1.0.0", "name": "v1.0.0", "body": "notes", "target_commitish": "main" }),
    );
    assert_eq!(rel.status, 201);
    let rel_id = rel.json()["id"].as_u64().expect("an id");
    assert_eq!(c.get(&fx.p("/releases/tags/v1.0.0")).json()["id"], rel_id);
    assert_eq!(
        c.get(&fx.p(&format!("/releases/{rel_id}"))).json()["tag_name"],
        "v1.0.0"
    );
    assert_eq!(c.get(&fx.p("/releases/tags/v9.9.9")).status, 404);
    let updated = c.patch(
        &fx.p(&format!("/releases/{rel_id}")),
        json!({ "body": "better notes" }),
    );
    assert_eq!(updated.json()["body"], "better notes");
    assert_eq!(c.get(&fx.p("/releases")).json()[0]["tag_name"], "v1.0.0");
    let notes = c.post(
        &fx.p("/releases/generate-notes"),
        json!({ "tag_name": "v1.0.0" }),
    );
    assert!(
        notes.json()["body"]
            .as_str()
            .is_some_and(|b| b.contains("fix: add b"))
    );
    let spare = c.post(
        &fx.p("/releases"),
        json!({ "tag_name": "v1.0.0", "draft": true }),
    );
    let spare_id = spare.json()["id"].as_u64().expect("an id");
    let upload_url = spare.json()["upload_url"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let asset = c.upload(&upload_url, "widgets.zip", b"zip");
    assert_eq!(asset.status, 201);
    let asset_id = asset.json()["id"].as_u64().expect("an id");
    let assets = c.get(&fx.p(&format!("/releases/{spare_id}/assets")));
    assert_eq!(assets.json()[0]["name"], "widgets.zip");
    let one = c.get(&fx.p(&format!("/releases/assets/{asset_id}")));
    assert_eq!(one.json()["size"], 3);
    assert_eq!(
        c.delete(&fx.p(&format!("/releases/assets/{asset_id}")))
            .status,
        204
    );
    assert_eq!(
        c.delete(&fx.p(&format!("/releases/{spare_id}"))).status,
        204
    );
    assert_eq!(
        c.delete(&fx.p(&format!("/releases/{spare_id}"))).status,
        404
    );

    // Deployments, their statuses, and the runs dispatches start.
    let dep = c.post(
        &fx.p("/deployments"),
        json!({ "ref": "main", "environment": "qa", "auto_merge": false, "required_contexts": [], "payload": { "version": "x" } }),
    );
    assert_eq!(dep.status, 201, "{}", dep.text());
    let dep_id = dep.json()["id"].as_u64().expect("an id");
    assert_eq!(dep.json()["payload"]["version"], "x");
    let listed = c.get(&fx.p("/deployments?environment=qa&ref=main"));
    assert_eq!(listed.json()[0]["id"], dep_id);
    assert_eq!(
        c.get(&fx.p("/deployments?environment=other")).json(),
        json!([])
    );
    assert_eq!(
        c.get(&fx.p(&format!("/deployments/{dep_id}"))).json()["environment"],
        "qa"
    );
    let st = c.post(
        &fx.p(&format!("/deployments/{dep_id}/statuses")),
        json!({ "state": "success", "log_url": "https://ci.example/1" }),
    );
    assert_eq!(st.status, 201, "{}", st.text());
    let sts = c.get(&fx.p(&format!("/deployments/{dep_id}/statuses")));
    assert_eq!(sts.json()[0]["state"], "success");
    assert_eq!(sts.json()[0]["log_url"], "https://ci.example/1");
    assert_eq!(sts.json()[0]["target_url"], "https://ci.example/1");
    // A status without a URL answers as documented too.
    let bare = c.post(
        &fx.p(&format!("/deployments/{dep_id}/statuses")),
        json!({ "state": "queued" }),
    );
    assert_eq!(bare.status, 201, "{}", bare.text());
    assert_eq!(bare.json()["target_url"], "");
    // auto_inactive: a later success makes the earlier successful deployment of a non-production
    // environment inactive, and leaves production's alone (as GitHub documents it).
    let later_success = |environment: &str| {
        let ids: Vec<u64> = (0..2)
            .map(|_| {
                let d = c.post(
                    &fx.p("/deployments"),
                    json!({ "ref": "main", "environment": environment, "required_contexts": [] }),
                );
                let id = d.json()["id"].as_u64().expect("an id");
                let st = c.post(
                    &fx.p(&format!("/deployments/{id}/statuses")),
                    json!({ "state": "success" }),
                );
                assert_eq!(st.status, 201, "{}", st.text());
                id
            })
            .collect();
        let state = c
            .get(&fx.p(&format!("/deployments/{}/statuses", ids[0])))
            .json()[0]["state"]
            .clone();
        (state, ids[0])
    };
    let (state, inactive) = later_success("qa");
    assert_eq!(state, "inactive");
    let (state, active) = later_success("production");
    assert_eq!(state, "success");
    // GitHub deletes only an inactive deployment (or a repository's only one).
    assert_eq!(
        c.delete(&fx.p(&format!("/deployments/{active}"))).status,
        422
    );
    assert_eq!(
        c.delete(&fx.p(&format!("/deployments/{inactive}"))).status,
        204
    );
    fx.fake.add_workflow(OWNER, REPO, "deploy.yml");
    let run = c.post(
        &fx.p("/actions/workflows/deploy.yml/dispatches"),
        json!({ "ref": "main", "return_run_details": true }),
    );
    assert_eq!(run.status, 200, "{}", run.text());
    // A one-shot refusal: the next dispatch only.
    fx.fake.refuse_once(
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        422,
        "Cannot trigger a 'workflow_dispatch' on a disabled workflow",
    );
    let refused = c.post(
        &fx.p("/actions/workflows/deploy.yml/dispatches"),
        json!({ "ref": "main", "return_run_details": true }),
    );
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(refused.text().contains("disabled workflow"));
    let runs = c.get(&fx.p("/actions/workflows/deploy.yml/runs?event=workflow_dispatch"));
    assert_eq!(runs.json()["total_count"], 1);
    assert_eq!(
        runs.json()["workflow_runs"][0]["id"],
        run.json()["workflow_run_id"]
    );

    // The merge, last: it changes main.
    let merge = c.put(
        &fx.p(&format!("/pulls/{number}/merge")),
        json!({ "merge_method": "merge", "sha": tip }),
    );
    assert_eq!(merge.status, 200, "{}", merge.text());
    assert_eq!(merge.json()["merged"], true);
    let of_tip = c.get(&fx.p(&format!("/commits/{tip}/pulls")));
    assert_eq!(of_tip.json()[0]["number"], number);
    let after = c.get(&fx.p(&format!("/pulls/{number}")));
    assert_eq!(after.json()["merged"], true);
    assert_eq!(after.json()["state"], "closed");
    assert_eq!(after.json()["commits"], 4);
    assert_eq!(
        c.get(&fx.p(&format!("/pulls/{number}/commits")))
            .json()
            .as_array()
            .map(Vec::len),
        Some(4)
    );

    fx.assert_no_violations();
    let called: BTreeSet<String> = fx.fake.request_counts().into_keys().collect();
    let missing: Vec<String> = fake_github::contract::operation_keys()
        .into_iter()
        .filter(|k| !called.contains(k) && !NOT_IMPLEMENTED.contains(&k.as_str()))
        .collect();
    assert_eq!(
        missing,
        Vec::<String>::new(),
        "operations this test never called"
    );
}

#[test]
fn unimplemented_documented_operations_are_reported() {
    let fx = Fx::new();
    let r =
        fx.c.raw(
            "POST",
            &fx.p("/dispatches"),
            Some(&json!({ "event_type": "x" })),
        )
        .expect("an answer");
    assert_eq!(r.status, 404);
    let violations = fx.fake.contract_violations();
    assert_eq!(violations.len(), 1);
    assert!(
        violations[0].contains("does not implement"),
        "{violations:?}"
    );
}
