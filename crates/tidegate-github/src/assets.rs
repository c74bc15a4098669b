//! Release assets: list, upload (streamed from disk), download (streamed to disk), delete, and the
//! release update that publishes a draft once its assets are there. Files are never held whole in
//! memory: an upload reads its file in chunks as the request goes out, a download writes each
//! chunk as it arrives.

use crate::releases::Release;
use crate::{Call, Error, GitHub, Reply, ResponseBody, encode_query, retry};
use bytes::Bytes;
use futures_util::TryStreamExt;
use http::{Method, StatusCode, header};
use http_body_util::BodyExt;
use serde::Deserialize;
use serde_json::{Value, json};
use std::io::Write;
use std::path::Path;

const LIST: Call = Call::on_item("list the release's assets", "contents: read");
const UPLOAD: Call = Call::on_item("upload the release asset", "contents: write");
const DOWNLOAD: Call = Call::on_item("download the release asset", "contents: read");
const DELETE: Call = Call::on_item("delete the release asset", "contents: write");
const UPDATE: Call = Call::on_item("update the release", "contents: write");

/// An upload may take minutes on a slow link before GitHub answers.
const UPLOAD_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(600);

/// A file attached to a release.
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
pub struct Asset {
    pub id: u64,
    /// The name as GitHub stored it (see [`asset_name_on_github`]).
    pub name: String,
    #[serde(default)]
    pub label: Option<String>,
    #[serde(default)]
    pub content_type: String,
    pub size: u64,
    /// `uploaded`; anything else is an upload that never finished (GitHub's docs call it
    /// `starter`, its schema `open`), to be deleted before the name can be uploaded again.
    pub state: String,
    /// `sha256:<hex>`; GitHub sends it for assets uploaded since 2025.
    #[serde(default)]
    pub digest: Option<String>,
    #[serde(default)]
    pub browser_download_url: String,
    /// The API URL of the asset.
    #[serde(default)]
    pub url: String,
}

impl Asset {
    /// Whether the upload finished.
    pub fn is_uploaded(&self) -> bool {
        self.state == "uploaded"
    }

    /// The lower-case hex SHA-256 GitHub computed, when it sent one.
    pub fn sha256(&self) -> Option<String> {
        self.digest
            .as_deref()
            .and_then(|d| d.strip_prefix("sha256:"))
            .map(str::to_ascii_lowercase)
    }
}

/// What an upload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Uploaded {
    /// The file is now the asset.
    Created(Asset),
    /// An asset of that name was there already (GitHub's 422 `already_exists`): an earlier run's,
    /// a retried upload whose first answer was lost, or a failed upload. The caller compares its
    /// digest with the file's and decides.
    AlreadyThere(Asset),
}

/// The fields of a release to change; `None` leaves one as it is.
#[derive(Clone, Debug, Default)]
pub struct ReleaseUpdate<'a> {
    pub name: Option<&'a str>,
    pub body: Option<&'a str>,
    /// `Some(false)` publishes a draft.
    pub draft: Option<bool>,
    pub prerelease: Option<bool>,
    /// `Some(false)` keeps GitHub's "Latest" badge where it is.
    pub make_latest: Option<bool>,
}

/// The name GitHub gives an uploaded file: each run of characters other than ASCII letters,
/// digits, `-`, `_` and `+` (dots included) becomes one `.`, and leading and trailing dots go
/// (`My App (1).zip` → `My.App.1.zip`). GitHub does not document the rule; this is what it is
/// seen to do for ASCII names (it transliterates some other letters).
pub fn asset_name_on_github(name: &str) -> String {
    let kept = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '+');
    let mut out = String::new();
    let mut pending_dot = false;
    for c in name.chars() {
        if kept(c) {
            if pending_dot {
                out.push('.');
                pending_dot = false;
            }
            out.push(c);
        } else {
            pending_dot = true;
        }
    }
    out.trim_matches('.').to_string()
}

fn parse_asset(value: Value) -> Result<Asset, Error> {
    serde_json::from_value(value).map_err(|e| {
        Error::Unexpected(format!(
            "GitHub sent a release asset Tidegate cannot read: {e}"
        ))
    })
}

fn io_error(what: &str, path: &Path, e: &std::io::Error) -> Error {
    Error::Usage(format!("cannot {what} {}: {e}", path.display()))
}

impl GitHub {
    /// Every asset of a release, failed uploads included.
    pub async fn list_assets(&self, release_id: u64) -> Result<Vec<Asset>, Error> {
        let path = self.repo_path(&format!("/releases/{release_id}/assets"));
        self.list_all(&path, LIST)
            .await?
            .into_iter()
            .map(parse_asset)
            .collect()
    }

    /// Deletes an asset; one already gone is fine.
    pub async fn delete_asset(&self, asset_id: u64) -> Result<(), Error> {
        let path = self.repo_path(&format!("/releases/assets/{asset_id}"));
        match self.send(Method::DELETE, &path, None, DELETE).await {
            Err(Error::Refused { status, .. }) if status == StatusCode::NOT_FOUND => Ok(()),
            other => other.map(drop),
        }
    }

    /// Changes a release (publishes a draft with `draft: Some(false)`).
    pub async fn update_release(
        &self,
        release_id: u64,
        update: &ReleaseUpdate<'_>,
    ) -> Result<Release, Error> {
        let mut fields = serde_json::Map::new();
        if let Some(name) = update.name {
            fields.insert("name".into(), json!(name));
        }
        if let Some(body) = update.body {
            fields.insert("body".into(), json!(body));
        }
        if let Some(draft) = update.draft {
            fields.insert("draft".into(), json!(draft));
        }
        if let Some(prerelease) = update.prerelease {
            fields.insert("prerelease".into(), json!(prerelease));
        }
        if let Some(latest) = update.make_latest {
            fields.insert("make_latest".into(), json!(latest.to_string()));
        }
        let path = self.repo_path(&format!("/releases/{release_id}"));
        let reply = self
            .send(Method::PATCH, &path, Some(&Value::Object(fields)), UPDATE)
            .await?;
        crate::releases::parse(reply.body)
    }

    /// Uploads the file at `path` as the asset `name` of `release`, streamed from disk (each
    /// attempt reopens the file), with `content_type` (`application/octet-stream` when `None`).
    /// An asset of that name already there is returned as [`Uploaded::AlreadyThere`].
    pub async fn upload_asset(
        &self,
        release: &Release,
        name: &str,
        path: &Path,
        content_type: Option<&str>,
    ) -> Result<Uploaded, Error> {
        let size = std::fs::metadata(path)
            .map_err(|e| io_error("read", path, &e))?
            .len();
        let base = release
            .upload_url
            .split('{')
            .next()
            .unwrap_or_default()
            .trim();
        let upload_origin = self.allowed_upload_origin(base)?;
        let url = format!("{base}?name={}", encode_query(name));
        let client = crate::build_client(
            upload_origin
                .parse()
                .map_err(|_| self.bad_upload_url(base))?,
            Some(&self.token),
            UPLOAD_READ_TIMEOUT,
        )?;
        let content_type = content_type.unwrap_or("application/octet-stream");
        let result = retry::run(&self.retry, &self.token, || async {
            let file = tokio::fs::File::open(path)
                .await
                .map_err(|e| retry::Failure::Transport(format!("cannot read the file: {e}")))?;
            let chunks = tokio_util::io::ReaderStream::new(file).map_ok(http_body::Frame::data);
            let request = http::Request::post(&url)
                .header(header::ACCEPT, "application/vnd.github+json")
                .header(header::CONTENT_TYPE, content_type)
                .header(header::CONTENT_LENGTH, size)
                .body(octocrab::OctoBody::new(http_body_util::StreamBody::new(
                    chunks,
                )))
                .map_err(|e| retry::Failure::Transport(e.to_string()))?;
            self.reply_of(client.execute(request).await).await
        })
        .await;
        match result {
            Ok(reply) => parse_asset(reply.body).map(Uploaded::Created),
            Err(gave_up) => {
                let error = crate::error::explain(gave_up, UPLOAD, &self.repo, &self.token);
                if !error.is_refusal(422, "already_exists") {
                    return Err(error);
                }
                let stored = asset_name_on_github(name);
                self.list_assets(release.id)
                    .await?
                    .into_iter()
                    .find(|a| a.name == name || a.name == stored)
                    .map(Uploaded::AlreadyThere)
                    .ok_or(error)
            }
        }
    }

    /// Downloads asset `asset_id` into `to`, streamed: GitHub answers with the bytes or a redirect
    /// to its storage host, which gets no token. The bytes go to a temporary file beside `to`,
    /// renamed to `to` once complete; returns their count.
    pub async fn download_asset(&self, asset_id: u64, to: &Path) -> Result<u64, Error> {
        let dir = match to.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let partial =
            tempfile::NamedTempFile::new_in(dir).map_err(|e| io_error("write in", dir, &e))?;
        let api_path = self.repo_path(&format!("/releases/assets/{asset_id}"));
        let first = retry::run(&self.retry, &self.token, || {
            fetch_to(&self.octo, &api_path, partial.path())
        })
        .await
        .map_err(|g| crate::error::explain(g, DOWNLOAD, &self.repo, &self.token))?;
        let written = if first.status.is_redirection() {
            let location = first
                .headers
                .get(header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .ok_or_else(|| {
                    Error::Unexpected(
                        "GitHub redirected the asset download without saying where".into(),
                    )
                })?
                .to_string();
            // The storage host gets no token: a client of its own origin, without one.
            let storage = crate::build_client(
                crate::origin(&location)
                    .parse()
                    .map_err(|_| self.bad_upload_url(&location))?,
                None,
                UPLOAD_READ_TIMEOUT,
            )?;
            let second = retry::run(&self.retry, &self.token, || {
                fetch_to(&storage, &location, partial.path())
            })
            .await
            .map_err(|g| crate::error::explain(g, DOWNLOAD, &self.repo, &self.token))?;
            if second.status.is_redirection() {
                return Err(Error::Unexpected(
                    "GitHub's storage redirected the asset download again; stopped there".into(),
                ));
            }
            second
        } else {
            first
        };
        let size = written.body.as_u64().unwrap_or_default();
        partial
            .persist(to)
            .map_err(|e| io_error("write", to, &e.error))?;
        Ok(size)
    }

    /// The origin (`scheme://host[:port]`) of an upload URL, if the token may go there: the API's
    /// own host, or uploads.github.com for api.github.com. The URL comes from GitHub's answer; a
    /// token is never sent elsewhere on its word.
    fn allowed_upload_origin(&self, url: &str) -> Result<String, Error> {
        let origin = crate::origin(url);
        let allowed = !origin.is_empty()
            && (origin == self.api_origin
                || (self.api_origin == "https://api.github.com"
                    && origin == "https://uploads.github.com"));
        if allowed {
            Ok(origin)
        } else {
            Err(self.bad_upload_url(url))
        }
    }

    fn bad_upload_url(&self, url: &str) -> Error {
        Error::Unexpected(format!(
            "GitHub gave an upload or download address Tidegate does not send the token to ({}); check GITHUB_API_URL",
            crate::error::quote(&tidegate_actions::redact_url_credentials(
                &self.token.redact(url)
            ))
        ))
    }
}

/// One GET of `url` with `Accept: application/octet-stream`: a redirect is returned as it is
/// (status and headers), a 2xx body is written to `file` chunk by chunk (the reply's body is the
/// byte count), anything else is a failure for the retry policy.
async fn fetch_to(
    client: &octocrab::Octocrab,
    url: &str,
    file: &Path,
) -> Result<Reply, retry::Failure> {
    let transport = |e: &dyn std::fmt::Display| retry::Failure::Transport(e.to_string());
    let request = http::Request::get(url)
        .header(header::ACCEPT, "application/octet-stream")
        .body(octocrab::OctoBody::empty())
        .map_err(|e| transport(&e))?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| retry::Failure::Transport(crate::transport_message(&e)))?;
    let status = response.status();
    let headers = response.headers().clone();
    if status.is_redirection() {
        return Ok(Reply {
            status,
            headers,
            body: Value::Null,
        });
    }
    let mut body: ResponseBody = response.into_body();
    if !status.is_success() {
        // An error page: small, and quoted in the error.
        let bytes: Bytes = body
            .collect()
            .await
            .map(|c| c.to_bytes())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&bytes).into_owned();
        return Err(retry::Failure::Status {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::String(text)),
        });
    }
    // Truncated first: a retry starts the file again.
    let mut out = std::fs::File::create(file).map_err(|e| transport(&e))?;
    let mut size = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| retry::Failure::Transport(crate::transport_message(&e)))?;
        if let Ok(data) = frame.into_data() {
            out.write_all(&data).map_err(|e| transport(&e))?;
            size += data.len() as u64;
        }
    }
    out.flush().map_err(|e| transport(&e))?;
    Ok(Reply {
        status,
        headers,
        body: json!(size),
    })
}
