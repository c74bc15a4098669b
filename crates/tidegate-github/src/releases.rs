//! GitHub releases (drafts included) and the workflows a release starts by `workflow_dispatch`.

use crate::deployments::{ATTEMPTS, LOOKS_FOR_A_RUN, ambiguous};
use crate::{Call, Error, GitHub, encode_path, encode_query};
use http::Method;
use serde::Deserialize;
use serde_json::{Value, json};

const LIST: Call = Call::on_repo("list releases", "contents: read");
// A 404 here is the tag's release missing, not the repository.
const BY_TAG: Call = Call::on_item("find the release of a tag", "contents: read");
const CREATE: Call = Call::on_repo("create the release", "contents: write");
const DELETE: Call = Call::on_item("delete a duplicate draft release", "contents: write");
const WORKFLOW: Call = Call::on_item("find the workflow to dispatch", "actions: read");
const DISPATCH: Call = Call::on_item("start the workflow", "actions: write");
const RUNS: Call = Call::on_item("list the workflow's runs", "actions: read");

/// The fields of a release Tidegate reads (and reports as step outputs).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub draft: bool,
    #[serde(default)]
    pub prerelease: bool,
    #[serde(default)]
    pub html_url: String,
    /// The asset upload URL template (`…/assets{?name,label}`).
    #[serde(default)]
    pub upload_url: String,
    /// Published while the repository had immutable releases on: assets can no longer change.
    #[serde(default)]
    pub immutable: bool,
    #[serde(default)]
    pub assets: Vec<crate::assets::Asset>,
}

/// What to create.
#[derive(Clone, Debug)]
pub struct NewRelease<'a> {
    pub tag: &'a str,
    pub target: &'a str,
    pub name: &'a str,
    pub body: &'a str,
    pub draft: bool,
    pub prerelease: bool,
    /// `false` keeps GitHub's "Latest" badge where it is (a patch of an older line).
    pub make_latest: bool,
}

pub(crate) fn parse(value: Value) -> Result<Release, Error> {
    serde_json::from_value(value)
        .map_err(|e| Error::Unexpected(format!("GitHub sent a release Tidegate cannot read: {e}")))
}

impl GitHub {
    /// The newest releases, drafts included (one page of 100: one request).
    pub async fn recent_releases(&self) -> Result<Vec<Release>, Error> {
        let reply = self
            .send(
                Method::GET,
                &self.repo_path("/releases?per_page=100"),
                None,
                LIST,
            )
            .await?;
        match reply.body {
            Value::Array(items) => items.into_iter().map(parse).collect(),
            _ => Err(Error::Unexpected(
                "GitHub answered the list of releases with something other than a list".into(),
            )),
        }
    }

    /// Creates the release of an existing tag; `false` with the release found when it existed
    /// already (another run made it, or a create whose answer was lost: GitHub's "already
    /// exists").
    pub async fn create_release(&self, new: &NewRelease<'_>) -> Result<(Release, bool), Error> {
        let request = json!({
            "tag_name": new.tag,
            "target_commitish": new.target,
            "name": new.name,
            "body": new.body,
            "draft": new.draft,
            "prerelease": new.prerelease,
            "make_latest": if new.make_latest { "true" } else { "false" },
        });
        let path = self.repo_path("/releases");
        // Sent once per attempt, not blindly retried: a create whose answer was lost may have
        // been applied, and a second create of a draft would make a second draft. After a lost
        // answer the tag's release, if there is one now, is the one this run made.
        let mut lost = None;
        let (mut attempt, mut limited) = (0, 0);
        while attempt < crate::deployments::ATTEMPTS {
            attempt += 1;
            match self
                .send_once(Method::POST, &path, Some(&request), CREATE)
                .await
            {
                Ok(reply) => return parse(reply.body).map(|r| (r, true)),
                Err(e)
                    if e.is_refusal(422, "already_exists")
                        || e.is_refusal(422, "already exists") =>
                {
                    return self
                        .oldest_release_of(new.tag)
                        .await?
                        .map(|r| (r, lost.is_some()))
                        .ok_or(e);
                }
                Err(e) if e.rate_limited() && limited < crate::deployments::ATTEMPTS => {
                    limited += 1;
                    attempt -= 1;
                    tokio::time::sleep(self.retry.after_lost(limited)).await;
                }
                Err(e) if crate::deployments::ambiguous(&e) => {
                    tokio::time::sleep(self.retry.after_lost(attempt)).await;
                    if let Some(made) = self.oldest_release_of(new.tag).await? {
                        return Ok((made, true));
                    }
                    lost = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(lost.unwrap_or_else(|| Error::Unexpected("no attempt to create the release".into())))
    }

    /// The oldest release (drafts included) of `tag` among the recent ones.
    async fn oldest_release_of(&self, tag: &str) -> Result<Option<Release>, Error> {
        Ok(self
            .recent_releases()
            .await?
            .into_iter()
            .filter(|r| r.tag_name == tag)
            .min_by_key(|r| r.id))
    }

    /// The published release of a tag (GitHub does not find drafts by tag).
    pub async fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, Error> {
        let path = self.repo_path(&format!("/releases/tags/{}", encode_path(tag)));
        match self.send(Method::GET, &path, None, BY_TAG).await {
            Ok(reply) => parse(reply.body).map(Some),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Deletes a release (a second draft of one tag, made by a concurrent run).
    pub async fn delete_release(&self, id: u64) -> Result<(), Error> {
        let path = self.repo_path(&format!("/releases/{id}"));
        match self.send(Method::DELETE, &path, None, DELETE).await {
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(()),
            other => other.map(drop),
        }
    }

    /// Whether the workflow (file name such as `images.yml`, or id) exists in the repository.
    pub async fn workflow_exists(&self, workflow: &str) -> Result<bool, Error> {
        let path = self.repo_path(&format!("/actions/workflows/{}", encode_path(workflow)));
        match self.send(Method::GET, &path, None, WORKFLOW).await {
            Ok(_) => Ok(true),
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Starts `workflow` by `workflow_dispatch` on `git_ref` (a release's tag, dispatched once)
    /// with string inputs. The dispatch is sent once per attempt: after a lost answer the
    /// workflow's dispatched runs on `git_ref` are looked at first, so that a retry does not
    /// start a second build of the tag.
    pub async fn dispatch_workflow(
        &self,
        workflow: &str,
        git_ref: &str,
        inputs: &[(&str, &str)],
    ) -> Result<(), Error> {
        let path = self.repo_path(&format!(
            "/actions/workflows/{}/dispatches",
            encode_path(workflow)
        ));
        let inputs: serde_json::Map<String, Value> = inputs
            .iter()
            .map(|(k, v)| ((*k).to_string(), Value::from(*v)))
            .collect();
        let request = json!({ "ref": git_ref, "inputs": inputs });
        let mut last = None;
        let (mut attempt, mut limited) = (0, 0);
        while attempt < ATTEMPTS {
            attempt += 1;
            match self
                .send_once(Method::POST, &path, Some(&request), DISPATCH)
                .await
            {
                Ok(_) => return Ok(()),
                // Refused for the rate, so not applied: send it again without counting it.
                Err(e) if e.rate_limited() && limited < ATTEMPTS => {
                    limited += 1;
                    attempt -= 1;
                    tokio::time::sleep(self.retry.after_lost(limited)).await;
                    last = Some(e);
                }
                Err(e) if ambiguous(&e) => {
                    // GitHub lists a new run some seconds after the dispatch: look a few times,
                    // backing off, before dispatching again.
                    for look in 0..LOOKS_FOR_A_RUN {
                        tokio::time::sleep(self.retry.after_lost(attempt + look)).await;
                        if self.dispatched_on(workflow, git_ref).await? {
                            return Ok(());
                        }
                    }
                    last = Some(e);
                }
                Err(e) => return Err(e),
            }
        }
        Err(last.unwrap_or_else(|| Error::Unexpected("no attempt to start the workflow".into())))
    }

    /// Whether `workflow` has a `workflow_dispatch` run on `git_ref`.
    async fn dispatched_on(&self, workflow: &str, git_ref: &str) -> Result<bool, Error> {
        let path = self.repo_path(&format!(
            "/actions/workflows/{}/runs?event=workflow_dispatch&branch={}&per_page=1",
            encode_path(workflow),
            encode_query(git_ref)
        ));
        let reply = self.send(Method::GET, &path, None, RUNS).await?;
        Ok(reply
            .body
            .get("workflow_runs")
            .and_then(Value::as_array)
            .is_some_and(|runs| !runs.is_empty()))
    }
}
