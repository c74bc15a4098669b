//! GitHub's REST API as every Tidegate binary talks to it: one base URL (github.com or a GitHub
//! Enterprise Server `https://host/api/v3`), a token that is masked and never printed, one retry
//! policy, pagination by `Link` headers, and errors that say what to do.

pub mod assets;
pub mod backports;
pub mod deployments;
pub mod downstream;
mod error;
pub mod gates;
pub mod gitdata;
pub mod overrides;
pub mod pulls;
pub mod refs;
pub mod releases;
mod retry;

pub use error::Error;
pub use retry::RetryPolicy;

use http::{HeaderMap, Method, StatusCode};
use octocrab::Octocrab;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::Value;
use std::fmt;

/// Runs `work` with a client for `repo` (the token from the variable `token_env`; the API URL and
/// the retry policy from the environment) on a single-threaded runtime: a binary's GitHub step.
pub fn block_on_client<T, E, F, Fut>(token_env: &str, repo: RepoId, work: F) -> Result<T, E>
where
    E: From<Error>,
    F: FnOnce(GitHub) -> Fut,
    Fut: std::future::Future<Output = Result<T, E>>,
{
    let token = Token::from_env(token_env)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Transport(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        work(GitHub::new(
            &api_url_from_env(),
            token,
            repo,
            RetryPolicy::from_env(),
        )?)
        .await
    })
}

/// The merged PRs into `base` since `since` (a `YYYY-MM-DD` date), for the binaries that read
/// commit overrides outside an async runtime; `None` when the environment variable `token_env`
/// holds no token (overrides cannot be known).
pub fn merged_pulls_blocking(
    token_env: &str,
    repo: RepoId,
    base: &str,
    since: &str,
) -> Result<Option<Vec<pulls::MergedPull>>, Error> {
    if std::env::var(token_env).map_or(true, |t| t.trim().is_empty()) {
        return Ok(None);
    }
    block_on_client(token_env, repo, |gh| async move {
        gh.merged_pulls_since(base, since).await.map(Some)
    })
}

/// `owner/name` of a repository on GitHub.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RepoId {
    pub owner: String,
    pub name: String,
}

impl RepoId {
    /// Reads `owner/name`, as `--github-repo` and `GITHUB_REPOSITORY` give it.
    pub fn parse(text: &str) -> Result<Self, Error> {
        // `.` and `..` would walk the API path (`/repos/../..`); GitHub allows no such names.
        let valid = |part: &str| {
            !part.is_empty()
                && !part.chars().all(|c| c == '.')
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        };
        match text.trim().split_once('/') {
            Some((owner, name)) if valid(owner) && valid(name) => Ok(Self {
                owner: owner.to_string(),
                name: name.to_string(),
            }),
            _ => Err(Error::Usage(format!(
                "`{}` is not a repository: write it as OWNER/NAME (for example acme/widgets)",
                tidegate_actions::one_line(text)
            ))),
        }
    }
}

impl fmt::Display for RepoId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// A token that never shows itself: `Debug` and `Display` print `***`.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Reads the token from the environment variable `name` and registers it with the runner's
    /// log masking.
    pub fn from_env(name: &str) -> Result<Self, Error> {
        match std::env::var(name) {
            Ok(token) if !token.trim().is_empty() => Self::new(name, token.trim()),
            _ => Err(Error::MissingToken(name.to_string())),
        }
    }

    /// A token given as a value (`name` says where it came from, for messages). A line break or
    /// a control character (a secret pasted with its newline) cannot go into a header, so it is
    /// refused here, without printing it.
    pub fn new(name: &str, token: &str) -> Result<Self, Error> {
        if token.chars().any(char::is_control) {
            return Err(Error::Usage(format!(
                "the token in {name} holds a line break or another control character; store the secret again without it"
            )));
        }
        tidegate_actions::add_mask(token);
        Ok(Self(token.to_string()))
    }

    /// Replaces the token wherever it appears in `text`, as a last guard before anything is
    /// printed.
    pub fn redact(&self, text: &str) -> String {
        if self.0.is_empty() {
            text.to_string()
        } else {
            text.replace(&self.0, "***")
        }
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// How a request is described in errors, and what a 403 or 404 on it means.
#[derive(Clone, Copy, Debug)]
pub struct Call {
    /// What the request does, for messages: "create the pull request".
    pub what: &'static str,
    /// The workflow permission the request needs: "pull-requests: write".
    pub permission: &'static str,
    /// Whether a 404 means the repository itself is missing (rather than the thing asked for).
    pub not_found_is_repo: bool,
}

impl Call {
    /// A call on the repository as a whole: a 404 means the repository is missing or hidden.
    pub const fn on_repo(what: &'static str, permission: &'static str) -> Self {
        Self {
            what,
            permission,
            not_found_is_repo: true,
        }
    }

    /// A call on one thing in the repository (a PR, a branch): a 404 means that thing.
    pub const fn on_item(what: &'static str, permission: &'static str) -> Self {
        Self {
            what,
            permission,
            not_found_is_repo: false,
        }
    }
}

/// A successful answer: status, headers and the JSON body (`Null` when empty).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

/// A client for one repository.
pub struct GitHub {
    octo: Octocrab,
    /// `scheme://host[:port]` of the API URL: where the token may be sent besides the API.
    api_origin: String,
    repo: RepoId,
    token: Token,
    retry: RetryPolicy,
}

/// The API URL from `GITHUB_API_URL`, else github.com's.
pub fn api_url_from_env() -> String {
    std::env::var("GITHUB_API_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .unwrap_or_else(|| "https://api.github.com".to_string())
}

/// The web URL from `GITHUB_SERVER_URL`, else github.com's. It goes into links people read, so
/// a user or password in it is dropped.
pub fn server_url_from_env() -> String {
    std::env::var("GITHUB_SERVER_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
        .map(|u| without_credentials(u.trim().trim_end_matches('/')))
        .unwrap_or_else(|| "https://github.com".to_string())
}

/// `url` without the `user:password@` of its authority.
fn without_credentials(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://{}", &rest[at + 1..]),
        None => url.to_string(),
    }
}

/// The most pages one list may take (100 items each): a server that keeps sending `next`
/// links must not keep the run going for ever.
pub const MAX_PAGES: usize = 500;

impl GitHub {
    /// A client for `repo` at `api_url`. Must be called inside a Tokio runtime.
    pub fn new(
        api_url: &str,
        token: Token,
        repo: RepoId,
        retry: RetryPolicy,
    ) -> Result<Self, Error> {
        let api_url = api_url.trim().trim_end_matches('/');
        let uri: http::Uri = api_url.parse().map_err(|_| bad_api_url(api_url))?;
        if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
            return Err(Error::Usage(format!(
                "GITHUB_API_URL `{}` holds a user or password; remove it (the token goes in GITHUB_TOKEN or the variable --token-env names)",
                tidegate_actions::redact_url_credentials(api_url)
            )));
        }
        match (uri.scheme_str(), uri.host()) {
            (Some("https"), Some(_)) => {}
            // Plain HTTP only to this machine (tests, a local proxy); a token must not cross a
            // network in the clear.
            (Some("http"), Some("127.0.0.1" | "localhost" | "[::1]")) => {}
            _ => return Err(bad_api_url(api_url)),
        }
        let octo = build_client(uri, Some(&token), READ_TIMEOUT).map_err(|e| match e {
            Error::Usage(_) => bad_api_url(api_url),
            other => other,
        })?;
        let api_origin = origin(api_url);
        Ok(Self {
            octo,
            api_origin,
            repo,
            token,
            retry,
        })
    }

    pub fn repo(&self) -> &RepoId {
        &self.repo
    }

    /// `/repos/{owner}/{name}` followed by `rest`.
    pub fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}/{}{rest}", self.repo.owner, self.repo.name)
    }

    /// Sends one request under the retry policy and returns the reply for any 2xx status; other
    /// statuses become [`Error`]s that say what to do.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        call: Call,
    ) -> Result<Reply, Error> {
        let result = retry::run(&self.retry, &self.token, || {
            self.attempt(&method, path, body)
        })
        .await;
        result.map_err(|failure| error::explain(failure, call, &self.repo, &self.token))
    }

    /// Every item of a list endpoint: `per_page=100`, following `Link: rel="next"`. The walk ends
    /// at the last page, at an empty page, or at a link to a page already read (a server that
    /// loops); past [`MAX_PAGES`] it is an error rather than a list silently cut short.
    pub async fn list_all(&self, path: &str, call: Call) -> Result<Vec<Value>, Error> {
        self.walk_pages(path, call, |body| match body {
            Value::Array(page) => Some(page),
            _ => None,
        })
        .await
    }

    /// Every item of a list endpoint that answers an object holding the page's items under
    /// `field` (`{"total_count": …, "check_runs": […]}`), walked as [`GitHub::list_all`] does.
    pub async fn list_all_in(
        &self,
        path: &str,
        field: &'static str,
        call: Call,
    ) -> Result<Vec<Value>, Error> {
        self.walk_pages(path, call, |mut body| match body.get_mut(field)?.take() {
            Value::Array(page) => Some(page),
            _ => None,
        })
        .await
    }

    /// Sends one request once, with no retry: for a create that must not run twice when its
    /// answer is lost (the caller looks for what it made before trying again).
    pub(crate) async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        call: Call,
    ) -> Result<Reply, Error> {
        let once = RetryPolicy {
            max_retries: 0,
            ..self.retry.clone()
        };
        let result = retry::run(&once, &self.token, || self.attempt(&method, path, body)).await;
        result.map_err(|failure| error::explain(failure, call, &self.repo, &self.token))
    }

    /// POSTs `body` to `url`, an absolute URL on the API's own host outside the API's path (the
    /// GraphQL endpoint `https://HOST/api/graphql`), under the retry policy.
    pub(crate) async fn post_outside_api(
        &self,
        url: &str,
        body: &Value,
        call: Call,
    ) -> Result<Reply, Error> {
        if origin(url) != self.api_origin {
            return Err(Error::Usage(format!(
                "{} is not on the API's host {}; the token goes nowhere else",
                tidegate_actions::redact_url_credentials(url),
                self.api_origin
            )));
        }
        // A client whose base is the bare origin: the API client would put `/api/v3` in front.
        let octo = build_client(
            self.api_origin.parse().map_err(|_| bad_api_url(url))?,
            Some(&self.token),
            READ_TIMEOUT,
        )?;
        let result = retry::run(&self.retry, &self.token, || async {
            let sent = octo._post(url, Some(body)).await;
            self.reply_of(sent).await
        })
        .await;
        result.map_err(|failure| error::explain(failure, call, &self.repo, &self.token))
    }

    /// Walks the pages of a list; `items` takes a page's body apart (`None`: not a list).
    async fn walk_pages(
        &self,
        path: &str,
        call: Call,
        items_of: impl Fn(Value) -> Option<Vec<Value>>,
    ) -> Result<Vec<Value>, Error> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut next = Some(format!("{path}{separator}per_page=100"));
        let mut seen = std::collections::HashSet::new();
        let mut items = Vec::new();
        while let Some(url) = next.take() {
            if !seen.insert(url.clone()) {
                break;
            }
            if seen.len() > MAX_PAGES {
                return Err(Error::Unexpected(format!(
                    "GitHub kept sending further pages to {} after {MAX_PAGES} pages; stopped there",
                    call.what
                )));
            }
            let reply = self.send(Method::GET, &url, None, call).await?;
            match items_of(reply.body) {
                Some(page) if page.is_empty() => break,
                Some(page) => items.extend(page),
                None => {
                    return Err(Error::Unexpected(format!(
                        "GitHub answered {} with something other than a list",
                        call.what
                    )));
                }
            }
            next = next_link(&reply.headers);
        }
        Ok(items)
    }

    async fn attempt(
        &self,
        method: &Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Reply, retry::Failure> {
        let sent = match *method {
            Method::GET => self.octo._get(path).await,
            Method::POST => self.octo._post(path, body).await,
            Method::PATCH => self.octo._patch(path, body).await,
            Method::PUT => self.octo._put(path, body).await,
            Method::DELETE => self.octo._delete(path, body).await,
            _ => {
                return Err(retry::Failure::Transport(format!(
                    "unsupported method {method}"
                )));
            }
        };
        self.reply_of(sent).await
    }

    /// The reply to a sent request: its JSON body on a 2xx, else a [`retry::Failure`].
    async fn reply_of(
        &self,
        sent: Result<http::Response<ResponseBody>, octocrab::Error>,
    ) -> Result<Reply, retry::Failure> {
        let response = sent.map_err(|e| retry::Failure::Transport(transport_message(&e)))?;
        let status = response.status();
        let headers = response.headers().clone();
        let text = self
            .octo
            .body_to_string(response)
            .await
            .map_err(|e| retry::Failure::Transport(transport_message(&e)))?;
        let body = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        if status.is_success() {
            Ok(Reply {
                status,
                headers,
                body,
            })
        } else {
            Err(retry::Failure::Status {
                status,
                headers,
                body,
            })
        }
    }
}

/// The body of an answer, as octocrab hands it over.
type ResponseBody = http_body_util::combinators::BoxBody<bytes::Bytes, octocrab::Error>;

/// How long a request may wait for the server's next bytes.
const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// An octocrab client for `base` (the token, when given, goes only to `base`'s host: octocrab
/// adds it to no other), with Tidegate's headers and none of octocrab's retries.
fn build_client(
    base: http::Uri,
    token: Option<&Token>,
    read_timeout: std::time::Duration,
) -> Result<Octocrab, Error> {
    let mut builder = Octocrab::builder()
        .base_uri(base)
        .map_err(|_| Error::Usage("not a URL".to_string()))?;
    if let Some(token) = token {
        builder = builder.personal_token(token.0.clone());
    }
    builder
        .add_header(
            http::HeaderName::from_static("x-github-api-version"),
            "2022-11-28".to_string(),
        )
        // Retries are ours (see `retry`): octocrab's would retry 5xx at once and hide them.
        .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
        .set_connect_timeout(Some(std::time::Duration::from_secs(10)))
        .set_read_timeout(Some(read_timeout))
        .build()
        .map_err(|e| Error::Transport(e.to_string()))
}

/// `scheme://authority` of a URL (empty when it has none).
fn origin(url: &str) -> String {
    match url.parse::<http::Uri>() {
        Ok(uri) => match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}"),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

fn bad_api_url(url: &str) -> Error {
    let url = tidegate_actions::redact_url_credentials(url);
    Error::Usage(format!(
        "GITHUB_API_URL `{url}` is not an https:// URL (plain http:// is allowed only for localhost); use https://api.github.com or https://HOST/api/v3"
    ))
}

/// The innermost cause of a transport error, which says what happened ("connection refused").
fn transport_message(error: &octocrab::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(inner) = source.source() {
        source = inner;
    }
    source.to_string()
}

/// The `rel="next"` URL of a `Link` header.
fn next_link(headers: &HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| p.trim().replace(' ', "") == "rel=\"next\"");
        is_next.then(|| {
            url.trim()
                .trim_start_matches('<')
                .trim_end_matches('>')
                .to_string()
        })
    })
}

/// Everything but RFC 3986's unreserved characters is encoded in a query value.
const QUERY_VALUE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');
/// A ref path keeps its `/` separators.
const REF_PATH: &AsciiSet = &QUERY_VALUE.remove(b'/');

/// Percent-encodes a query value.
pub fn encode_query(value: &str) -> String {
    utf8_percent_encode(value, QUERY_VALUE).to_string()
}

/// Percent-encodes a ref path, keeping its `/` separators.
pub fn encode_path(value: &str) -> String {
    utf8_percent_encode(value, REF_PATH).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_link_is_found_among_the_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::LINK,
            r#"<https://h/api/v3/repos/a/b/pulls?page=1>; rel="prev", <https://h/api/v3/repos/a/b/pulls?page=3>; rel="next", <https://h/api/v3/repos/a/b/pulls?page=9>; rel="last""#
                .parse()
                .expect("header"),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("https://h/api/v3/repos/a/b/pulls?page=3")
        );
        headers.insert(
            http::header::LINK,
            r#"<https://h/x?page=1>; rel="first""#.parse().expect("header"),
        );
        assert_eq!(next_link(&headers), None);
    }

    #[test]
    fn repository_names_are_checked() {
        assert_eq!(
            RepoId::parse("acme/widgets").expect("valid").to_string(),
            "acme/widgets"
        );
        for bad in [
            "acme", "acme/", "/w", "a/b/c", "a b/c", "../..", "acme/..", "./w",
        ] {
            assert!(RepoId::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_are_percent_encoded_for_queries_and_ref_paths() {
        assert_eq!(encode_query("acme:feat/a&b c"), "acme%3Afeat%2Fa%26b%20c");
        assert_eq!(encode_path("release/1.2#x"), "release/1.2%23x");
    }

    #[test]
    fn tokens_with_control_characters_are_refused_without_showing_them() {
        for bad in ["ghs_abc\ndef", "ghs_abc\rdef", "ghs\u{1b}[31m", "a\tb"] {
            let error = Token::new("GITHUB_TOKEN", bad).expect_err("refused");
            let message = error.to_string();
            assert!(message.contains("GITHUB_TOKEN"), "{message}");
            assert!(
                !message.contains("abc") && !message.contains("ghs"),
                "{message}"
            );
            assert_eq!(error.exit_code(), 2);
        }
        assert!(Token::new("GITHUB_TOKEN", "ghs_fine-token_123").is_ok());
    }

    #[test]
    fn server_urls_lose_their_credentials() {
        assert_eq!(
            without_credentials("https://u:pass@ghe.example/x"),
            "https://ghe.example/x"
        );
        assert_eq!(
            without_credentials("https://ghe.example"),
            "https://ghe.example"
        );
    }

    #[test]
    fn tokens_never_show_themselves() {
        let token = Token("ghs_secret".to_string());
        assert_eq!(format!("{token:?}"), "Token(***)");
        assert_eq!(token.redact("x ghs_secret y"), "x *** y");
    }
}
