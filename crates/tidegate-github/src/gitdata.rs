//! Git objects made through the API (trees and commits that GitHub signs as verified for an App
//! or `GITHUB_TOKEN`), refs read and written, and tags created without ever moving one.

use crate::{Call, Error, GitHub, encode_path};
use base64::Engine;
use http::Method;
use serde_json::{Value, json};

const READ_REF: Call = Call::on_item("read a ref", "contents: read");
const READ_COMMIT: Call = Call::on_item("read a commit", "contents: read");
const COMPARE: Call = Call::on_item("compare the release branch", "contents: read");
const CREATE_BLOB: Call = Call::on_repo("create a blob", "contents: write");
const CREATE_TREE: Call = Call::on_repo("create a tree", "contents: write");
const CREATE_COMMIT: Call = Call::on_repo("create a commit", "contents: write");
const CREATE_TAG: Call = Call::on_repo("create the tag", "contents: write");

/// One file of a tree to build on a base tree.
#[derive(Clone, Debug)]
pub struct TreeFile {
    /// Repository-relative, `/`-separated.
    pub path: String,
    /// `100644`, `100755` or `120000`.
    pub mode: String,
    /// The file's bytes; `None` deletes the path.
    pub content: Option<Vec<u8>>,
}

/// Who wrote a commit, and when (`YYYY-MM-DDTHH:MM:SS+HH:MM`).
#[derive(Clone, Debug)]
pub struct Person {
    pub name: String,
    pub email: String,
    pub date: String,
}

/// A commit as the git-data API shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GitCommit {
    pub sha: String,
    pub tree: String,
    pub parents: Vec<String>,
    pub message: String,
    /// The author's login when GitHub knows the account, else the author's name.
    pub author: String,
}

/// What creating a tag found.
#[derive(Debug, PartialEq, Eq)]
pub enum TagCreated {
    Created,
    /// The tag already pointed at the wanted commit (another run, or a retried create whose answer
    /// was lost).
    Existed,
    /// The tag exists on another commit; it is never moved.
    Elsewhere(String),
}

fn sha_of(body: &Value, pointer: &str, what: &str) -> Result<String, Error> {
    body.pointer(pointer)
        .and_then(Value::as_str)
        .map(str::to_string)
        .ok_or_else(|| Error::Unexpected(format!("GitHub's answer to {what} has no SHA")))
}

impl GitHub {
    /// The object a ref (`heads/main`, `tags/v1.2.3`) points at, or `None` when it does not exist.
    /// An annotated tag is peeled to its commit.
    pub async fn ref_sha(&self, name: &str) -> Result<Option<String>, Error> {
        let path = self.repo_path(&format!("/git/ref/{}", encode_path(name)));
        let reply = match self.send(Method::GET, &path, None, READ_REF).await {
            Ok(reply) => reply,
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => return Ok(None),
            Err(e) => return Err(e),
        };
        let sha = sha_of(&reply.body, "/object/sha", "reading a ref")?;
        if reply.body.pointer("/object/type").and_then(Value::as_str) == Some("tag") {
            // An annotated tag: the commit it names (`commits/{ref}` peels it; the ref is one
            // path segment, its slashes encoded).
            let commit = self
                .send(
                    Method::GET,
                    &self.repo_path(&format!("/commits/{}", crate::encode_query(name))),
                    None,
                    READ_REF,
                )
                .await?;
            return sha_of(&commit.body, "/sha", "reading a tag's commit").map(Some);
        }
        Ok(Some(sha))
    }

    /// A commit by SHA.
    pub async fn git_commit(&self, sha: &str) -> Result<GitCommit, Error> {
        let path = self.repo_path(&format!("/git/commits/{sha}"));
        let reply = self.send(Method::GET, &path, None, READ_COMMIT).await?;
        commit_of(&reply.body, &reply.body)
    }

    /// The commits `head` has that `base` has not, oldest first; `None` when `head` does not exist.
    pub async fn commits_ahead(
        &self,
        base: &str,
        head: &str,
    ) -> Result<Option<Vec<GitCommit>>, Error> {
        let path = self.repo_path(&format!(
            "/compare/{}...{}?per_page=100",
            encode_path(base),
            encode_path(head)
        ));
        let reply = match self.send(Method::GET, &path, None, COMPARE).await {
            Ok(reply) => reply,
            Err(Error::Refused { status, .. }) if status.as_u16() == 404 => return Ok(None),
            Err(e) => return Err(e),
        };
        let commits = reply
            .body
            .get("commits")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        commits
            .iter()
            .map(|c| commit_of(c.get("commit").unwrap_or(&Value::Null), c))
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A tree: `base_tree` with `files` written over it (or deleted). UTF-8 files travel inline;
    /// others as base64 blobs first.
    pub async fn create_tree(&self, base_tree: &str, files: &[TreeFile]) -> Result<String, Error> {
        let mut entries = Vec::with_capacity(files.len());
        for file in files {
            let entry = match file.content.as_deref().map(|c| (c, std::str::from_utf8(c))) {
                None => {
                    json!({ "path": file.path, "mode": file.mode, "type": "blob", "sha": null })
                }
                Some((_, Ok(text))) => {
                    json!({ "path": file.path, "mode": file.mode, "type": "blob", "content": text })
                }
                Some((bytes, Err(_))) => {
                    let request = json!({
                        "content": base64::engine::general_purpose::STANDARD.encode(bytes),
                        "encoding": "base64",
                    });
                    let reply = self
                        .send(
                            Method::POST,
                            &self.repo_path("/git/blobs"),
                            Some(&request),
                            CREATE_BLOB,
                        )
                        .await?;
                    let sha = sha_of(&reply.body, "/sha", "creating a blob")?;
                    json!({ "path": file.path, "mode": file.mode, "type": "blob", "sha": sha })
                }
            };
            entries.push(entry);
        }
        let request = json!({ "base_tree": base_tree, "tree": entries });
        let reply = self
            .send(
                Method::POST,
                &self.repo_path("/git/trees"),
                Some(&request),
                CREATE_TREE,
            )
            .await?;
        sha_of(&reply.body, "/sha", "creating a tree")
    }

    /// A commit of `tree` on `parents`, by the token's account (GitHub signs it), or written by
    /// `author` (GitHub then records the author as committer too). Objects are named by their
    /// content, so a retried create makes nothing twice.
    pub async fn create_commit(
        &self,
        message: &str,
        tree: &str,
        parents: &[String],
        author: Option<&Person>,
    ) -> Result<GitCommit, Error> {
        let mut request = json!({ "message": message, "tree": tree, "parents": parents });
        if let Some(a) = author {
            request["author"] = json!({ "name": a.name, "email": a.email, "date": a.date });
        }
        let reply = self
            .send(
                Method::POST,
                &self.repo_path("/git/commits"),
                Some(&request),
                CREATE_COMMIT,
            )
            .await?;
        commit_of(&reply.body, &reply.body)
    }

    /// Creates the lightweight tag `name` at `sha`; never moves an existing one.
    pub async fn create_tag(&self, name: &str, sha: &str) -> Result<TagCreated, Error> {
        let request = json!({ "ref": format!("refs/tags/{name}"), "sha": sha });
        match self
            .send(
                Method::POST,
                &self.repo_path("/git/refs"),
                Some(&request),
                CREATE_TAG,
            )
            .await
        {
            Ok(_) => Ok(TagCreated::Created),
            Err(e) if e.is_refusal(422, "Repository rule violations") => {
                Err(Error::Usage(format!(
                    "a tag ruleset refuses tag {name} ({e}): let the workflow's token bypass the ruleset (Settings → Rules → Rulesets), or run with a GitHub App token that may"
                )))
            }
            Err(e) if e.is_refusal(422, "Reference already exists") => {
                match self.ref_sha(&format!("tags/{name}")).await? {
                    Some(existing) if existing == sha => Ok(TagCreated::Existed),
                    Some(existing) => Ok(TagCreated::Elsewhere(existing)),
                    None => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

/// Reads a commit from the git-data shape (`tree.sha`, `parents[].sha`, `message`), taking the
/// SHA and the author's login from `outer` (the REST commit wrapper, when there is one).
fn commit_of(inner: &Value, outer: &Value) -> Result<GitCommit, Error> {
    let text = |v: &Value, p: &str| v.pointer(p).and_then(Value::as_str).map(str::to_string);
    let sha = text(outer, "/sha").ok_or_else(|| {
        Error::Unexpected("GitHub sent a commit without a SHA; try again later".into())
    })?;
    Ok(GitCommit {
        tree: text(inner, "/tree/sha").unwrap_or_default(),
        parents: outer
            .get("parents")
            .or_else(|| inner.get("parents"))
            .and_then(Value::as_array)
            .map(|ps| ps.iter().filter_map(|p| text(p, "/sha")).collect())
            .unwrap_or_default(),
        message: text(inner, "/message").unwrap_or_default(),
        author: text(outer, "/author/login")
            .or_else(|| text(inner, "/author/name"))
            .unwrap_or_default(),
        sha,
    })
}
