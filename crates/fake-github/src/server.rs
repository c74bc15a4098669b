//! The HTTP side: an accept loop on hyper (so a connection can be dropped without a response), and
//! the pipeline every request goes through: count, fault, authenticate, match the documented
//! operation, check the request against its schemas, serve.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use axum::body::{Body, Bytes};
use http_body_util::BodyExt;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::{Notify, oneshot};

use crate::contract::{self, REST_DOCS};
use crate::faults::{FaultKind, FaultState};
use crate::json::Urls;
use crate::reply::{
    Payload, Reply, SECONDARY_RATE_LIMIT_DOCS, UNICORN_HTML, secondary_rate_limit_message,
};
use crate::routes::{self, Rq, STORAGE_PREFIX, Upload};
use crate::state::{State, TokenGrant};

/// Locks a mutex, carrying on after a panic elsewhere (the state stays usable for assertions).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Everything the server threads and the test thread share.
pub(crate) struct Inner {
    pub state: Mutex<State>,
    pub urls: Urls,
    pub token: String,
    pub faults: Mutex<FaultState>,
    pub counts: Mutex<BTreeMap<String, usize>>,
    pub total: AtomicUsize,
    /// Of `total`, the POST/PATCH/PUT/DELETE requests.
    pub writes: AtomicUsize,
    pub violations: Mutex<Vec<String>>,
    pub read_only: AtomicBool,
    pub forbid_actions_prs: AtomicBool,
    pub request_seq: AtomicU64,
    pub dir: tempfile::TempDir,
    /// One-shot refusals: the next request of an operation (its key, `POST /repos/…`) gets this
    /// status and message instead of being served (see `FakeGitHub::refuse_once`).
    pub refusals: Mutex<Vec<(String, u16, String)>>,
    /// Faults served so far: requests answered with a fault, writes whose answer was dropped.
    pub faults_served: AtomicUsize,
    pub answers_dropped: AtomicUsize,
}

/// What a request's token may reach.
pub(crate) enum Access {
    Full,
    Limited(TokenGrant),
}

/// The token of an `Authorization` header: `Bearer T`, `token T`, or Basic with any user and the
/// token as password (as git sends it).
fn token_of(header: &str) -> Option<String> {
    let (scheme, value) = header.trim().split_once(' ')?;
    let value = value.trim();
    match scheme.to_ascii_lowercase().as_str() {
        "bearer" | "token" => Some(value.to_string()),
        "basic" => {
            let decoded = String::from_utf8(crate::util::base64_decode(value)?).ok()?;
            decoded.split_once(':').map(|(_, t)| t.to_string())
        }
        _ => None,
    }
}

/// The lower-case `owner/name` key of a `/repos/{owner}/{repo}…` path.
fn repo_of_path(path: &str) -> Option<String> {
    let mut parts = path.strip_prefix("/repos/")?.split('/');
    Some(crate::state::repo_key(parts.next()?, parts.next()?))
}

/// A request as read off the wire.
struct RawRequest {
    method: String,
    path: String,
    query: String,
    authorization: Option<String>,
    accept: String,
    body: Bytes,
    upload: Option<Upload>,
}

struct Outcome {
    reply: Reply,
    drop_connection: bool,
    delay: Duration,
    request_id: String,
}

fn is_write(method: &str) -> bool {
    matches!(method, "POST" | "PATCH" | "PUT" | "DELETE")
}

/// `a=1&b=x%20y` as decoded pairs (`+` is a space, as in forms).
fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

impl Inner {
    fn violation(&self, text: String) {
        lock(&self.violations).push(text);
    }

    /// Who the `Authorization` header speaks for: the default token (everything), a token added
    /// with `add_token` (its repositories), or nobody.
    pub(crate) fn access(&self, header: Option<&str>) -> Option<Access> {
        let given = header.and_then(token_of)?;
        if given == self.token {
            return Some(Access::Full);
        }
        lock(&self.state)
            .tokens
            .get(&given)
            .cloned()
            .map(Access::Limited)
    }

    fn fault_reply(&self, kind: FaultKind, retry_after: u64, request_id: &str) -> Reply {
        match kind {
            FaultKind::BadGatewayHtml => Reply {
                status: 502,
                payload: Payload::Html(UNICORN_HTML.to_string()),
                headers: Vec::new(),
            },
            FaultKind::BadGatewayJson => Reply::json(502, json!({ "message": "Server Error" })),
            FaultKind::TooManyRequests => Reply::error(
                429,
                &secondary_rate_limit_message(request_id),
                SECONDARY_RATE_LIMIT_DOCS,
            )
            .header("retry-after", retry_after.to_string()),
            FaultKind::SecondaryRateLimit => Reply::error(
                403,
                &secondary_rate_limit_message(request_id),
                SECONDARY_RATE_LIMIT_DOCS,
            )
            .header("retry-after", retry_after.to_string()),
        }
    }

    /// The whole pipeline of one request.
    fn process(&self, req: RawRequest) -> Outcome {
        let seq = self.request_seq.fetch_add(1, Ordering::Relaxed);
        let request_id = format!(
            "FAKE:{seq:04X}:{:06X}",
            seq.wrapping_mul(2_654_435_761) & 0xFF_FFFF
        );
        let path = contract::strip_api_prefix(&req.path).to_string();
        let matched = contract::match_operation(&req.method, &path);
        // A GraphQL query reads: counted as `POST /graphql`, not as a write.
        let graphql = routes::graphql::is_endpoint(&req.method, &req.path);
        let key = match &matched {
            _ if graphql => "POST /graphql".to_string(),
            Some(m) => m.op.key(),
            None => format!("{} {path}", req.method),
        };
        *lock(&self.counts).entry(key).or_insert(0) += 1;
        self.total.fetch_add(1, Ordering::Relaxed);
        if is_write(&req.method) && !graphql {
            self.writes.fetch_add(1, Ordering::Relaxed);
        }

        let (fault, delay, retry_after) = {
            let mut faults = lock(&self.faults);
            let fault = faults.next_fault();
            (fault, faults.config.delay, faults.config.retry_after_secs)
        };
        let done = |reply: Reply, drop_connection: bool| Outcome {
            reply,
            drop_connection,
            delay,
            request_id: request_id.clone(),
        };
        if let Some(kind) = fault {
            self.faults_served.fetch_add(1, Ordering::Relaxed);
            return done(self.fault_reply(kind, retry_after, &request_id), false);
        }
        let Some(access) = self.access(req.authorization.as_deref()) else {
            return done(Reply::error(401, "Bad credentials", REST_DOCS), false);
        };
        if let Access::Limited(grant) = &access {
            let scoped = |reply: Reply| match grant.scopes() {
                Some(scopes) => reply.header("x-oauth-scopes", scopes),
                None => reply,
            };
            // GitHub hides a repository the token cannot reach behind a 404.
            if repo_of_path(&path).is_some_and(|key| !grant.reaches(&key)) {
                return done(scoped(Reply::error(404, "Not Found", REST_DOCS)), false);
            }
            if is_write(&req.method) && !graphql && !grant.perms.write {
                let message = if grant.perms.classic {
                    "Not Found"
                } else {
                    "Resource not accessible by personal access token"
                };
                let status = if grant.perms.classic { 404 } else { 403 };
                return done(scoped(Reply::error(status, message, REST_DOCS)), false);
            }
            let mut outcome = self.serve_matched(req, matched, path, done);
            outcome.reply = scoped(outcome.reply);
            return outcome;
        }
        self.serve_matched(req, matched, path, done)
    }

    /// The part of the pipeline after authentication: the documented operation, its schemas, and
    /// the handler.
    fn serve_matched(
        &self,
        req: RawRequest,
        matched: Option<contract::Matched>,
        path: String,
        done: impl Fn(Reply, bool) -> Outcome,
    ) -> Outcome {
        if routes::graphql::is_endpoint(&req.method, &req.path) {
            let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
            let mut problems = Vec::new();
            let reply =
                routes::graphql::serve(&lock(&self.state), &body, &mut |p| problems.push(p));
            for p in problems {
                self.violation(p);
            }
            return done(reply, false);
        }
        let Some(matched) = matched else {
            self.violation(format!(
                "{} {path}: matches no documented operation",
                req.method
            ));
            return done(Reply::error(404, "Not Found", REST_DOCS), false);
        };
        let op = matched.op;
        let query = parse_query(&req.query);
        let mut problems = contract::check_path_params(&matched);
        problems.extend(contract::check_query(op, &query));
        let body: Value = if contract::takes_raw_body(op) {
            Value::Null
        } else if req.body.is_empty() {
            problems.extend(contract::check_request_body(op, None));
            Value::Null
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(v) => {
                    problems.extend(contract::check_request_body(op, Some(&v)));
                    v
                }
                Err(e) => {
                    self.violation(format!("{}: body is not JSON: {e}", op.key()));
                    return done(
                        Reply::error(400, "Problems parsing JSON", &op.docs_url),
                        false,
                    );
                }
            }
        };
        for p in problems {
            self.violation(p);
        }
        if is_write(&req.method) && self.read_only.load(Ordering::Relaxed) {
            return done(
                Reply::error(403, "Resource not accessible by integration", &op.docs_url),
                false,
            );
        }
        if op.key() == "POST /repos/{owner}/{repo}/pulls"
            && self.forbid_actions_prs.load(Ordering::Relaxed)
        {
            return done(
                Reply::error(
                    403,
                    "GitHub Actions is not permitted to create or approve pull requests.",
                    &op.docs_url,
                ),
                false,
            );
        }
        let refusal = {
            let mut refusals = lock(&self.refusals);
            let found = refusals.iter().position(|(key, _, _)| *key == op.key());
            found.map(|i| refusals.remove(i))
        };
        if let Some((_, status, message)) = refusal {
            return done(Reply::error(status, &message, &op.docs_url), false);
        }
        let reply = {
            let mut state = lock(&self.state);
            let actor = state.actor.clone();
            let rq = Rq {
                urls: &self.urls,
                m: &matched,
                query: &query,
                body: &body,
                actor: &actor,
                path: &path,
                accept: &req.accept,
                upload: req.upload.as_ref(),
            };
            routes::dispatch(&mut state, &rq)
        };
        let Some(reply) = reply else {
            self.violation(format!(
                "{}: documented, but fake-github does not implement it",
                op.key()
            ));
            return done(Reply::error(404, "Not Found", &op.docs_url), false);
        };
        let drop_connection =
            is_write(&req.method) && reply.is_success() && lock(&self.faults).drop_this_write();
        if drop_connection {
            self.answers_dropped.fetch_add(1, Ordering::Relaxed);
        }
        done(reply, drop_connection)
    }
}

fn into_response(outcome: Outcome) -> Response<Body> {
    let reply = outcome.reply;
    let (content_type, body) = match reply.payload {
        Payload::Json(v) => (
            Some("application/json; charset=utf-8"),
            Body::from(serde_json::to_vec(&v).unwrap_or_default()),
        ),
        Payload::Html(h) => (Some("text/html; charset=utf-8"), Body::from(h)),
        Payload::Empty => (None, Body::empty()),
    };
    let mut builder = Response::builder()
        .status(StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR))
        .header("x-github-request-id", outcome.request_id)
        .header("x-github-media-type", "github.v3; format=json")
        .header("x-github-api-version-selected", "2022-11-28");
    if let Some(ct) = content_type {
        builder = builder.header("content-type", ct);
    }
    for (k, v) in &reply.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    builder.body(body).unwrap_or_else(|_| {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}

/// The documented upload operation, whose body is streamed to disk rather than read into memory.
const UPLOAD: &str = "POST /repos/{owner}/{repo}/releases/{release_id}/assets";

/// Streams an upload's body into a new file in the fake's directory, hashing it on the way:
/// hundreds of megabytes pass without being held in memory, and with no size limit.
async fn receive_upload(
    inner: &Inner,
    content_type: Option<String>,
    mut body: hyper::body::Incoming,
) -> std::io::Result<Upload> {
    let dir = inner.dir.path().join("assets");
    tokio::fs::create_dir_all(&dir).await?;
    let file = dir.join(format!("upload-{}", crate::util::next_id()));
    let mut out = tokio::fs::File::create(&file).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let written: std::io::Result<()> = async {
        while let Some(frame) = body.frame().await {
            let frame = frame.map_err(std::io::Error::other)?;
            if let Ok(data) = frame.into_data() {
                hasher.update(&data);
                size += data.len() as u64;
                out.write_all(&data).await?;
            }
        }
        out.flush().await
    }
    .await;
    if let Err(e) = written {
        let _ = tokio::fs::remove_file(&file).await;
        return Err(e);
    }
    let sha256 = hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    Ok(Upload {
        file,
        size,
        sha256,
        content_type,
    })
}

fn plain(status: StatusCode, text: &str) -> Response<Body> {
    let mut response = Response::new(Body::from(format!("{text}\n")));
    *response.status_mut() = status;
    response
}

/// The storage host: an asset's bytes by id, streamed from disk. Like GitHub's storage (whose
/// URLs are signed), it refuses a request that carries an `Authorization` header.
async fn storage(inner: &Inner, parts: &hyper::http::request::Parts, id: &str) -> Response<Body> {
    if parts.headers.contains_key("authorization") {
        return plain(
            StatusCode::BAD_REQUEST,
            "fake-github storage: only one auth mechanism allowed; the URL is signed, send no Authorization header",
        );
    }
    let file = id.parse::<u64>().ok().and_then(|id| {
        lock(&inner.state).repos.values().find_map(|r| {
            r.releases
                .iter()
                .flat_map(|rel| &rel.assets)
                .find(|a| a.id == id)
                .and_then(|a| a.file.clone())
        })
    });
    let Some(opened) = (match file {
        Some(path) => tokio::fs::File::open(path).await.ok(),
        None => None,
    }) else {
        return plain(StatusCode::NOT_FOUND, "fake-github storage: no such asset");
    };
    let length = opened.metadata().await.map(|m| m.len()).unwrap_or_default();
    let mut response = Response::new(Body::from_stream(tokio_util::io::ReaderStream::new(opened)));
    let headers = response.headers_mut();
    headers.insert(
        "content-type",
        hyper::header::HeaderValue::from_static("application/octet-stream"),
    );
    headers.insert("content-length", length.into());
    response
}

async fn handle(
    inner: Arc<Inner>,
    req: Request<hyper::body::Incoming>,
    kill: Arc<Notify>,
) -> Response<Body> {
    let (parts, body) = req.into_parts();
    if let Some(id) = parts.uri.path().strip_prefix(STORAGE_PREFIX) {
        return storage(&inner, &parts, id).await;
    }
    if let Some(at) = routes::smart_http::git_path(parts.uri.path()) {
        let bytes = axum::body::to_bytes(Body::new(body), 256 * 1024 * 1024)
            .await
            .unwrap_or_default();
        return routes::smart_http::serve(&inner, &parts, at, bytes).await;
    }
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let is_upload = contract::match_operation(parts.method.as_str(), parts.uri.path())
        .is_some_and(|m| m.op.key() == UPLOAD);
    let (body, upload) = if is_upload {
        match receive_upload(&inner, header("content-type"), body).await {
            Ok(upload) => (Bytes::new(), Some(upload)),
            // The client went away mid-body: nothing is stored, and nobody reads an answer.
            Err(_) => return plain(StatusCode::BAD_REQUEST, "fake-github: upload interrupted"),
        }
    } else {
        let bytes = axum::body::to_bytes(Body::new(body), 64 * 1024 * 1024)
            .await
            .unwrap_or_default();
        (bytes, None)
    };
    let upload_file = upload.as_ref().map(|u| u.file.clone());
    let raw = RawRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or_default().to_string(),
        authorization: header("authorization"),
        accept: header("accept").unwrap_or_default(),
        body,
        upload,
    };
    let worker = Arc::clone(&inner);
    let outcome = match tokio::task::spawn_blocking(move || worker.process(raw)).await {
        Ok(o) => o,
        Err(_) => Outcome {
            reply: Reply::error(500, "fake-github: handler failed", REST_DOCS),
            drop_connection: false,
            delay: Duration::ZERO,
            request_id: String::new(),
        },
    };
    // A refused or faulted upload keeps nothing; a stored one's file belongs to its asset.
    if let (Some(file), false) = (upload_file, outcome.reply.is_success()) {
        let _ = tokio::fs::remove_file(file).await;
    }
    if !outcome.delay.is_zero() {
        tokio::time::sleep(outcome.delay).await;
    }
    if outcome.drop_connection {
        // The write is applied; the client gets no answer at all.
        kill.notify_one();
        std::future::pending::<()>().await;
    }
    into_response(outcome)
}

/// Serves on both listeners (the API and web host, and the storage host) until `stop` fires.
/// Each connection can be killed by its handler (drop-after-write).
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    storage: tokio::net::TcpListener,
    inner: Arc<Inner>,
    mut stop: oneshot::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = &mut stop => break,
            accepted = async { tokio::select! { a = listener.accept() => a, a = storage.accept() => a } } => {
                let Ok((stream, _)) = accepted else { continue };
                let inner = Arc::clone(&inner);
                tokio::spawn(async move {
                    let kill = Arc::new(Notify::new());
                    let for_service = Arc::clone(&kill);
                    let service = hyper::service::service_fn(move |req| {
                        let inner = Arc::clone(&inner);
                        let kill = Arc::clone(&for_service);
                        async move { Ok::<_, Infallible>(handle(inner, req, kill).await) }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::select! {
                        _ = conn => {}
                        _ = kill.notified() => {}
                    }
                });
            }
        }
    }
}
