//! Authentication, permissions, unknown things, request counting and contract violations.

use serde_json::json;

use crate::client::send;
use crate::support::{Fx, OWNER, REPO};

#[test]
fn the_token_looks_real_and_is_the_only_one_accepted() {
    let fx = Fx::new();
    let token = fx.fake.token();
    assert!(token.starts_with("ghs_") && token.len() == 40, "{token}");
    assert!(token[4..].chars().all(|c| c.is_ascii_alphanumeric()));
    assert_ne!(
        token,
        fake_github::FakeGitHub::start().token(),
        "unique per fake"
    );
    let url = format!("{}/repos/acme/widgets", fx.fake.api_url());
    for auth in [format!("token {token}"), format!("Bearer {token}")] {
        assert_eq!(
            send("GET", &url, Some(&auth), None)
                .expect("an answer")
                .status,
            200
        );
    }
    let bad_credentials = json!({
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    });
    for auth in [None, Some("Bearer ghs_wrong"), Some("Basic abc")] {
        let r = send("GET", &url, auth, None).expect("an answer");
        assert_eq!(r.status, 401);
        assert_eq!(r.json(), bad_credentials);
    }
}

#[test]
fn read_only_tokens_and_the_actions_setting_answer_403() {
    let fx = Fx::new();
    fx.fake.set_read_only_token(true);
    let create = json!({ "title": "t", "head": "main", "base": "stable" });
    let r = fx.c.post(&fx.p("/pulls"), create.clone());
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({
            "message": "Resource not accessible by integration",
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            "status": "403",
        })
    );
    assert_eq!(fx.c.get(&fx.p("/pulls")).status, 200, "reads still work");
    fx.fake.set_read_only_token(false);
    fx.fake.forbid_actions_pull_requests(true);
    let r = fx.c.post(&fx.p("/pulls"), create.clone());
    assert_eq!(r.status, 403);
    assert_eq!(
        r.json(),
        json!({
            "message": "GitHub Actions is not permitted to create or approve pull requests.",
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
            "status": "403",
        })
    );
    fx.fake.forbid_actions_pull_requests(false);
    assert_eq!(fx.c.post(&fx.p("/pulls"), create).status, 201);
    assert!(fx.fake.pulls(OWNER, REPO).len() == 1);
    fx.assert_no_violations();
}

#[test]
fn unknown_repositories_and_routes_are_404() {
    let fx = Fx::new();
    let r = fx.c.get("/repos/acme/nope/pulls");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({
            "message": "Not Found",
            "documentation_url": "https://docs.github.com/rest/pulls/pulls#list-pull-requests",
            "status": "404",
        })
    );
    assert_eq!(fx.c.get(&fx.p("/pulls/77")).status, 404);
    // Owner and name are case-insensitive, as on GitHub.
    assert_eq!(fx.c.get("/repos/ACME/Widgets").status, 200);
    fx.assert_no_violations();

    // `git/refs` (plural) is not a documented read: 404, and a contract violation.
    let r =
        fx.c.raw("GET", &fx.p("/git/refs"), None)
            .expect("an answer");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json(),
        json!({ "message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404" })
    );
    let violations = fx.fake.contract_violations();
    assert_eq!(violations.len(), 1);
    assert!(
        violations[0].contains("GET /repos/acme/widgets/git/refs"),
        "{violations:?}"
    );
}

#[test]
fn requests_that_break_the_request_schema_are_violations() {
    let fx = Fx::new();
    // Served anyway, but reported: a non-boolean `draft`, an unknown query parameter, a bad enum.
    let r = fx.c.raw(
        "POST",
        &fx.p("/pulls"),
        Some(&json!({ "title": "t", "head": "main", "base": "stable", "draft": "yes" })),
    );
    assert_eq!(r.expect("an answer").status, 201);
    fx.c.raw("GET", &fx.p("/pulls?status=open"), None)
        .expect("an answer");
    fx.c.raw("GET", &fx.p("/pulls?state=merged"), None)
        .expect("an answer");
    fx.c.raw("GET", &fx.p("/pulls?per_page=ten"), None)
        .expect("an answer");
    fx.c.raw(
        "PATCH",
        &fx.p("/pulls/1"),
        Some(&json!({ "state": "done" })),
    )
    .expect("an answer");
    // A body where none is documented, and a required body missing.
    fx.c.raw("POST", &fx.p("/git/refs"), None)
        .expect("an answer");
    let violations = fx.fake.contract_violations();
    let expect = [
        "POST /repos/{owner}/{repo}/pulls request body",
        "undocumented query parameter \"status\"",
        "query parameter state",
        "query parameter per_page",
        "PATCH /repos/{owner}/{repo}/pulls/{pull_number} request body",
        "POST /repos/{owner}/{repo}/git/refs requires a JSON body",
    ];
    assert_eq!(violations.len(), expect.len(), "{violations:#?}");
    for (v, e) in violations.iter().zip(expect) {
        assert!(v.contains(e), "{v:?} should mention {e:?}");
    }
    // Not JSON at all: GitHub's 400.
    let r = send(
        "POST",
        &format!("{}/repos/acme/widgets/pulls", fx.fake.api_url()),
        Some(&format!("token {}", fx.fake.token())),
        Some(b"{not json"),
    )
    .expect("an answer");
    assert_eq!(r.status, 400);
    assert_eq!(r.json()["message"], "Problems parsing JSON");
}

#[test]
fn requests_are_counted_by_documented_operation() {
    let fx = Fx::new();
    let number = fx.open_promotion();
    fx.c.get(&fx.p(&format!("/pulls/{number}")));
    fx.c.get(&fx.p("/pulls/2"));
    fx.c.get(&format!(
        "{}/repos/acme/widgets/pulls/{number}",
        fx.fake.web_url()
    ));
    fx.c.patch(&fx.p(&format!("/pulls/{number}")), json!({ "body": "x" }));
    fx.c.raw("GET", "/nowhere", None).expect("an answer");
    let counts = fx.fake.request_counts();
    let expected: std::collections::BTreeMap<String, usize> = [
        ("POST /repos/{owner}/{repo}/pulls", 1),
        ("GET /repos/{owner}/{repo}/pulls/{pull_number}", 3),
        ("PATCH /repos/{owner}/{repo}/pulls/{pull_number}", 1),
        ("GET /nowhere", 1),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    assert_eq!(counts, expected);
    assert_eq!(fx.fake.total_requests(), 6);
    fx.fake.reset_counts();
    assert!(fx.fake.request_counts().is_empty());
    assert_eq!(fx.fake.total_requests(), 0);
}
