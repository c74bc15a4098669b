//! Deployments: created once per run (looked up by a run key in the payload before and after an
//! ambiguous create), their statuses, the workflow dispatched for them, and an environment's
//! history read through GraphQL, 100 deployments per request.

use crate::{Call, Error, GitHub, encode_path, encode_query};
use base64::Engine;
use http::Method;
use serde_json::{Value, json};

const LIST: Call = Call::on_repo("list the deployments", "deployments: read");
const CREATE: Call = Call::on_repo("create the deployment", "deployments: write");
const GET: Call = Call::on_item("read the deployment", "deployments: read");
const STATUS: Call = Call::on_item("set the deployment's status", "deployments: write");
const WORKFLOW: Call = Call::on_item("find the workflow", "actions: read");
const DISPATCH: Call = Call::on_item("start the workflow", "actions: write");
const RUNS: Call = Call::on_item("list the workflow's runs", "actions: read");
const CONTENTS: Call = Call::on_item("read the workflow file", "contents: read");
const REPO: Call = Call::on_repo("read the repository", "contents: read");
const STATUSES: Call = Call::on_item("read the deployment's statuses", "deployments: read");
const DELETE: Call = Call::on_item("delete a duplicate deployment", "deployments: write");
const HISTORY: Call = Call::on_repo("read the deployment history", "deployments: read");

/// The most attempts at one create or dispatch whose answers keep getting lost.
pub(crate) const ATTEMPTS: usize = 6;
/// How many times a dispatch whose answer was lost looks for its run before dispatching again.
pub(crate) const LOOKS_FOR_A_RUN: usize = 4;

/// A deployment as the REST API shows it.
#[derive(Clone, Debug, PartialEq)]
pub struct Deployment {
    pub id: u64,
    pub git_ref: String,
    pub sha: String,
    pub environment: String,
    pub payload: Value,
    pub created_at: String,
}

fn deployment_of(v: &Value) -> Result<Deployment, Error> {
    let text = |k: &str| {
        v.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let id = v
        .get("id")
        .and_then(Value::as_u64)
        .ok_or_else(|| Error::Unexpected("GitHub sent a deployment without an id".into()))?;
    // The payload comes back as sent: an object, or JSON text.
    let payload = match v.get("payload") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::String(s.clone())),
        Some(other) => other.clone(),
        None => Value::Null,
    };
    Ok(Deployment {
        id,
        git_ref: text("ref"),
        sha: text("sha"),
        environment: text("environment"),
        payload,
        created_at: text("created_at"),
    })
}

/// What to deploy.
#[derive(Clone, Debug)]
pub struct NewDeployment<'a> {
    pub git_ref: &'a str,
    pub environment: &'a str,
    pub description: &'a str,
    pub required_contexts: &'a [String],
    /// Holds `run_key`, which finds this deployment again after a lost answer.
    pub payload: &'a Value,
    pub run_key: &'a str,
}

/// A workflow file: its path in the repository.
#[derive(Clone, Debug)]
pub struct Workflow {
    pub id: u64,
    pub path: String,
}

/// The run a dispatch started.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Run {
    pub id: u64,
    pub html_url: String,
}

/// One deployment of an environment's history, as GraphQL gives it.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryEntry {
    pub id: u64,
    pub git_ref: String,
    pub sha: String,
    pub created_at: String,
    pub creator: String,
    pub payload: Value,
    /// The newest status's state, lower case (`success`, `inactive`…); `None` with no status.
    pub latest: Option<String>,
    pub latest_description: String,
    pub log_url: Option<String>,
    /// Whether any of its statuses was `success` (a superseded deployment is `inactive` now).
    pub succeeded: bool,
}

/// The GraphQL query of an environment's history, newest first. Each field and argument is
/// checked against GitHub's published schema by a test of the `deploy` crate.
pub const HISTORY_QUERY: &str = "query DeploymentHistory($owner: String!, $name: String!, $environment: String!, $first: Int!, $after: String) {
  repository(owner: $owner, name: $name) {
    deployments(environments: [$environment], orderBy: {field: CREATED_AT, direction: DESC}, first: $first, after: $after) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId
        ref { name }
        commitOid
        createdAt
        creator { login }
        payload
        state
        latestStatus { state createdAt description logUrl }
        statuses(first: 50) { nodes { state } }
      }
    }
  }
}";

/// Whether an error may hide a request that was applied (no answer, or a server error).
pub(crate) fn ambiguous(e: &Error) -> bool {
    matches!(e, Error::Unavailable { .. } | Error::Transport(_))
}

impl GitHub {
    /// The newest deployments (one page of 100) of `environment` on `git_ref`.
    pub async fn deployments_of(
        &self,
        environment: &str,
        git_ref: &str,
    ) -> Result<Vec<Deployment>, Error> {
        let path = self.repo_path(&format!(
            "/deployments?environment={}&ref={}&per_page=100",
            encode_query(environment),
            encode_query(git_ref)
        ));
        let reply = self.send(Method::GET, &path, None, LIST).await?;
        match reply.body {
            Value::Array(items) => items.iter().map(deployment_of).collect(),
            _ => Err(Error::Unexpected(
                "GitHub answered the list of deployments with something other than a list".into(),
            )),
        }
    }

    async fn find_by_run_key(&self, new: &NewDeployment<'_>) -> Result<Option<Deployment>, Error> {
        Ok(self
            .deployments_of(new.environment, new.git_ref)
            .await?
            .into_iter()
            .filter(|d| d.payload.get("run_key").and_then(Value::as_str) == Some(new.run_key))
            .min_by_key(|d| d.id))
    }

    /// Creates the deployment unless this run made it already; `true` when created now. A create
    /// whose answer is lost is looked up by its run key before it is tried again, so a run never
    /// makes two.
    pub async fn create_deployment_once(
        &self,
        new: &NewDeployment<'_>,
    ) -> Result<(Deployment, bool), Error> {
        if let Some(found) = self.find_by_run_key(new).await? {
            return Ok((found, false));
        }
        let request = json!({
            "ref": new.git_ref,
            "environment": new.environment,
            "auto_merge": false,
            "required_contexts": new.required_contexts,
            "payload": new.payload,
            "description": new.description,
        });
        let path = self.repo_path("/deployments");
        let mut last = None;
        for attempt in 0..ATTEMPTS {
            match self
                .send_once(Method::POST, &path, Some(&request), CREATE)
                .await
            {
                Ok(reply) if reply.status.as_u16() == 202 => {
                    return Err(Error::Unexpected(format!(
                        "GitHub merged the default branch into {} instead of deploying it",
                        new.git_ref
                    )));
                }
                Ok(reply) => return deployment_of(&reply.body).map(|d| (d, true)),
                Err(Error::Refused {
                    status, messages, ..
                }) if status.as_u16() == 409 => {
                    return Err(Error::Declined(format!(
                        "GitHub refused to deploy {}: {}; make the required contexts green or change --required-contexts",
                        new.git_ref,
                        messages.join("; ")
                    )));
                }
                Err(e) if ambiguous(&e) => {
                    tokio::time::sleep(self.retry.after_lost(attempt)).await;
                    if let Some(found) = self.find_by_run_key(new).await? {
                        return Ok((found, false));
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Unexpected("no attempt to create the deployment".into())))
    }

    /// The deployments of `ours`'s environment and ref made before it that `same` accepts and
    /// that have not finished (no status yet, or `queued`, `pending`, `in_progress`), oldest
    /// first: the runs that started the same deploy moments earlier.
    pub async fn unfinished_before(
        &self,
        ours: &Deployment,
        same: impl Fn(&Deployment) -> bool,
    ) -> Result<Vec<Deployment>, Error> {
        let mut earlier: Vec<Deployment> = self
            .deployments_of(&ours.environment, &ours.git_ref)
            .await?
            .into_iter()
            .filter(|d| d.id < ours.id && same(d))
            .collect();
        earlier.sort_by_key(|d| d.id);
        let mut unfinished = Vec::new();
        for d in earlier {
            let path = self.repo_path(&format!("/deployments/{}/statuses?per_page=1", d.id));
            let reply = match self.send(Method::GET, &path, None, STATUSES).await {
                Ok(reply) => reply,
                // Deleted meanwhile: another run retired it.
                Err(Error::Refused { status, .. }) if status.as_u16() == 404 => continue,
                Err(e) => return Err(e),
            };
            let latest = reply.body.pointer("/0/state").and_then(Value::as_str);
            if matches!(latest, None | Some("queued" | "pending" | "in_progress")) {
                unfinished.push(d);
            }
        }
        Ok(unfinished)
    }

    /// Marks a duplicate deployment inactive and deletes it (GitHub deletes only inactive
    /// ones); one already gone is fine.
    pub async fn retire_deployment(&self, id: u64, description: &str) -> Result<(), Error> {
        self.set_deployment_status(id, "inactive", description, None)
            .await?;
        let path = self.repo_path(&format!("/deployments/{id}"));
        match self.send(Method::DELETE, &path, None, DELETE).await {
            Ok(_) => Ok(()),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// A deployment by id; `None` when it does not exist.
    pub async fn deployment(&self, id: u64) -> Result<Option<Deployment>, Error> {
        let path = self.repo_path(&format!("/deployments/{id}"));
        match self.send(Method::GET, &path, None, GET).await {
            Ok(reply) => deployment_of(&reply.body).map(Some),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Adds a status to a deployment, once: a status whose answer is lost is looked for (the
    /// deployment's newest status, with this state and description) before it is sent again, so
    /// the deployment's history shows each step once.
    pub async fn set_deployment_status(
        &self,
        id: u64,
        state: &str,
        description: &str,
        log_url: Option<&str>,
    ) -> Result<(), Error> {
        let mut request = json!({ "state": state, "description": description });
        if let Some(url) = log_url {
            request["log_url"] = Value::from(url);
        }
        if state == "success" {
            // Explicit: the earlier successful deployments of the environment become inactive.
            request["auto_inactive"] = Value::Bool(true);
        }
        let path = self.repo_path(&format!("/deployments/{id}/statuses"));
        let mut last = None;
        for attempt in 0..ATTEMPTS {
            match self
                .send_once(Method::POST, &path, Some(&request), STATUS)
                .await
            {
                Ok(_) => return Ok(()),
                Err(e) if ambiguous(&e) => {
                    tokio::time::sleep(self.retry.after_lost(attempt)).await;
                    if self.newest_status_is(id, state, description).await? {
                        return Ok(());
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Unexpected("no attempt to set the status".into())))
    }

    /// Whether the deployment's newest status has `state` and `description`.
    async fn newest_status_is(
        &self,
        id: u64,
        state: &str,
        description: &str,
    ) -> Result<bool, Error> {
        let path = self.repo_path(&format!("/deployments/{id}/statuses?per_page=1"));
        let reply = self.send(Method::GET, &path, None, STATUS).await?;
        let newest = reply.body.as_array().and_then(|list| list.first());
        Ok(newest.is_some_and(|s| {
            s.get("state").and_then(Value::as_str) == Some(state)
                && s.get("description").and_then(Value::as_str) == Some(description)
        }))
    }

    /// The workflow by file name (or id); `None` when the repository has none so named.
    pub async fn workflow(&self, workflow: &str) -> Result<Option<Workflow>, Error> {
        let path = self.repo_path(&format!("/actions/workflows/{}", encode_path(workflow)));
        match self.send(Method::GET, &path, None, WORKFLOW).await {
            Ok(reply) => Ok(Some(Workflow {
                id: reply
                    .body
                    .get("id")
                    .and_then(Value::as_u64)
                    .unwrap_or_default(),
                path: reply
                    .body
                    .get("path")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_string(),
            })),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The repository's default branch.
    pub async fn default_branch(&self) -> Result<String, Error> {
        let reply = self
            .send(Method::GET, &self.repo_path(""), None, REPO)
            .await?;
        reply
            .body
            .get("default_branch")
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| {
                Error::Unexpected("GitHub's repository answer has no default branch".into())
            })
    }

    /// The text of the file at `path` on `git_ref`; `None` when there is no such file.
    pub async fn file_text(&self, path: &str, git_ref: &str) -> Result<Option<String>, Error> {
        let url = self.repo_path(&format!(
            "/contents/{}?ref={}",
            encode_path(path),
            encode_query(git_ref)
        ));
        let reply = match self.send(Method::GET, &url, None, CONTENTS).await {
            Ok(reply) => reply,
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => return Ok(None),
            Err(e) => return Err(e),
        };
        let encoded: String = reply
            .body
            .get("content")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded)
            .map_err(|e| {
                Error::Unexpected(format!(
                    "GitHub sent {path} in a form Tidegate cannot read: {e}"
                ))
            })?;
        String::from_utf8(bytes)
            .map(Some)
            .map_err(|_| Error::Unexpected(format!("{path} on {git_ref} is not UTF-8 text")))
    }

    /// Starts `workflow` on `git_ref` with `inputs` and returns the run it started. The dispatch
    /// is sent once per attempt; after a lost answer the workflow's runs created since `since`
    /// (GitHub's time) are looked at first, so one dispatch starts one run.
    pub async fn dispatch_for_run(
        &self,
        workflow: &str,
        git_ref: &str,
        inputs: &[(&str, &str)],
        since: &str,
    ) -> Result<Run, Error> {
        let path = self.repo_path(&format!(
            "/actions/workflows/{}/dispatches",
            encode_path(workflow)
        ));
        let inputs: serde_json::Map<String, Value> = inputs
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::from(*v)))
            .collect();
        let request = json!({ "ref": git_ref, "inputs": inputs, "return_run_details": true });
        let mut last = None;
        let (mut attempt, mut limited) = (0, 0);
        while attempt < ATTEMPTS {
            attempt += 1;
            match self
                .send_once(Method::POST, &path, Some(&request), DISPATCH)
                .await
            {
                Ok(reply) => {
                    let id = reply.body.get("workflow_run_id").and_then(Value::as_u64);
                    let url = reply.body.get("html_url").and_then(Value::as_str);
                    if let (Some(id), Some(url)) = (id, url) {
                        return Ok(Run {
                            id,
                            html_url: url.to_string(),
                        });
                    }
                    // A server without run details (older GitHub Enterprise Server): the run is
                    // the newest one since.
                    return self.run_since(workflow, since).await?.ok_or_else(|| {
                        Error::Unexpected(
                            "the workflow was dispatched but its run is not listed yet".into(),
                        )
                    });
                }
                // Refused for the rate, so not applied: send it again without counting it.
                Err(e) if e.rate_limited() && limited < ATTEMPTS => {
                    limited += 1;
                    attempt -= 1;
                    tokio::time::sleep(self.retry.after_lost(limited)).await;
                    last = Some(e);
                }
                Err(e) if ambiguous(&e) => {
                    // GitHub lists a new run some seconds after the dispatch: look a few times,
                    // backing off, before dispatching again (which would start a second run).
                    for look in 0..LOOKS_FOR_A_RUN {
                        tokio::time::sleep(self.retry.after_lost(attempt + look)).await;
                        if let Some(run) = self.run_since(workflow, since).await? {
                            return Ok(run);
                        }
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Unexpected("no attempt to start the workflow".into())))
    }

    /// The newest `workflow_dispatch` run of `workflow` created at or after `since`.
    async fn run_since(&self, workflow: &str, since: &str) -> Result<Option<Run>, Error> {
        let path = self.repo_path(&format!(
            "/actions/workflows/{}/runs?event=workflow_dispatch&created={}&per_page=10",
            encode_path(workflow),
            encode_query(&format!(">={since}"))
        ));
        let reply = self.send(Method::GET, &path, None, RUNS).await?;
        Ok(reply
            .body
            .get("workflow_runs")
            .and_then(Value::as_array)
            .and_then(|runs| runs.first())
            .and_then(|run| {
                Some(Run {
                    id: run.get("id")?.as_u64()?,
                    html_url: run.get("html_url")?.as_str()?.to_string(),
                })
            }))
    }

    /// The GraphQL endpoint: `GITHUB_GRAPHQL_URL` when it is on the API's host, else the one
    /// beside the API URL (`https://api.github.com/graphql`, `https://HOST/api/graphql`).
    fn graphql_url(&self) -> String {
        if let Ok(url) = std::env::var("GITHUB_GRAPHQL_URL") {
            let url = url.trim().to_string();
            if !url.is_empty() && crate::origin(&url) == self.api_origin {
                return url;
            }
        }
        let api = crate::api_url_from_env();
        let api = api.trim().trim_end_matches('/');
        match api.strip_suffix("/api/v3") {
            Some(host) => format!("{host}/api/graphql"),
            None => format!("{api}/graphql"),
        }
    }

    /// The deployments of `environment`, newest first, read 100 per request while `more` says
    /// to go on (it sees each page's entries) and until `limit` entries.
    pub async fn deployment_history(
        &self,
        environment: &str,
        limit: usize,
        mut more: impl FnMut(&[HistoryEntry]) -> bool,
    ) -> Result<Vec<HistoryEntry>, Error> {
        let url = self.graphql_url();
        let mut entries = Vec::new();
        let mut after: Option<String> = None;
        while entries.len() < limit {
            let first = (limit - entries.len()).min(100);
            let request = json!({
                "query": HISTORY_QUERY,
                "operationName": "DeploymentHistory",
                "variables": {
                    "owner": self.repo.owner,
                    "name": self.repo.name,
                    "environment": environment,
                    "first": first,
                    "after": after,
                },
            });
            let reply = self.post_outside_api(&url, &request, HISTORY).await?;
            if let Some(errors) = reply.body.get("errors").and_then(Value::as_array) {
                let said: Vec<&str> = errors
                    .iter()
                    .filter_map(|e| e.get("message").and_then(Value::as_str))
                    .collect();
                return Err(Error::Unexpected(format!(
                    "GitHub's GraphQL API refused to read the deployment history: {}",
                    crate::error::quote(&said.join("; "))
                )));
            }
            let connection = reply
                .body
                .pointer("/data/repository/deployments")
                .ok_or_else(|| {
                    Error::Unexpected("GitHub's GraphQL answer has no deployments".into())
                })?;
            let page: Vec<HistoryEntry> = connection
                .get("nodes")
                .and_then(Value::as_array)
                .map(|nodes| nodes.iter().filter_map(entry_of).collect())
                .unwrap_or_default();
            let go_on = more(&page);
            let empty = page.is_empty();
            entries.extend(page);
            let next = connection
                .pointer("/pageInfo/hasNextPage")
                .and_then(Value::as_bool)
                == Some(true);
            after = connection
                .pointer("/pageInfo/endCursor")
                .and_then(Value::as_str)
                .map(str::to_string);
            if !go_on || !next || empty || after.is_none() {
                break;
            }
        }
        entries.truncate(limit);
        Ok(entries)
    }
}

fn entry_of(node: &Value) -> Option<HistoryEntry> {
    let text = |p: &str| node.pointer(p).and_then(Value::as_str).map(str::to_string);
    let payload = match node.get("payload") {
        Some(Value::String(s)) => serde_json::from_str(s).unwrap_or(Value::Null),
        _ => Value::Null,
    };
    let succeeded = node
        .pointer("/statuses/nodes")
        .and_then(Value::as_array)
        .is_some_and(|s| {
            s.iter()
                .any(|x| x.get("state").and_then(Value::as_str) == Some("SUCCESS"))
        });
    Some(HistoryEntry {
        id: node.get("databaseId")?.as_u64()?,
        git_ref: text("/ref/name").unwrap_or_default(),
        sha: text("/commitOid").unwrap_or_default(),
        created_at: text("/createdAt").unwrap_or_default(),
        creator: text("/creator/login").unwrap_or_default(),
        payload,
        latest: text("/latestStatus/state").map(|s| s.to_lowercase()),
        latest_description: text("/latestStatus/description").unwrap_or_default(),
        log_url: text("/latestStatus/logUrl"),
        succeeded,
    })
}
