//! Errors that say what to do. GitHub's own words are kept where they help; the token never
//! appears (it is redacted from anything GitHub echoes back).

use crate::retry::{Failure, GaveUp};
use crate::{Call, RepoId, Token};
use http::StatusCode;
use serde_json::Value;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A flag or environment value is wrong.
    #[error("{0}")]
    Usage(String),
    #[error(
        "no GitHub token: set {0} (in a workflow, `env: {0}: ${{{{ github.token }}}}`), or pass --dry-run to work from the checkout alone"
    )]
    MissingToken(String),
    #[error(
        "GitHub rejected the token (401 Bad credentials): check that it is set, valid and not expired"
    )]
    Unauthorized,
    #[error(
        "the token may not {what} (403 {message}): give the workflow `permissions: {permission}`, or use a token that has it"
    )]
    Permission {
        what: &'static str,
        permission: &'static str,
        message: String,
    },
    #[error(
        "GitHub Actions may not create pull requests in {0}: turn on Settings → Actions → General → \"Allow GitHub Actions to create and approve pull requests\" (in the organization's settings too), or use a GitHub App token"
    )]
    ActionsMayNotCreatePullRequests(String),
    #[error(
        "repository {0} was not found, or the token cannot see it: check --github-repo (or GITHUB_REPOSITORY) and the token's access"
    )]
    RepoNotFound(String),
    /// GitHub refused the request (404 on a resource, 409, 422…); its messages are kept so callers
    /// can recognise "already exists" and "No commits between".
    #[error("GitHub refused to {what} ({status}{})", said(.messages))]
    Refused {
        what: &'static str,
        status: StatusCode,
        messages: Vec<String>,
    },
    /// A 3xx: GitHub sends these for a renamed or moved repository, a proxy for a login page.
    #[error(
        "GitHub answered the request to {what} with a redirect ({status}) to {location}; if the repository was renamed or moved, use its new name (--github-repo or GITHUB_REPOSITORY), else check GITHUB_API_URL"
    )]
    Redirected {
        what: &'static str,
        status: StatusCode,
        location: String,
    },
    #[error("GitHub kept failing to {what} ({last}) after {attempts} attempt(s); try again later")]
    Unavailable {
        what: &'static str,
        last: String,
        attempts: usize,
    },
    /// The caller declined the operation for the reason given (a refused fast-forward, a conflict):
    /// a check that did not pass, exit 1.
    #[error("{0}")]
    Declined(String),
    #[error("{0}")]
    Transport(String),
    #[error("{0}")]
    Unexpected(String),
}

impl Error {
    /// GitHub answered 429 or a secondary rate limit: the request was not applied, so even a
    /// write that must not be repeated may be sent again.
    pub fn rate_limited(&self) -> bool {
        matches!(self, Error::Unavailable { last, .. } if last.starts_with("rate limited"))
    }
}

impl Error {
    /// 2 for what the user fixes in flags, secrets, permissions or settings; 3 for GitHub failing.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_)
            | Self::MissingToken(_)
            | Self::Unauthorized
            | Self::Permission { .. }
            | Self::ActionsMayNotCreatePullRequests(_)
            | Self::RepoNotFound(_)
            | Self::Redirected { .. } => 2,
            Self::Declined(_) => 1,
            _ => 3,
        }
    }

    /// Whether GitHub refused with `status` and a message containing `text`.
    pub fn is_refusal(&self, status: u16, text: &str) -> bool {
        matches!(self, Self::Refused { status: s, messages, .. }
            if s.as_u16() == status && messages.iter().any(|m| m.contains(text)))
    }
}

/// `: message; message` after a status, or nothing when GitHub said nothing.
fn said(messages: &[String]) -> String {
    if messages.is_empty() {
        String::new()
    } else {
        format!(": {}", messages.join("; "))
    }
}

/// The most of a server's text that is quoted in a message.
const QUOTE_LIMIT: usize = 300;

/// Server text as it may be quoted: one line, at most [`QUOTE_LIMIT`] characters (an error
/// page or a 20 MB body is not a message).
pub(crate) fn quote(text: &str) -> String {
    let line = tidegate_actions::one_line(text.trim());
    match line.char_indices().nth(QUOTE_LIMIT) {
        Some((cut, _)) => format!(
            "{}… ({} characters more)",
            &line[..cut],
            line[cut..].chars().count()
        ),
        None => line,
    }
}

/// GitHub's `message` and each `errors[].message` (or string error) of an error body.
fn messages(body: &Value) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(message) = body.get("message").and_then(Value::as_str) {
        out.push(message.to_string());
    }
    for error in body
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        match error {
            Value::String(text) => out.push(text.clone()),
            other => {
                if let Some(text) = other.get("message").and_then(Value::as_str) {
                    out.push(text.to_string());
                } else if let Some(code) = other.get("code").and_then(Value::as_str) {
                    let field = other.get("field").and_then(Value::as_str).unwrap_or("");
                    out.push(format!("{field} {code}").trim().to_string());
                }
            }
        }
    }
    if out.is_empty() {
        if let Value::String(text) = body {
            // A non-JSON body (an HTML error page): its first line only.
            out.push(text.lines().next().unwrap_or_default().to_string());
        }
    }
    out
}

pub(crate) fn explain(gave_up: GaveUp, call: Call, repo: &RepoId, token: &Token) -> Error {
    let GaveUp { failure, attempts } = gave_up;
    let asked = failure.requested_wait();
    let (status, headers, body) = match failure {
        Failure::Transport(message) => {
            return Error::Unavailable {
                what: call.what,
                last: quote(&token.redact(&message)),
                attempts,
            };
        }
        Failure::Status {
            status,
            headers,
            body,
        } => (status, headers, body),
    };
    // Redacted before it is cut short, so that no part of the token survives the cut.
    let messages: Vec<String> = messages(&body)
        .iter()
        .map(|m| quote(&token.redact(m)))
        .filter(|m| !m.is_empty())
        .collect();
    let said = |text: &str| messages.iter().any(|m| m.contains(text));
    match status.as_u16() {
        401 => Error::Unauthorized,
        403 if said("GitHub Actions is not permitted to create or approve pull requests") => {
            Error::ActionsMayNotCreatePullRequests(repo.to_string())
        }
        403 if !crate::retry::is_rate_limit(&headers, &body) => Error::Permission {
            what: call.what,
            permission: call.permission,
            message: messages
                .first()
                .cloned()
                .unwrap_or_else(|| "Forbidden".to_string()),
        },
        // GitHub's missing (or hidden) repository is a bare "Not Found"; a 404 that says more
        // ("Base does not exist" on a merge) is about the thing asked for.
        404 if call.not_found_is_repo && messages.iter().all(|m| m == "Not Found") => {
            Error::RepoNotFound(repo.to_string())
        }
        300..=399 => Error::Redirected {
            what: call.what,
            status,
            location: headers
                .get(http::header::LOCATION)
                .and_then(|l| l.to_str().ok())
                .map_or_else(
                    || "an address it did not give".to_string(),
                    |l| quote(&tidegate_actions::redact_url_credentials(&token.redact(l))),
                ),
        },
        429 | 403 => Error::Unavailable {
            what: call.what,
            last: match asked {
                Some(wait) => format!(
                    "rate limited: {status}, GitHub asks to wait {} s",
                    wait.as_secs()
                ),
                None => format!("rate limited: {status}"),
            },
            attempts,
        },
        s if s >= 500 => Error::Unavailable {
            what: call.what,
            last: status.to_string(),
            attempts,
        },
        _ => Error::Refused {
            what: call.what,
            status,
            messages,
        },
    }
}
