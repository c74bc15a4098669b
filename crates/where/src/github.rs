//! What only GitHub knows: a PR's merge commit, deployments, the downstream repository.

use http::Method;
use serde_json::Value;
use tidegate_github::{Call, Error, GitHub};

use crate::river::OpenPromotion;

const GET: Method = Method::GET;

const PULL: Call = Call::on_item("read the pull request", "pull-requests: read");
const LIST_PULLS: Call = Call::on_repo("list the open pull requests", "pull-requests: read");
const COMPARE: Call = Call::on_item("compare the downstream branch", "contents: read");

/// A pull request's state and merge commit.
#[derive(Clone, Debug)]
pub struct Pull {
    pub merged: bool,
    pub state: String,
    pub merge_commit_sha: Option<String>,
}

/// Pull request `number` (one request); `None` when the repository has no such PR.
pub async fn pull(gh: &GitHub, number: u64) -> Result<Option<Pull>, Error> {
    let path = gh.repo_path(&format!("/pulls/{number}"));
    match gh.send(GET, &path, None, PULL).await {
        Ok(reply) => {
            let v = reply.body;
            Ok(Some(Pull {
                merged: v.get("merged").and_then(Value::as_bool).unwrap_or(false)
                    || v.get("merged_at").is_some_and(|m| !m.is_null()),
                state: v
                    .get("state")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
                merge_commit_sha: v
                    .get("merge_commit_sha")
                    .and_then(Value::as_str)
                    .map(str::to_string),
            }))
        }
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The live deployment of `environment`: the newest whose latest status is `success` (deploy's
/// rule), read 100 deployments per GraphQL request until it is found.
pub async fn live_deployment(
    gh: &GitHub,
    environment: &str,
) -> Result<Option<(String, String)>, Error> {
    let live =
        |e: &tidegate_github::deployments::HistoryEntry| e.latest.as_deref() == Some("success");
    let entries = gh
        .deployment_history(environment, 1000, |page| !page.iter().any(live))
        .await?;
    Ok(entries.iter().find(|e| live(e)).map(|e| {
        let version = e
            .payload
            .get("version")
            .and_then(Value::as_str)
            .filter(|v| !v.is_empty())
            .map_or_else(|| e.git_ref.clone(), str::to_string);
        (version, e.sha.clone())
    }))
}

/// Whether `branch` of the client's repository holds `sha`: one compare request; "behind" or
/// "identical" means it does. A commit the repository does not have is not held; a repository
/// the token cannot read (GitHub's 404 too) is `None`, unknown, never "not held" (one more read
/// tells them apart, only after a 404).
pub async fn branch_holds(gh: &GitHub, branch: &str, sha: &str) -> Result<Option<bool>, Error> {
    let path = gh.repo_path(&format!(
        "/compare/{}...{sha}",
        tidegate_github::encode_path(branch)
    ));
    match gh.send(GET, &path, None, COMPARE).await {
        Ok(reply) => Ok(Some(matches!(
            reply.body.get("status").and_then(Value::as_str),
            Some("behind" | "identical")
        ))),
        Err(e) if not_found(&e) => match gh.repository_access().await {
            Ok(_) => Ok(Some(false)),
            Err(Error::RepoNotFound(_)) => Ok(None),
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// The open promotion PR into `to` (one request): the oldest open PR into `to` whose head is
/// `from` (a branch, or promote-branch's sync branch downstream), else one whose head is a
/// `promote/` snapshot branch.
pub async fn open_promotion(
    gh: &GitHub,
    from: &str,
    to: &str,
) -> Result<Option<OpenPromotion>, Error> {
    let path = gh.repo_path(&format!(
        "/pulls?state=open&base={}&per_page=100",
        tidegate_github::encode_query(to)
    ));
    let reply = gh.send(GET, &path, None, LIST_PULLS).await?;
    let pulls = reply.body.as_array().cloned().unwrap_or_default();
    let field = |p: &Value, pointer: &str| {
        p.pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let mut candidates: Vec<&Value> = pulls
        .iter()
        .filter(|p| field(p, "/base/ref") == to)
        .filter(|p| {
            let head = field(p, "/head/ref");
            head == from || head.starts_with("promote/")
        })
        .collect();
    candidates.sort_by_key(|p| {
        (
            field(p, "/head/ref") != from,
            p.get("number").and_then(Value::as_u64),
        )
    });
    Ok(candidates.first().map(|p| OpenPromotion {
        number: p.get("number").and_then(Value::as_u64).unwrap_or_default(),
        title: field(p, "/title"),
        head_sha: field(p, "/head/sha"),
        gates: Vec::new(),
    }))
}

/// The verdict of each `tidegate/gate: NAME` check run on `sha` (the newest run of each name).
pub async fn gate_verdicts(gh: &GitHub, sha: &str) -> Result<Vec<(String, String)>, Error> {
    let mut out: Vec<(String, String)> = Vec::new();
    for run in gh.check_runs(sha).await? {
        let Some(gate) = run.name.strip_prefix("tidegate/gate: ") else {
            continue;
        };
        if out.iter().any(|(g, _)| g == gate) {
            continue; // newest first: an older run of the same gate
        }
        out.push((gate.to_string(), run.conclusion.unwrap_or(run.status)));
    }
    Ok(out)
}

/// How many commits `sha` has that `branch` of the client's repository lacks (one compare
/// request); `None` when the repository does not have `sha`.
pub async fn commits_ahead_of(
    gh: &GitHub,
    branch: &str,
    sha: &str,
) -> Result<Option<usize>, Error> {
    let path = gh.repo_path(&format!(
        "/compare/{}...{sha}",
        tidegate_github::encode_path(branch)
    ));
    match gh.send(GET, &path, None, COMPARE).await {
        Ok(reply) => Ok(reply
            .body
            .get("ahead_by")
            .and_then(Value::as_u64)
            .and_then(|n| usize::try_from(n).ok())),
        Err(e) if not_found(&e) => Ok(None),
        Err(e) => Err(e),
    }
}

fn not_found(e: &Error) -> bool {
    matches!(e, Error::Refused { status, .. } if status.as_u16() == 404)
}
