//! Faults: deterministic per seed; 502/429/403 with GitHub's bodies and `retry-after`; writes
//! applied and then answered by a dropped connection.

use std::time::{Duration, Instant};

use fake_github::Faults;
use serde_json::json;

use crate::support::{Fx, OWNER, REPO};

/// Status codes of `n` reads of the repository.
fn statuses(fx: &Fx, n: usize) -> Vec<u16> {
    (0..n)
        .map(|_| fx.c.raw("GET", &fx.p(""), None).expect("an answer").status)
        .collect()
}

fn half_faulty(seed: u64) -> Faults {
    Faults {
        seed,
        rate: 0.5,
        retry_after_secs: 0,
        ..Faults::default()
    }
}

#[test]
fn faults_are_deterministic_per_seed() {
    let fx = Fx::new();
    fx.fake.set_faults(half_faulty(42));
    let first = statuses(&fx, 60);
    fx.fake.set_faults(half_faulty(42));
    let second = statuses(&fx, 60);
    assert_eq!(first, second);
    fx.fake.set_faults(half_faulty(7));
    assert_ne!(statuses(&fx, 60), first, "another seed, another sequence");
    for code in [200, 502, 429, 403] {
        assert!(first.contains(&code), "{code} missing from {first:?}");
    }
    let served = first.iter().filter(|s| **s == 200).count();
    assert!(
        (15..=45).contains(&served),
        "{served} of 60 served at rate 0.5"
    );
    // Faulted requests are counted under their operation.
    assert_eq!(
        fx.fake.request_counts().get("GET /repos/{owner}/{repo}"),
        Some(&180)
    );
    fx.assert_no_violations();
}

#[test]
fn fault_bodies_and_headers_are_github_s() {
    let fx = Fx::new();
    fx.fake.set_faults(Faults {
        seed: 1,
        rate: 1.0,
        retry_after_secs: 3,
        ..Faults::default()
    });
    let mut seen = std::collections::BTreeSet::new();
    for _ in 0..40 {
        let r = fx.c.raw("GET", &fx.p("/pulls"), None).expect("an answer");
        match r.status {
            502 => {
                if r.header("content-type")
                    .is_some_and(|c| c.starts_with("text/html"))
                {
                    assert!(r.text().contains("Unicorn!"));
                    seen.insert("502 html");
                } else {
                    assert_eq!(r.json()["message"], "Server Error");
                    seen.insert("502 json");
                }
                assert_eq!(r.header("retry-after"), None);
            }
            429 | 403 => {
                assert_eq!(r.header("retry-after"), Some("3"));
                let body = r.json();
                let message = body["message"].as_str().unwrap_or_default();
                assert!(
                    message.starts_with(
                        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
                    ),
                    "{message}"
                );
                assert!(
                    body["documentation_url"]
                        .as_str()
                        .is_some_and(|u| u.ends_with("#about-secondary-rate-limits"))
                );
                // The shape of basic-error, as GitHub documents its 403s.
                assert_eq!(
                    fake_github::validate_response("GET", "/repos/{owner}/{repo}", 403, &body),
                    Ok(())
                );
                seen.insert(if r.status == 429 { "429" } else { "403" });
            }
            other => assert_eq!(other, 0, "unexpected status"),
        }
    }
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[test]
fn delay_is_added_to_every_answer() {
    let fx = Fx::new();
    fx.fake.set_faults(Faults {
        delay: Duration::from_millis(150),
        ..Faults::default()
    });
    let started = Instant::now();
    assert_eq!(fx.c.get(&fx.p("")).status, 200);
    assert!(started.elapsed() >= Duration::from_millis(150));
}

#[test]
fn a_dropped_write_is_still_applied() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    fx.fake.set_faults(Faults {
        drop_after_write: 1.0,
        ..Faults::default()
    });
    let comment = fx.c.raw(
        "POST",
        &fx.p(&format!("/issues/{number}/comments")),
        Some(&json!({ "body": "sent once" })),
    );
    assert!(comment.is_err(), "no answer: {comment:?}");
    let bodies: Vec<String> = fx
        .fake
        .comments(OWNER, REPO, number)
        .into_iter()
        .map(|c| c.body)
        .collect();
    assert_eq!(bodies, vec!["sent once"]);
    // Reads are never dropped.
    assert_eq!(fx.c.get(&fx.p(&format!("/pulls/{number}"))).status, 200);
    // A careless retry of a create duplicates; a PR create is refused as already existing.
    fx.fake.create_branch(OWNER, REPO, "topic", &fx.main);
    let create = || {
        fx.c.raw(
            "POST",
            &fx.p("/pulls"),
            Some(&json!({ "title": "t", "head": "topic", "base": "stable" })),
        )
    };
    assert!(create().is_err());
    fx.fake.set_faults(Faults::default());
    let retry = create().expect("an answer");
    assert_eq!(retry.status, 422);
    assert_eq!(
        retry.json()["errors"][0]["message"],
        "A pull request already exists for acme:topic."
    );
    assert_eq!(fx.fake.pulls(OWNER, REPO).len(), 2);
    fx.assert_no_violations();
}

#[test]
fn dropping_follows_the_seed() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    let run = |seed| {
        fx.fake.set_faults(Faults {
            seed,
            drop_after_write: 0.5,
            ..Faults::default()
        });
        (0..20)
            .map(|i| {
                fx.c.raw(
                    "POST",
                    &fx.p(&format!("/issues/{number}/comments")),
                    Some(&json!({ "body": format!("{i}") })),
                )
                .is_ok()
            })
            .collect::<Vec<bool>>()
    };
    let a = run(9);
    let b = run(9);
    assert_eq!(a, b);
    assert!(a.contains(&true) && a.contains(&false), "{a:?}");
    assert_eq!(
        fx.fake.comments(OWNER, REPO, number).len(),
        40,
        "every write applied"
    );
}

#[test]
fn dropped_creates_of_git_objects_refs_and_releases_are_applied() {
    let fx = Fx::new();
    fx.fake.set_faults(Faults {
        drop_after_write: 1.0,
        ..Faults::default()
    });
    let send = |path: &str, body: serde_json::Value| {
        let r = fx.c.raw("POST", &fx.p(path), Some(&body));
        assert!(r.is_err(), "{path}: no answer: {r:?}");
    };
    send("/git/blobs", json!({ "content": "hello\n" }));
    send(
        "/git/refs",
        json!({ "ref": "refs/tags/v1.0.0", "sha": fx.main }),
    );
    send("/releases", json!({ "tag_name": "v1.0.0" }));
    fx.fake.set_faults(Faults::default());
    // The blob is there: a tree can use it.
    let tree = fx.c.post(
        &fx.p("/git/trees"),
        json!({ "tree": [{ "path": "hello", "mode": "100644", "type": "blob", "sha": "ce013625030ba8dba906f756967f9e9ca394464a" }] }),
    );
    assert_eq!(tree.status, 201);
    assert_eq!(
        fx.fake.tag_sha(OWNER, REPO, "v1.0.0").as_deref(),
        Some(fx.main.as_str())
    );
    assert_eq!(fx.fake.releases(OWNER, REPO).len(), 1);
    fx.assert_no_violations();
}
