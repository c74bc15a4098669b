//! A server that never stops paging, answers with 20 MB, redirects, or says 404 about a branch:
//! the client ends, says one bounded line, and names the right thing.

use crate::{Answer, serve, with_client};
use http::Method;
use std::sync::atomic::Ordering;
use tidegate_github::{Call, Error, MAX_PAGES};

const TOKEN: &str = "ghp_test_token_0123456789";
const LIST: Call = Call::on_repo("list pull requests", "pull-requests: read");

#[test]
fn a_next_link_to_an_empty_page_ends_the_list() {
    // The reported server: `[]` with a next link, for ever (1,362 requests in 60 s before).
    let (api, count) = serve(|api, target| {
        let page: usize = target
            .split("&page=")
            .nth(1)
            .and_then(|p| p.split('&').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or(1);
        let body = if page == 1 {
            r#"[{"number": 1}]"#
        } else {
            "[]"
        };
        Answer::json("200 OK", body).header(
            "link",
            &format!(
                "<{api}/repos/acme/widgets/pulls?per_page=100&page={}>; rel=\"next\"",
                page + 1
            ),
        )
    });
    let items = with_client(&api, TOKEN, async |gh| {
        gh.list_all(&gh.repo_path("/pulls"), LIST).await
    })
    .expect("a list");
    assert_eq!(items.len(), 1);
    assert_eq!(
        count.load(Ordering::SeqCst),
        2,
        "the first page and one empty page"
    );
}

#[test]
fn a_next_link_back_to_a_page_already_read_ends_the_list() {
    let (api, count) = serve(|api, _| {
        Answer::json("200 OK", r#"[{"number": 1}]"#).header(
            "link",
            &format!("<{api}/repos/acme/widgets/pulls?per_page=100&page=2>; rel=\"next\""),
        )
    });
    let items = with_client(&api, TOKEN, async |gh| {
        gh.list_all(&gh.repo_path("/pulls"), LIST).await
    })
    .expect("a list");
    assert_eq!(items.len(), 2, "page 1, then page 2 once");
    assert_eq!(count.load(Ordering::SeqCst), 2);
}

#[test]
fn pages_that_never_end_stop_at_the_cap_with_an_error() {
    let pages = std::sync::atomic::AtomicUsize::new(1);
    let (api, count) = serve(move |api, _| {
        // A new URL every time, and never an empty page.
        let next = pages.fetch_add(1, Ordering::SeqCst) + 1;
        Answer::json("200 OK", r#"[{"number": 1}]"#).header(
            "link",
            &format!("<{api}/repos/acme/widgets/pulls?per_page=100&page={next}>; rel=\"next\""),
        )
    });
    let error = with_client(&api, TOKEN, async |gh| {
        gh.list_all(&gh.repo_path("/pulls"), LIST).await
    })
    .expect_err("capped");
    assert!(
        error
            .to_string()
            .contains(&format!("after {MAX_PAGES} pages")),
        "{error}"
    );
    assert_eq!(error.exit_code(), 3);
    assert_eq!(count.load(Ordering::SeqCst), MAX_PAGES);
}

#[test]
fn a_huge_error_body_is_quoted_as_one_short_line() {
    let huge = format!(
        r#"{{"message": "Validation Failed\n{}"}}"#,
        "x".repeat(20 * 1024 * 1024)
    );
    let (api, _) = serve(move |_, _| Answer::json("422 Unprocessable Entity", &huge));
    let error = with_client(&api, "ghp_secret_token", async |gh| {
        gh.send(Method::GET, &gh.repo_path("/pulls"), None, LIST)
            .await
    })
    .expect_err("refused");
    let text = error.to_string();
    assert!(text.len() < 600, "{} bytes", text.len());
    assert!(!text.contains('\n'), "{text}");
    assert!(
        text.contains("Validation Failed\\nxxx") && text.contains("characters more"),
        "{text}"
    );
}

#[test]
fn a_token_echoed_in_a_huge_body_is_redacted_before_it_is_cut() {
    let token = "ghp_secret_token_0123456789";
    // The token straddles the cut: no prefix of it may survive.
    let body = format!(r#"{{"message": "{}{token}"}}"#, "y".repeat(290));
    let (api, _) = serve(move |_, _| Answer::json("422 Unprocessable Entity", &body));
    let error = with_client(&api, token, async |gh| {
        gh.send(Method::GET, &gh.repo_path("/pulls"), None, LIST)
            .await
    })
    .expect_err("refused");
    assert!(!error.to_string().contains("ghp_secret"), "{error}");
}

#[test]
fn a_redirect_says_where_to_and_what_to_check() {
    let (api, _) = serve(|_, _| {
        Answer::json(
            "301 Moved Permanently",
            r#"{"message": "Moved Permanently"}"#,
        )
        .header(
            "location",
            "https://u:pw@ghe.example/api/v3/repositories/42/pulls",
        )
    });
    let error = with_client(&api, TOKEN, async |gh| {
        gh.send(Method::GET, &gh.repo_path("/pulls"), None, LIST)
            .await
    })
    .expect_err("redirect");
    let text = error.to_string();
    assert!(matches!(error, Error::Redirected { .. }), "{text}");
    assert!(
        text.contains("redirect (301 Moved Permanently) to https://***@ghe.example/api/v3/repositories/42/pulls")
            && text.contains("--github-repo")
            && !text.contains("pw"),
        "{text}"
    );
    assert_eq!(error.exit_code(), 2);
}

#[test]
fn a_404_that_names_a_branch_is_not_a_missing_repository() {
    let (api, _) = serve(|_, target| {
        if target.ends_with("/merges") {
            Answer::json("404 Not Found", r#"{"message": "Base does not exist"}"#)
        } else {
            Answer::json("404 Not Found", r#"{"message": "Not Found"}"#)
        }
    });
    let error = with_client(&api, TOKEN, async |gh| {
        gh.merge("stable", "main", "m").await
    })
    .expect_err("404");
    let text = error.to_string();
    assert!(text.contains("Base does not exist"), "{text}");
    assert!(!text.contains("was not found"), "{text}");
    let error = with_client(&api, TOKEN, async |gh| {
        gh.send(Method::GET, &gh.repo_path("/pulls"), None, LIST)
            .await
    })
    .expect_err("404");
    assert!(matches!(error, Error::RepoNotFound(_)), "{error}");
}

#[test]
fn an_api_url_with_a_password_is_refused_without_showing_it() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    for url in [
        "http://u:pass@127.0.0.1:1/api/v3",
        "https://u:pass@ghe.example/api/v3",
        "http://u:pass@example.com",
    ] {
        let error = runtime.block_on(async {
            tidegate_github::GitHub::new(
                url,
                tidegate_github::Token::new("GITHUB_TOKEN", "t").expect("token"),
                tidegate_github::RepoId::parse("acme/widgets").expect("repo"),
                tidegate_github::RetryPolicy::default(),
            )
            .err()
            .expect("refused")
        });
        let text = error.to_string();
        assert!(!text.contains(":pass@"), "{text}");
        assert!(text.contains("***@"), "{text}");
        assert_eq!(error.exit_code(), 2);
    }
}
