//! One retry policy for every request: 5xx, 429, secondary-rate-limit 403 and dropped connections
//! are retried with exponential backoff and jitter, waiting at least what `retry-after` or
//! `x-ratelimit-reset` asks, bounded in count and in total time. Other 4xx are never retried.
//!
//! Dropped connections are retried for writes too. Every write Tidegate makes is idempotent
//! (PATCH, labels, refs), or a create whose caller looks up first and treats GitHub's "already
//! exists" as found, or a merge whose caller reads a repeated merge's "nothing to merge" as done:
//! a retry after a lost answer never duplicates anything.

use crate::{Reply, Token};
use backon::{ExponentialBuilder, Retryable};
use http::{HeaderMap, StatusCode};
use serde_json::Value;
use std::cell::Cell;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// How hard to try before giving up.
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    /// Retries after the first attempt.
    pub max_retries: usize,
    /// The first backoff; each next one doubles, plus jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// No retry starts once waiting for it would pass this much time since the first attempt.
    pub budget: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 8,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            budget: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// The wait before attempt `attempt + 1` of a create whose answer was lost: the base delay
    /// doubled per attempt, capped, so GitHub has time to list what the lost attempt made.
    pub(crate) fn after_lost(&self, attempt: usize) -> Duration {
        let doubled = self
            .base_delay
            .saturating_mul(2u32.saturating_pow(attempt.min(16) as u32));
        doubled.min(self.max_delay)
    }

    /// The default policy; `TIDEGATE_RETRY_BASE_MS` shortens the backoff (the test suite uses it
    /// so that hundreds of injected faults do not cost minutes).
    pub fn from_env() -> Self {
        let mut policy = Self::default();
        if let Some(ms) = std::env::var("TIDEGATE_RETRY_BASE_MS")
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
        {
            policy.base_delay = Duration::from_millis(ms);
        }
        policy
    }
}

/// Why one attempt did not succeed.
#[derive(Debug)]
pub(crate) enum Failure {
    /// No answer: refused, reset, timed out, or dropped after the request was sent.
    Transport(String),
    Status {
        status: StatusCode,
        headers: HeaderMap,
        body: Value,
    },
}

/// The last failure, and how many attempts were made.
#[derive(Debug)]
pub(crate) struct GaveUp {
    pub failure: Failure,
    pub attempts: usize,
}

impl Failure {
    fn retryable(&self) -> bool {
        match self {
            // A name that does not resolve will not resolve in a minute either.
            Self::Transport(message) => {
                let message = message.to_ascii_lowercase();
                !(message.contains("dns error") || message.contains("failed to lookup address"))
            }
            Self::Status {
                status,
                headers,
                body,
            } => {
                status.is_server_error()
                    || *status == StatusCode::TOO_MANY_REQUESTS
                    || (*status == StatusCode::FORBIDDEN && is_rate_limit(headers, body))
            }
        }
    }

    /// The least wait the server asked for: `retry-after` seconds, or until `x-ratelimit-reset`
    /// when no requests remain.
    pub(crate) fn requested_wait(&self) -> Option<Duration> {
        let Self::Status { headers, .. } = self else {
            return None;
        };
        let number = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
        if let Some(seconds) = number("retry-after") {
            return Some(Duration::from_secs(seconds));
        }
        if number("x-ratelimit-remaining") == Some(0) {
            let reset = number("x-ratelimit-reset")?;
            let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
            return Some(Duration::from_secs(reset.saturating_sub(now) + 1));
        }
        None
    }
}

/// A 403 that is a rate limit, not a refusal: GitHub sends `retry-after`, or no requests remain,
/// or the message says so.
pub(crate) fn is_rate_limit(headers: &HeaderMap, body: &Value) -> bool {
    headers.contains_key("retry-after")
        || headers
            .get("x-ratelimit-remaining")
            .is_some_and(|v| v.as_bytes() == b"0")
        || body
            .get("message")
            .and_then(Value::as_str)
            .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"))
}

/// Runs `attempt` until it succeeds, fails for good, or the policy is spent.
pub(crate) async fn run<F, Fut>(
    policy: &RetryPolicy,
    token: &Token,
    mut attempt: F,
) -> Result<Reply, GaveUp>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<Reply, Failure>>,
{
    let start = Instant::now();
    let attempts = Cell::new(0usize);
    let counted = || {
        attempts.set(attempts.get() + 1);
        attempt()
    };
    let backoff = ExponentialBuilder::default()
        .with_min_delay(policy.base_delay)
        .with_max_delay(policy.max_delay)
        .with_max_times(policy.max_retries)
        .with_jitter();
    counted
        .retry(backoff)
        .sleep(tokio::time::sleep)
        .when(Failure::retryable)
        .adjust(|failure, backoff| {
            let wait = backoff?.max(failure.requested_wait().unwrap_or_default());
            (start.elapsed() + wait <= policy.budget).then_some(wait)
        })
        .notify(|failure, wait| {
            let what = match failure {
                Failure::Transport(message) => {
                    format!("no answer from GitHub ({})", token.redact(message))
                }
                Failure::Status { status, .. } => format!("GitHub answered {status}"),
            };
            eprintln!("{what}; retrying in {:.1} s", wait.as_secs_f64());
        })
        .await
        .map_err(|failure| GaveUp {
            failure,
            attempts: attempts.get(),
        })
}
