//! The client against a server that misbehaves in ways the fake GitHub does not: pages that never
//! end, huge error bodies, redirects. A canned HTTP/1.1 server on a local port answers each
//! request with what the test's function returns, and counts the requests.

mod assets;
mod gates;
mod misbehaving;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One canned answer: status line, extra headers, body.
pub struct Answer {
    pub status: &'static str,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(status: &'static str, body: &str) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.to_string(), value.to_string()));
        self
    }
}

/// A server answering every request (`path?query`) with `answer`; returns its API URL and the
/// request counter.
pub fn serve(
    answer: impl Fn(&str, &str) -> Answer + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!(
        "http://127.0.0.1:{}/api/v3",
        listener.local_addr().expect("addr").port()
    );
    let count = Arc::new(AtomicUsize::new(0));
    let (counter, api) = (Arc::clone(&count), base.clone());
    let answer = Arc::new(answer);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let (counter, api, answer) = (Arc::clone(&counter), api.clone(), Arc::clone(&answer));
            // One thread per connection: a client's idle keep-alive connection blocks no other.
            std::thread::spawn(move || {
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                loop {
                    let mut request_line = String::new();
                    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
                        break;
                    }
                    let mut length = 0;
                    loop {
                        let mut line = String::new();
                        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                            break;
                        }
                        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                            length = v.trim().parse().unwrap_or(0);
                        }
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    counter.fetch_add(1, Ordering::SeqCst);
                    let target = request_line.split(' ').nth(1).unwrap_or("/").to_string();
                    let answer = answer(&api, &target);
                    let mut head = format!(
                        "HTTP/1.1 {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
                        answer.status,
                        answer.body.len()
                    );
                    for (name, value) in &answer.headers {
                        head.push_str(&format!("{name}: {value}\r\n"));
                    }
                    head.push_str("\r\n");
                    // One write: a head and body in two segments meet the peer's delayed ACK.
                    head.push_str(&answer.body);
                    if stream.write_all(head.as_bytes()).is_err() {
                        break;
                    }
                }
            });
        }
    });
    (base, count)
}

/// A client for `acme/widgets` at `api_url`, run on a current-thread runtime.
pub fn with_client<T>(
    api_url: &str,
    token: &str,
    body: impl AsyncFnOnce(&tidegate_github::GitHub) -> T,
) -> T {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let token = tidegate_github::Token::new("GITHUB_TOKEN", token).expect("token");
        let client = tidegate_github::GitHub::new(
            api_url,
            token,
            tidegate_github::RepoId::parse("acme/widgets").expect("repo"),
            tidegate_github::RetryPolicy {
                base_delay: std::time::Duration::from_millis(1),
                ..tidegate_github::RetryPolicy::default()
            },
        )
        .expect("client");
        body(&client).await
    })
}
