//! Tokens limited to some repositories, and git over smart HTTP (clone, fetch, push) with them.

use fake_github::TokenPerms;
use std::path::Path;
use std::process::Command;

use crate::client::send;
use crate::support::{Fx, OWNER, REPO};

const READER: &str = "ghs_readerreaderreaderreaderreader0001";
const WRITER: &str = "ghs_writerwriterwriterwriterwriter0002";
const CLASSIC: &str = "ghp_classicclassicclassicclassicclas03";

fn fx_with_tokens() -> Fx {
    let fx = Fx::new();
    fx.fake.create_repo("other", "hidden");
    fx.fake
        .commit_file("other", "hidden", "main", "x.txt", "x\n", "chore: start");
    let widgets = format!("{OWNER}/{REPO}");
    fx.fake
        .add_token(READER, &[&widgets], TokenPerms::default());
    let write = TokenPerms {
        write: true,
        ..TokenPerms::default()
    };
    fx.fake.add_token(WRITER, &[&widgets], write);
    let classic = TokenPerms {
        classic: true,
        ..write
    };
    fx.fake.add_token(CLASSIC, &[&widgets], classic);
    fx
}

#[test]
fn a_limited_token_sees_only_its_repositories_and_writes_only_when_allowed() {
    let fx = fx_with_tokens();
    let api = fx.fake.api_url();
    let get = |token: &str, path: &str| {
        send(
            "GET",
            &format!("{api}{path}"),
            Some(&format!("Bearer {token}")),
            None,
        )
        .expect("an answer")
    };
    let widgets = get(READER, &fx.p(""));
    assert_eq!(widgets.status, 200);
    assert_eq!(
        widgets.json()["clone_url"],
        fx.fake.clone_url(OWNER, REPO),
        "git reaches the fake where repos/get says"
    );
    // Hidden, not forbidden: GitHub does not tell a token that a private repository exists.
    let hidden = get(READER, "/repos/other/hidden");
    assert_eq!(hidden.status, 404);
    assert_eq!(hidden.json()["message"], "Not Found");
    assert_eq!(get(&fx.fake.token(), "/repos/other/hidden").status, 200);
    assert_eq!(get("ghs_unknown", &fx.p("")).status, 401);

    let create = serde_json::json!({ "title": "t", "head": "main", "base": "stable" });
    let post = |token: &str| {
        send(
            "POST",
            &format!("{api}{}", fx.p("/pulls")),
            Some(&format!("token {token}")),
            Some(create.to_string().as_bytes()),
        )
        .expect("an answer")
    };
    let refused = post(READER);
    assert_eq!(refused.status, 403);
    assert_eq!(
        refused.json()["message"],
        "Resource not accessible by personal access token"
    );
    assert!(fx.fake.pulls(OWNER, REPO).is_empty());
    assert_eq!(post(WRITER).status, 201);

    // A classic PAT's answers say its scopes; an App token's do not.
    assert_eq!(
        get(CLASSIC, &fx.p("")).header("x-oauth-scopes"),
        Some("repo")
    );
    assert_eq!(get(WRITER, &fx.p("")).header("x-oauth-scopes"), None);
    fx.assert_no_violations();
}

/// `git` with the token in an extra header (never in the URL), no prompt, no user config.
fn git(dir: &Path, token: &str, args: &[&str]) -> std::process::Output {
    let basic = base64(&format!("x-access-token:{token}"));
    Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .env("GIT_CONFIG_COUNT", "3")
        .env("GIT_CONFIG_KEY_0", "http.extraheader")
        .env(
            "GIT_CONFIG_VALUE_0",
            format!("Authorization: Basic {basic}"),
        )
        .env("GIT_CONFIG_KEY_1", "user.name")
        .env("GIT_CONFIG_VALUE_1", "Test")
        .env("GIT_CONFIG_KEY_2", "user.email")
        .env("GIT_CONFIG_VALUE_2", "test@example.com")
        .output()
        .expect("git runs")
}

fn base64(text: &str) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(ABC[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn git_clones_and_pushes_over_smart_http_as_the_token_allows() {
    let fx = fx_with_tokens();
    let work = tempfile::tempdir().expect("temp dir");
    let url = fx.fake.clone_url(OWNER, REPO);
    let cloned = git(work.path(), READER, &["clone", "-q", &url, "c"]);
    assert!(cloned.status.success(), "{}", stderr(&cloned));
    let clone = work.path().join("c");
    assert_eq!(
        String::from_utf8_lossy(&git(&clone, READER, &["rev-parse", "origin/main"]).stdout).trim(),
        fx.main
    );

    // Unknown token, hidden repository.
    let other = git(work.path(), "ghs_nobody", &["ls-remote", &url]);
    assert!(!other.status.success());
    let hidden = git(
        work.path(),
        READER,
        &["ls-remote", &fx.fake.clone_url("other", "hidden")],
    );
    assert!(!hidden.status.success());
    assert!(stderr(&hidden).contains("not found"), "{}", stderr(&hidden));

    // A read-only token may not push; a writer may; a workflow change needs `workflows`.
    std::fs::write(clone.join("n.txt"), "n\n").expect("write");
    assert!(git(&clone, READER, &["add", "."]).status.success());
    assert!(
        git(&clone, READER, &["commit", "-qm", "feat: n"])
            .status
            .success()
    );
    let denied = git(
        &clone,
        READER,
        &["push", "-q", "origin", "HEAD:refs/heads/sync"],
    );
    assert!(!denied.status.success());
    assert!(stderr(&denied).contains("403"), "{}", stderr(&denied));
    assert_eq!(fx.fake.branch_sha(OWNER, REPO, "sync"), None);
    let pushed = git(
        &clone,
        WRITER,
        &["push", "-q", "origin", "HEAD:refs/heads/sync"],
    );
    assert!(pushed.status.success(), "{}", stderr(&pushed));
    let head = String::from_utf8_lossy(&git(&clone, WRITER, &["rev-parse", "HEAD"]).stdout)
        .trim()
        .to_string();
    assert_eq!(fx.fake.branch_sha(OWNER, REPO, "sync"), Some(head));

    std::fs::create_dir_all(clone.join(".github/workflows")).expect("dir");
    std::fs::write(clone.join(".github/workflows/ci.yml"), "on: push\n").expect("write");
    assert!(git(&clone, WRITER, &["add", "."]).status.success());
    assert!(
        git(&clone, WRITER, &["commit", "-qm", "ci: add"])
            .status
            .success()
    );
    let refused = git(
        &clone,
        WRITER,
        &["push", "-q", "origin", "HEAD:refs/heads/sync"],
    );
    assert!(!refused.status.success());
    assert!(
        stderr(&refused).contains(
            "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission"
        ),
        "{}",
        stderr(&refused)
    );
    let classic = git(
        &clone,
        CLASSIC,
        &["push", "-q", "origin", "HEAD:refs/heads/sync"],
    );
    assert!(
        stderr(&classic).contains("without `workflow` scope"),
        "{}",
        stderr(&classic)
    );
    // The default token may do everything.
    let full = git(
        &clone,
        &fx.fake.token(),
        &["push", "-q", "origin", "HEAD:refs/heads/sync"],
    );
    assert!(full.status.success(), "{}", stderr(&full));
    assert!(
        fx.fake
            .git_requests()
            .contains(&format!("receive-pack {OWNER}/{REPO}"))
    );
}
