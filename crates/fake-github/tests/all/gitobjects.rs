//! The git data API: blobs, trees and commits are real git objects, nested paths build sub-trees,
//! and bad SHAs get GitHub's 422s.

use serde_json::{Value, json};

use crate::support::{Fx, OWNER, REPO};

fn tree_of(fx: &Fx, commit: &str) -> Value {
    fx.c.get(&fx.p(&format!("/git/commits/{commit}"))).json()["tree"]["sha"].clone()
}

fn content(fx: &Fx, path: &str) -> Option<String> {
    let r = fx.c.get(&fx.p(&format!("/contents/{path}?ref=main")));
    (r.status == 200).then(|| r.json()["content"].as_str().unwrap_or_default().to_string())
}

#[test]
fn blobs_are_real_objects_in_both_encodings() {
    let fx = Fx::new();
    let utf8 = fx.c.post(
        &fx.p("/git/blobs"),
        json!({ "content": "hello\n", "encoding": "utf-8" }),
    );
    assert_eq!(utf8.status, 201);
    // `git hash-object` of "hello\n".
    assert_eq!(
        utf8.json()["sha"],
        "ce013625030ba8dba906f756967f9e9ca394464a"
    );
    let b64 = fx.c.post(
        &fx.p("/git/blobs"),
        json!({ "content": "aGVs\nbG8K", "encoding": "base64" }),
    );
    assert_eq!(b64.json()["sha"], utf8.json()["sha"]);
    assert_eq!(
        b64.header("location"),
        utf8.json()["url"].as_str(),
        "Location names the blob"
    );
    // Sent raw: GitHub documents this 422 as `oneOf` two schemas that any error body satisfies
    // both of, so no body can validate against it.
    let bad =
        fx.c.raw(
            "POST",
            &fx.p("/git/blobs"),
            Some(&json!({ "content": "%%%", "encoding": "base64" })),
        )
        .expect("an answer");
    assert_eq!(bad.status, 422);
    assert_eq!(bad.json()["errors"][0]["field"], "content");
    fx.assert_no_violations();
}

#[test]
fn trees_build_nested_paths_delete_entries_and_commits_land_with_a_ref_move() {
    let fx = Fx::new();
    let readme =
        fx.c.post(&fx.p("/git/blobs"), json!({ "content": "# New\n" }))
            .json()["sha"]
            .clone();
    let tree = fx.c.post(
        &fx.p("/git/trees"),
        json!({
            "base_tree": tree_of(&fx, &fx.main),
            "tree": [
                { "path": "docs/guide/intro.md", "mode": "100644", "type": "blob", "content": "intro\n" },
                { "path": "README.md", "mode": "100644", "type": "blob", "sha": readme },
                { "path": "src/a.txt", "mode": "100644", "type": "blob", "sha": null },
            ],
        }),
    );
    assert_eq!(tree.status, 201, "{}", tree.text());
    let paths: Vec<Value> = tree.json()["tree"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["path"].clone())
        .collect();
    assert_eq!(
        paths,
        [json!("README.md"), json!("docs"), json!("src")],
        "top-level entries only"
    );
    let docs = &tree.json()["tree"][1];
    assert_eq!(
        (docs["type"].clone(), docs["mode"].clone()),
        (json!("tree"), json!("040000"))
    );

    let commit = fx.c.post(
        &fx.p("/git/commits"),
        json!({ "message": "docs: guide\n\nBody.", "tree": tree.json()["sha"], "parents": [fx.main] }),
    );
    assert_eq!(commit.status, 201, "{}", commit.text());
    let c = commit.json();
    let sha = c["sha"].as_str().expect("a sha").to_string();
    // Unset, the author is the token's user and the committer the author.
    assert_eq!(c["author"]["name"], "github-actions[bot]");
    assert_eq!(c["committer"], c["author"]);
    assert_eq!(c["parents"][0]["sha"], fx.main.as_str());
    assert_eq!(c["message"], "docs: guide\n\nBody.");
    assert_eq!(fx.c.get(&fx.p(&format!("/git/commits/{sha}"))).json(), c);
    // Nothing moved yet; a fast-forward of main lands it.
    assert_eq!(
        fx.fake.branch_sha(OWNER, REPO, "main").as_deref(),
        Some(fx.main.as_str())
    );
    let moved =
        fx.c.patch(&fx.p("/git/refs/heads/main"), json!({ "sha": sha }));
    assert_eq!(moved.status, 200);
    assert_eq!(
        content(&fx, "docs/guide/intro.md").as_deref(),
        Some("aW50cm8K\n")
    );
    assert_eq!(content(&fx, "README.md").as_deref(), Some("IyBOZXcK\n"));
    assert_eq!(content(&fx, "src/a.txt"), None, "deleted");
    assert!(content(&fx, "src/b.txt").is_some(), "its sibling stays");

    // Deleting a directory's last file drops the directory.
    let emptied = fx.c.post(
        &fx.p("/git/trees"),
        json!({ "base_tree": tree_of(&fx, &sha), "tree": [{ "path": "src/b.txt", "mode": "100644", "type": "blob", "sha": null }] }),
    );
    let names: Vec<Value> = emptied.json()["tree"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| e["path"].clone())
        .collect();
    assert_eq!(names, [json!("README.md"), json!("docs")]);
    fx.assert_no_violations();
}

#[test]
fn commits_keep_a_given_author_and_date() {
    let fx = Fx::new();
    let commit = fx.c.post(
        &fx.p("/git/commits"),
        json!({
            "message": "chore: dated",
            "tree": tree_of(&fx, &fx.main),
            "parents": [fx.main],
            "author": { "name": "Mona", "email": "mona@example.com", "date": "2026-01-02T03:04:05+02:00" },
        }),
    );
    let c = commit.json();
    assert_eq!(c["author"]["name"], "Mona");
    assert_eq!(c["author"]["date"], "2026-01-02T01:04:05Z");
    assert_eq!(c["committer"]["email"], "mona@example.com");
    fx.assert_no_violations();
}

#[test]
fn unknown_objects_get_github_s_422s_and_nothing_is_written() {
    let fx = Fx::new();
    let ghost = "1".repeat(40);
    let bad_blob = fx.c.post(
        &fx.p("/git/trees"),
        json!({ "tree": [{ "path": "x", "mode": "100644", "type": "blob", "sha": ghost }] }),
    );
    assert_eq!(bad_blob.status, 422);
    assert_eq!(
        bad_blob.json()["message"],
        format!("tree.sha {ghost} is not a valid blob")
    );
    let bad_base = fx.c.post(
        &fx.p("/git/trees"),
        json!({ "base_tree": fx.main, "tree": [{ "path": "x", "mode": "100644", "type": "blob", "content": "x" }] }),
    );
    assert_eq!(
        bad_base.json()["message"],
        "base_tree is not a valid tree oid",
        "a commit is not a tree"
    );
    let bad_tree = fx.c.post(
        &fx.p("/git/commits"),
        json!({ "message": "m", "tree": ghost, "parents": [fx.main] }),
    );
    assert_eq!(bad_tree.status, 422);
    assert_eq!(bad_tree.json()["message"], "Tree SHA does not exist");
    let bad_parent = fx.c.post(
        &fx.p("/git/commits"),
        json!({ "message": "m", "tree": tree_of(&fx, &fx.main), "parents": [ghost] }),
    );
    assert_eq!(bad_parent.status, 422);
    assert_eq!(
        bad_parent.json()["message"],
        "Parent SHA does not exist or is not a commit object"
    );
    assert_eq!(
        fx.c.get(&fx.p(&format!("/git/commits/{ghost}"))).status,
        404
    );
    let tree = tree_of(&fx, &fx.main);
    let tree = tree.as_str().unwrap_or_default();
    assert_eq!(
        fx.c.get(&fx.p(&format!("/git/commits/{tree}"))).status,
        404,
        "a tree is no commit"
    );
    fx.assert_no_violations();
}

#[test]
fn commit_files_writes_deletes_and_nests_in_one_commit() {
    let fx = Fx::new();
    let sha = fx.fake.commit_files(
        OWNER,
        REPO,
        "main",
        &[
            ("a/b/c.txt", Some("c\n")),
            ("src/a.txt", None),
            ("README.md", Some("# R\n")),
        ],
        "chore: several",
    );
    assert_eq!(
        fx.fake.branch_sha(OWNER, REPO, "main").as_deref(),
        Some(sha.as_str())
    );
    let commit = fx.c.get(&fx.p(&format!("/commits/{sha}"))).json();
    assert_eq!(commit["parents"][0]["sha"], fx.main.as_str());
    let mut files: Vec<(String, String)> = commit["files"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|f| {
            (
                f["filename"].as_str().unwrap_or_default().to_string(),
                f["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ("README.md".to_string(), "modified".to_string()),
            ("a/b/c.txt".to_string(), "added".to_string()),
            ("src/a.txt".to_string(), "removed".to_string()),
        ]
    );
    fx.assert_no_violations();
}
