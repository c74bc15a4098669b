//! A tiny blocking HTTP/1.1 client over `TcpStream` (one request per connection), enough to drive
//! the fake without pulling an HTTP client crate into the build. Every answer to a documented
//! operation is checked against the response schema GitHub documents for its status.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::Value;

/// One HTTP response.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON (`Null` when empty).
    pub fn json(&self) -> Value {
        if self.body.is_empty() {
            return Value::Null;
        }
        serde_json::from_slice(&self.body).expect("the response body is JSON")
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Splits `http://host:port/path?query` into `(host:port, /path?query)`.
fn split_url(url: &str) -> (String, String) {
    let rest = url.strip_prefix("http://").expect("an http:// URL");
    match rest.find('/') {
        Some(i) => (rest[..i].to_string(), rest[i..].to_string()),
        None => (rest.to_string(), "/".to_string()),
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            return out;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
}

/// Sends one request; `Err` when the connection ends without a complete response.
pub fn send(method: &str, url: &str, auth: Option<&str>, body: Option<&[u8]>) -> io::Result<Resp> {
    let mut headers = vec![("Accept", "application/vnd.github+json")];
    if let Some(a) = auth {
        headers.push(("Authorization", a));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        headers.push(("Content-Type", "application/json"));
    }
    send_with(method, url, &headers, body)
}

/// Sends one request with these headers (`Content-Length` is added); `Err` when the connection
/// ends without a complete response.
pub fn send_with(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> io::Result<Resp> {
    let (host, target) = split_url(url);
    let mut stream = TcpStream::connect(&host)?;
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut head = format!(
        "{method} {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\
         User-Agent: fake-github-tests\r\n"
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !body.is_empty() || matches!(method, "POST" | "PATCH" | "PUT") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;
    let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed without a response",
        ));
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("a status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_lowercase(), v.trim().to_string()))
        .collect();
    let rest = &raw[split + 4..];
    let chunked = headers
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    };
    if let Some(len) = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        if body.len() < len {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated body",
            ));
        }
    }
    Ok(Resp {
        status,
        headers,
        body,
    })
}

/// A client for one fake, authenticated with its token. `get`/`post`/... check every answer
/// against GitHub's documented response schema and fail the test on a mismatch.
pub struct Client {
    pub api: String,
    pub token: String,
}

impl Client {
    pub fn new(fake: &fake_github::FakeGitHub) -> Client {
        Client {
            api: fake.api_url(),
            token: fake.token(),
        }
    }

    fn url(&self, path: &str) -> String {
        if path.starts_with("http://") {
            path.to_string()
        } else {
            format!("{}{path}", self.api)
        }
    }

    /// Sends without checking the answer.
    pub fn raw(&self, method: &str, path: &str, body: Option<&Value>) -> io::Result<Resp> {
        let bytes = body.map(|b| serde_json::to_vec(b).expect("JSON"));
        send(
            method,
            &self.url(path),
            Some(&format!("Bearer {}", self.token)),
            bytes.as_deref(),
        )
    }

    /// Uploads `bytes` as a release asset to `upload_url` (the release's template, expanded with
    /// `name`), without checking the answer.
    pub fn raw_upload(&self, upload_url: &str, name: &str, bytes: &[u8]) -> io::Result<Resp> {
        let base = upload_url.split('{').next().unwrap_or(upload_url);
        let name = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
        let auth = format!("Bearer {}", self.token);
        send_with(
            "POST",
            &format!("{base}?name={name}"),
            &[
                ("Authorization", &auth),
                ("Accept", "application/vnd.github+json"),
                ("Content-Type", "application/zip"),
            ],
            bytes,
        )
    }

    /// [`Client::raw_upload`], with the answer checked against the documented schema.
    pub fn upload(&self, upload_url: &str, name: &str, bytes: &[u8]) -> Resp {
        let resp = self
            .raw_upload(upload_url, name, bytes)
            .expect("the fake answers");
        self.checked(
            "POST",
            upload_url.split('{').next().unwrap_or(upload_url),
            resp,
        )
    }

    /// A GET with another `Accept` header (`application/octet-stream` for an asset's bytes),
    /// checked against the documented schema.
    pub fn get_accept(&self, path: &str, accept: &str) -> Resp {
        let auth = format!("Bearer {}", self.token);
        let resp = send_with(
            "GET",
            &self.url(path),
            &[("Authorization", &auth), ("Accept", accept)],
            &[],
        )
        .expect("the fake answers");
        self.checked("GET", path, resp)
    }

    /// Sends and checks the answer against the documented schema for its status.
    pub fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        let resp = self
            .raw(method, path, body)
            .map_err(|e| format!("{method} {path}: {e}"))
            .expect("the fake answers");
        self.checked(method, path, resp)
    }

    fn checked(&self, method: &str, path: &str, resp: Resp) -> Resp {
        let url = self.url(path);
        let (_, target) = split_url(&url);
        let only_path = target.split('?').next().unwrap_or_default().to_string();
        let checked =
            fake_github::validate_response_for_path(method, &only_path, resp.status, &resp.json())
                .map_err(|e| format!("{e}\nbody: {}", resp.text()));
        assert_eq!(checked, Ok(()), "{method} {path} answered {}", resp.status);
        resp
    }

    pub fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None)
    }

    pub fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(&body))
    }

    pub fn patch(&self, path: &str, body: Value) -> Resp {
        self.call("PATCH", path, Some(&body))
    }

    pub fn put(&self, path: &str, body: Value) -> Resp {
        self.call("PUT", path, Some(&body))
    }

    pub fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None)
    }
}
