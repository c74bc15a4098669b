//! Git over smart HTTP, as GitHub serves it at `{web}/{owner}/{repo}.git`: `git clone`, `fetch`
//! and `push` against the fake's bare repositories, by running git's own `git http-backend` (CGI).
//! The token decides what is reached, as on GitHub: an unknown token 401, a repository the token
//! cannot see 404, a push without write 403, and a push changing `.github/workflows/` without the
//! workflows permission refused with GitHub's words.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use axum::body::{Body, Bytes};
use hyper::{Response, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::server::{Access, Inner, lock};
use crate::state::repo_key;

/// A smart-HTTP request: the repository (`owner`, `name` as in the URL) and what follows `.git`.
pub(crate) struct GitPath {
    owner: String,
    name: String,
    rest: String,
}

/// `/{owner}/{repo}.git/info/refs`, `/git-upload-pack` or `/git-receive-pack`; `None` for any
/// other path (the REST API, the storage host).
pub(crate) fn git_path(path: &str) -> Option<GitPath> {
    let mut parts = path.strip_prefix('/')?.splitn(3, '/');
    let owner = parts.next()?;
    let name = parts.next()?.strip_suffix(".git")?;
    let rest = parts.next()?;
    matches!(rest, "info/refs" | "git-upload-pack" | "git-receive-pack").then(|| GitPath {
        owner: owner.to_string(),
        name: name.to_string(),
        rest: rest.to_string(),
    })
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(format!("{text}\n")));
    *response.status_mut() = status;
    response
}

/// The pre-receive hook that refuses workflow changes for a token without the permission. The
/// server tells it through `FAKE_GITHUB_WORKFLOW_REFUSAL` (unset: anything goes).
const PRE_RECEIVE: &str = r#"#!/bin/sh
[ -z "$FAKE_GITHUB_WORKFLOW_REFUSAL" ] && exit 0
zero=0000000000000000000000000000000000000000
while read old new ref; do
  [ "$new" = "$zero" ] && continue
  for c in $(git rev-list "$new" --not --all); do
    f=$(git diff-tree --no-commit-id --name-only -r -m --root "$c" | grep '^\.github/workflows/' | head -n 1)
    if [ -n "$f" ]; then
      echo "$FAKE_GITHUB_WORKFLOW_REFUSAL" | sed "s|FILE|$f|" >&2
      exit 1
    fi
  done
done
exit 0
"#;

fn hooks_dir(inner: &Inner) -> std::io::Result<PathBuf> {
    let dir = inner.dir.path().join("git-hooks");
    let hook = dir.join("pre-receive");
    if !hook.exists() {
        std::fs::create_dir_all(&dir)?;
        let staged = dir.join(format!("pre-receive.{}", crate::util::next_id()));
        std::fs::write(&staged, PRE_RECEIVE)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&staged, std::fs::Permissions::from_mode(0o755))?;
        }
        std::fs::rename(&staged, &hook)?;
    }
    Ok(dir)
}

/// Serves one smart-HTTP request.
pub(crate) async fn serve(
    inner: &Inner,
    parts: &hyper::http::request::Parts,
    at: GitPath,
    body: Bytes,
) -> Response<Body> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let query = parts.uri.query().unwrap_or_default().to_string();
    let push = at.rest == "git-receive-pack" || query.contains("service=git-receive-pack");
    let key = repo_key(&at.owner, &at.name);
    let Some(access) = inner.access(header("authorization").as_deref()) else {
        // Without credentials git asks for them; with wrong ones GitHub says this.
        let mut r = plain(
            StatusCode::UNAUTHORIZED,
            "Invalid username or token. Password authentication is not supported for Git operations.",
        );
        r.headers_mut().insert(
            "www-authenticate",
            hyper::header::HeaderValue::from_static("Basic realm=\"GitHub\""),
        );
        return r;
    };
    let git_dir = {
        let mut state = lock(&inner.state);
        let dir = state.repos.get(&key).map(|r| r.git_dir.clone());
        let service = if push { "receive-pack" } else { "upload-pack" };
        state.git_requests.push(format!("{service} {key}"));
        dir
    };
    let mut workflow_refusal = None;
    let reachable = match &access {
        Access::Full => true,
        Access::Limited(grant) => grant.reaches(&key),
    };
    let Some(git_dir) = git_dir.filter(|_| reachable) else {
        return plain(StatusCode::NOT_FOUND, "Repository not found.");
    };
    if let (Access::Limited(grant), true) = (&access, push) {
        if !grant.perms.write {
            return plain(
                StatusCode::FORBIDDEN,
                &format!(
                    "Permission to {}/{}.git denied to {}.",
                    at.owner,
                    at.name,
                    lock(&inner.state).actor
                ),
            );
        }
        if !grant.perms.workflows {
            workflow_refusal = Some(if grant.perms.classic {
                "refusing to allow a Personal Access Token to create or update workflow `FILE` without `workflow` scope"
            } else {
                "refusing to allow a GitHub App to create or update workflow `FILE` without `workflows` permission"
            });
        }
    }
    match run_backend(inner, parts, &git_dir, &at, &query, body, workflow_refusal).await {
        Ok(response) => response,
        Err(e) => plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("fake-github: git http-backend failed: {e}"),
        ),
    }
}

/// Runs `git http-backend` for the request and turns its CGI answer into a response.
async fn run_backend(
    inner: &Inner,
    parts: &hyper::http::request::Parts,
    git_dir: &Path,
    at: &GitPath,
    query: &str,
    body: Bytes,
    workflow_refusal: Option<&str>,
) -> std::io::Result<Response<Body>> {
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let root = git_dir.parent().and_then(Path::parent).unwrap_or(git_dir);
    let relative = git_dir.strip_prefix(root).unwrap_or(git_dir);
    let hooks = hooks_dir(inner)?;
    let mut command = tokio::process::Command::new("git");
    command
        .arg("http-backend")
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", inner.dir.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("PATH_INFO", format!("/{}/{}", relative.display(), at.rest))
        .env("QUERY_STRING", query)
        .env("REQUEST_METHOD", parts.method.as_str())
        .env("CONTENT_TYPE", header("content-type"))
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("HTTP_CONTENT_ENCODING", header("content-encoding"))
        .env("HTTP_GIT_PROTOCOL", header("git-protocol"))
        .env("REMOTE_USER", lock(&inner.state).actor.clone())
        .env("REMOTE_ADDR", "127.0.0.1")
        .env("GIT_CONFIG_COUNT", "2")
        .env("GIT_CONFIG_KEY_0", "http.receivepack")
        .env("GIT_CONFIG_VALUE_0", "true")
        .env("GIT_CONFIG_KEY_1", "core.hooksPath")
        .env("GIT_CONFIG_VALUE_1", &hooks)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(refusal) = workflow_refusal {
        command.env("FAKE_GITHUB_WORKFLOW_REFUSAL", refusal);
    }
    let mut child = command.spawn()?;
    let mut stdin = child.stdin.take();
    let mut stdout = child.stdout.take();
    // Feed the body while reading the answer, so neither side waits on a full pipe.
    let feed = async {
        if let Some(mut input) = stdin.take() {
            let _ = input.write_all(&body).await;
            let _ = input.shutdown().await;
        }
    };
    let read = async {
        let mut out = Vec::new();
        if let Some(output) = stdout.as_mut() {
            output.read_to_end(&mut out).await?;
        }
        Ok::<_, std::io::Error>(out)
    };
    let ((), out) = tokio::join!(feed, read);
    let out = out?;
    child.wait().await?;
    Ok(cgi_response(&out))
}

/// A CGI program's output (headers, a blank line, the body) as an HTTP response.
fn cgi_response(out: &[u8]) -> Response<Body> {
    let split = out
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, i + 4))
        .or_else(|| {
            out.windows(2)
                .position(|w| w == b"\n\n")
                .map(|i| (i, i + 2))
        });
    let Some((head_end, body_start)) = split else {
        return plain(
            StatusCode::INTERNAL_SERVER_ERROR,
            "fake-github: git http-backend sent no headers",
        );
    };
    let head = String::from_utf8_lossy(&out[..head_end]);
    let mut response = Response::new(Body::from(out[body_start..].to_vec()));
    for line in head.lines() {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("status") {
            let code = value
                .split_whitespace()
                .next()
                .and_then(|c| c.parse().ok())
                .and_then(|c| StatusCode::from_u16(c).ok())
                .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            *response.status_mut() = code;
        } else if let (Ok(name), Ok(value)) = (
            hyper::header::HeaderName::from_bytes(name.trim().as_bytes()),
            hyper::header::HeaderValue::from_str(value),
        ) {
            response.headers_mut().append(name, value);
        }
    }
    response
}
