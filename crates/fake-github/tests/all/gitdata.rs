//! References, releases, tags, checks and statuses; and the bare repositories as real remotes.

use std::path::Path;
use std::process::Command;

use serde_json::json;

use crate::support::{Fx, OWNER, REPO};

#[test]
fn references_refuse_what_github_refuses() {
    let fx = Fx::new();
    let refs = fx.p("/git/refs");
    let exists =
        fx.c.post(&refs, json!({ "ref": "refs/heads/main", "sha": fx.main }));
    assert_eq!(exists.status, 422);
    assert_eq!(exists.json()["message"], "Reference already exists");
    let ghost = fx.c.post(
        &refs,
        json!({ "ref": "refs/heads/x", "sha": "1".repeat(40) }),
    );
    assert_eq!(ghost.json()["message"], "Object does not exist");
    let short =
        fx.c.post(&refs, json!({ "ref": "heads/x", "sha": fx.main }));
    assert_eq!(
        short.json()["message"],
        "Reference name must contain at least three slash-separated components."
    );
    let backwards =
        fx.c.patch(&fx.p("/git/refs/heads/main"), json!({ "sha": fx.first }));
    assert_eq!(backwards.status, 422);
    assert_eq!(backwards.json()["message"], "Update is not a fast forward");
    let forced = fx.c.patch(
        &fx.p("/git/refs/heads/main"),
        json!({ "sha": fx.first, "force": true }),
    );
    assert_eq!(forced.status, 200);
    assert_eq!(
        fx.fake.branch_sha(OWNER, REPO, "main").as_deref(),
        Some(fx.first.as_str())
    );
    let forward =
        fx.c.patch(&fx.p("/git/refs/heads/main"), json!({ "sha": fx.main }));
    assert_eq!(forward.status, 200);
    let missing =
        fx.c.patch(&fx.p("/git/refs/heads/nope"), json!({ "sha": fx.main }));
    assert_eq!(missing.json()["message"], "Reference does not exist");
    assert_eq!(fx.c.delete(&fx.p("/git/refs/heads/nope")).status, 422);
    fx.assert_no_violations();
}

#[test]
fn deleting_the_head_branch_closes_its_pull() {
    let fx = Fx::new();
    fx.fake.create_branch(OWNER, REPO, "topic", &fx.main);
    let r = fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": "t", "head": "topic", "base": "stable" }),
    );
    assert_eq!(r.status, 201);
    assert_eq!(fx.c.delete(&fx.p("/git/refs/heads/topic")).status, 204);
    let pull = &fx.fake.pulls(OWNER, REPO)[0];
    assert_eq!((pull.state.as_str(), pull.merged), ("closed", false));
}

#[test]
fn releases_publish_tags_and_refuse_duplicates() {
    let fx = Fx::new();
    let draft = fx.c.post(
        &fx.p("/releases"),
        json!({ "tag_name": "v1.0.0", "name": "1.0.0", "draft": true }),
    );
    assert_eq!(draft.status, 201);
    assert!(fx.fake.tags(OWNER, REPO).is_empty(), "a draft makes no tag");
    assert_eq!(fx.c.get(&fx.p("/releases/tags/v1.0.0")).status, 404);
    // Drafts may share a tag (GitHub's rule); published releases may not.
    let second_draft = fx.c.post(
        &fx.p("/releases"),
        json!({ "tag_name": "v1.0.0", "draft": true }),
    );
    assert_eq!(second_draft.status, 201);
    let first_published =
        fx.c.post(&fx.p("/releases"), json!({ "tag_name": "v1.0.0" }));
    assert_eq!(first_published.status, 201);
    let dup =
        fx.c.post(&fx.p("/releases"), json!({ "tag_name": "v1.0.0" }));
    assert_eq!(dup.status, 422);
    assert_eq!(
        dup.json(),
        json!({
            "message": "Validation Failed",
            "errors": [{ "resource": "Release", "code": "already_exists", "field": "tag_name" }],
            "documentation_url": "https://docs.github.com/rest/releases/releases#create-a-release",
            "status": "422",
        })
    );
    let id = draft.json()["id"].as_u64().expect("an id");
    let published_id = first_published.json()["id"].clone();
    // Publishing a draft of a tag that has its published release already is refused.
    let published =
        fx.c.patch(&fx.p(&format!("/releases/{id}")), json!({ "draft": false }));
    assert_eq!(published.status, 422);
    assert_eq!(
        fx.fake.tags(OWNER, REPO),
        vec![("v1.0.0".to_string(), fx.main.clone())]
    );
    assert_eq!(
        fx.c.get(&fx.p("/releases/tags/v1.0.0")).json()["id"],
        published_id
    );
    // A lone draft is published with its tag.
    let lone = fx.c.post(
        &fx.p("/releases"),
        json!({ "tag_name": "v1.1.0", "draft": true }),
    );
    let lone_id = lone.json()["id"].as_u64().expect("an id");
    let published = fx.c.patch(
        &fx.p(&format!("/releases/{lone_id}")),
        json!({ "draft": false }),
    );
    assert_eq!(published.status, 200);
    assert!(published.json()["published_at"].is_string());
    assert!(fx.fake.tag_sha(OWNER, REPO, "v1.1.0").is_some());
    let bad_target = fx.c.post(
        &fx.p("/releases"),
        json!({ "tag_name": "v2.0.0", "target_commitish": "nope" }),
    );
    assert_eq!(bad_target.json()["errors"][0]["field"], "target_commitish");
    let releases = fx.fake.releases(OWNER, REPO);
    assert_eq!(releases.len(), 4);
    assert_eq!(releases.iter().filter(|r| r.draft).count(), 2);
    assert_eq!(
        fx.c.patch(&fx.p("/releases/12345"), json!({ "body": "x" }))
            .status,
        404
    );
    fx.assert_no_violations();
}

#[test]
fn checks_and_statuses_combine_as_github_does() {
    let fx = Fx::new();
    let sha = fx.main.as_str();
    fx.fake
        .add_check_run(OWNER, REPO, sha, "test", "completed", Some("failure"));
    fx.fake
        .add_check_run(OWNER, REPO, sha, "test", "completed", Some("success"));
    fx.fake
        .add_check_run(OWNER, REPO, sha, "lint", "in_progress", None);
    let latest = fx.c.get(&fx.p(&format!("/commits/{sha}/check-runs")));
    assert_eq!(latest.json()["total_count"], 2, "latest run of each name");
    assert_eq!(latest.json()["check_runs"][1]["conclusion"], "success");
    let all =
        fx.c.get(&fx.p("/commits/main/check-runs?filter=all&check_name=test"));
    assert_eq!(all.json()["total_count"], 2);
    let combined = |fx: &Fx| fx.c.get(&fx.p("/commits/main/status")).json()["state"].clone();
    assert_eq!(combined(&fx), "pending", "no statuses yet");
    fx.fake.add_status(OWNER, REPO, sha, "ci", "success");
    assert_eq!(combined(&fx), "success");
    fx.fake.add_status(OWNER, REPO, sha, "deploy", "error");
    assert_eq!(combined(&fx), "failure");
    fx.fake.add_status(OWNER, REPO, sha, "deploy", "success");
    assert_eq!(
        combined(&fx),
        "success",
        "the latest status of each context counts"
    );
    let unknown = fx.c.post(
        &fx.p(&format!("/statuses/{}", "2".repeat(40))),
        json!({ "state": "success" }),
    );
    assert_eq!(unknown.status, 422);
    fx.assert_no_violations();
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .expect("git runs");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn bare_repositories_are_real_remotes() {
    let fx = Fx::new();
    let bare = fx.fake.create_repo(OWNER, REPO);
    let work = tempfile::tempdir().expect("a temporary directory");
    let clone = work.path().join("clone");
    git(
        work.path(),
        &[
            "clone",
            "-q",
            &bare.to_string_lossy(),
            &clone.to_string_lossy(),
        ],
    );
    assert_eq!(git(&clone, &["rev-parse", "HEAD"]), fx.main);
    std::fs::write(clone.join("pushed.txt"), "from a clone\n").expect("write");
    git(&clone, &["add", "pushed.txt"]);
    git(&clone, &["commit", "-q", "-m", "feat: pushed"]);
    git(&clone, &["push", "-q", "origin", "HEAD:refs/heads/pushed"]);
    let pushed = git(&clone, &["rev-parse", "HEAD"]);
    let branch = fx.c.get(&fx.p("/branches/pushed"));
    assert_eq!(branch.json()["commit"]["sha"], pushed.as_str());
    let cmp = fx.c.get(&fx.p("/compare/main...pushed"));
    assert_eq!(cmp.json()["files"][0]["filename"], "pushed.txt");
    // And what the API writes, a clone fetches.
    let r = fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": "t", "head": "pushed", "base": "main" }),
    );
    let number = r.json()["number"].as_u64().expect("a number");
    let merged =
        fx.c.put(&fx.p(&format!("/pulls/{number}/merge")), json!({}));
    git(&clone, &["fetch", "-q", "origin"]);
    assert_eq!(
        git(&clone, &["rev-parse", "origin/main"]),
        merged.json()["sha"].as_str().unwrap_or_default()
    );
    assert_eq!(
        git(&clone, &["log", "-1", "--format=%s", "origin/main"]),
        format!("Merge pull request #{number} from acme/pushed")
    );
}
