//! What a handler answers, and GitHub's error bodies.

use serde_json::{Value, json};

#[derive(Debug)]
pub(crate) enum Payload {
    Json(Value),
    Html(String),
    Empty,
}

#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub payload: Payload,
    pub headers: Vec<(String, String)>,
}

/// Handlers return `Ok(reply)` or `Err(error reply)`, so `?` ends a request with its error.
pub(crate) type Handled = Result<Reply, Reply>;

impl Reply {
    pub(crate) fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            payload: Payload::Json(body),
            headers: Vec::new(),
        }
    }

    pub(crate) fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub(crate) fn empty(status: u16) -> Reply {
        Reply {
            status,
            payload: Payload::Empty,
            headers: Vec::new(),
        }
    }

    pub(crate) fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    /// `{"message", "documentation_url", "status"}`, GitHub's error body.
    pub(crate) fn error(status: u16, message: &str, docs: &str) -> Reply {
        Reply::json(
            status,
            json!({
                "message": message,
                "documentation_url": docs,
                "status": status.to_string(),
            }),
        )
    }

    pub(crate) fn not_found(docs: &str) -> Reply {
        Reply::error(404, "Not Found", docs)
    }

    /// A 422 "Validation Failed" with GitHub's `errors` list.
    pub(crate) fn validation(errors: Vec<Value>, docs: &str) -> Reply {
        Reply::json(
            422,
            json!({
                "message": "Validation Failed",
                "errors": errors,
                "documentation_url": docs,
                "status": "422",
            }),
        )
    }

    /// A 422 with one `custom` error carrying a message, as GitHub words most rule violations.
    pub(crate) fn custom_422(resource: &str, message: &str, docs: &str) -> Reply {
        Reply::validation(
            vec![json!({ "resource": resource, "code": "custom", "message": message })],
            docs,
        )
    }

    /// A 422 naming one invalid field.
    pub(crate) fn invalid_field(resource: &str, field: &str, code: &str, docs: &str) -> Reply {
        Reply::validation(
            vec![json!({ "resource": resource, "field": field, "code": code })],
            docs,
        )
    }

    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// GitHub's 502 page ("Unicorn!"), abridged.
pub(crate) const UNICORN_HTML: &str = "<!DOCTYPE html>\n<html>\n  <head>\n    \
<meta http-equiv=\"Content-type\" content=\"text/html; charset=utf-8\">\n    \
<title>Unicorn! &middot; GitHub</title>\n  </head>\n  <body>\n    <div class=\"container\">\n      \
<p><strong>We had issues producing the response to your request.</strong></p>\n      \
<p>Sorry about that. Please try refreshing and contact us if the problem persists.</p>\n    \
</div>\n  </body>\n</html>\n";

pub(crate) const SECONDARY_RATE_LIMIT_DOCS: &str = "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits";

pub(crate) fn secondary_rate_limit_message(request_id: &str) -> String {
    format!(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. \
         If you reach out to GitHub Support for help, please include the request ID {request_id}."
    )
}
