//! `per_page` (default 30, at most 100) and RFC 5988 `Link` headers that reach every item.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::support::{Fx, OWNER, REPO};

/// `<url>; rel="next", ...` as rel → URL.
fn links(header: Option<&str>) -> BTreeMap<String, String> {
    header
        .unwrap_or_default()
        .split(',')
        .filter_map(|part| {
            let (url, rel) = part.split_once(';')?;
            let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
            let rel = rel.trim().strip_prefix("rel=\"")?.strip_suffix('"')?;
            Some((rel.to_string(), url.to_string()))
        })
        .collect()
}

fn numbers(v: &Value) -> Vec<u64> {
    v.as_array()
        .map(|a| a.iter().filter_map(|p| p["number"].as_u64()).collect())
        .unwrap_or_default()
}

#[test]
fn per_page_is_capped_and_links_reach_every_item() {
    let fx = Fx::new();
    for i in 0..250 {
        fx.fake
            .add_issue(OWNER, REPO, &format!("issue {i}"), &["bulk"]);
    }
    let default = fx.c.get(&fx.p("/issues?labels=bulk"));
    assert_eq!(numbers(&default.json()).len(), 30);

    let first = fx.c.get(&fx.p("/issues?labels=bulk&per_page=500"));
    assert_eq!(
        numbers(&first.json()).len(),
        100,
        "per_page is capped at 100"
    );
    let rels = links(first.header("link"));
    assert_eq!(rels.keys().collect::<Vec<_>>(), vec!["last", "next"]);
    let api = fx.fake.api_url();
    assert!(
        rels["next"].starts_with(&format!("{api}/repos/acme/widgets/issues?")),
        "{rels:?}"
    );
    assert!(
        rels["next"].contains("labels=bulk") && rels["next"].ends_with("page=2"),
        "{rels:?}"
    );
    assert!(rels["last"].ends_with("page=3"), "{rels:?}");

    // Following `next` yields every issue exactly once, newest first.
    let mut seen = numbers(&first.json());
    let mut next = rels.get("next").cloned();
    let mut pages = 1;
    while let Some(url) = next {
        let page = fx.c.get(&url);
        seen.extend(numbers(&page.json()));
        let rels = links(page.header("link"));
        assert!(
            rels.contains_key("prev") && rels.contains_key("first"),
            "{rels:?}"
        );
        next = rels.get("next").cloned();
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, (1..=250).rev().collect::<Vec<u64>>());

    // Past the end: an empty page that still links back.
    let beyond = fx.c.get(&fx.p("/issues?labels=bulk&per_page=100&page=9"));
    assert_eq!(beyond.json(), json!([]));
    assert!(links(beyond.header("link")).contains_key("first"));
    fx.assert_no_violations();
}

#[test]
fn pulls_page_too() {
    let fx = Fx::new();
    let mut opened = Vec::new();
    for i in 0..5 {
        let branch = format!("topic-{i}");
        fx.fake.create_branch(OWNER, REPO, &branch, &fx.first);
        fx.fake
            .commit_file(OWNER, REPO, &branch, "t.txt", &format!("{i}\n"), "feat: t");
        let r = fx.c.post(
            &fx.p("/pulls"),
            json!({ "title": branch, "head": branch, "base": "stable" }),
        );
        opened.push(r.json()["number"].as_u64().expect("a number"));
    }
    let mut seen = Vec::new();
    let mut url = Some(fx.p("/pulls?per_page=2"));
    while let Some(u) = url {
        let page = fx.c.get(&u);
        seen.extend(numbers(&page.json()));
        url = links(page.header("link")).get("next").cloned();
    }
    opened.reverse();
    assert_eq!(seen, opened);
    // A single page has no Link header.
    assert!(fx.c.get(&fx.p("/pulls")).header("link").is_none());
    fx.assert_no_violations();
}

#[test]
fn compare_and_pull_commits_stop_at_250() {
    let fx = Fx::new();
    fx.fake.create_branch(OWNER, REPO, "long", &fx.main);
    for i in 0..260 {
        fx.fake.commit_file(
            OWNER,
            REPO,
            "long",
            "n.txt",
            &format!("{i}\n"),
            &format!("feat: {i}"),
        );
    }
    let cmp = fx.c.get(&fx.p("/compare/main...long")).json();
    assert_eq!(cmp["total_commits"], 260);
    assert_eq!(cmp["ahead_by"], 260);
    let commits = cmp["commits"].as_array().map(Vec::len);
    assert_eq!(commits, Some(250), "GitHub lists at most 250 commits");
    assert_eq!(
        cmp["commits"][0]["commit"]["message"], "feat: 0",
        "oldest first"
    );
    let r = fx.c.post(
        &fx.p("/pulls"),
        json!({ "title": "long", "head": "long", "base": "main" }),
    );
    let number = r.json()["number"].as_u64().expect("a number");
    assert_eq!(r.json()["commits"], 260);
    let mut listed = 0;
    let mut url = Some(fx.p(&format!("/pulls/{number}/commits?per_page=100")));
    while let Some(u) = url {
        let page = fx.c.get(&u);
        listed += page.json().as_array().map(Vec::len).unwrap_or(0);
        url = links(page.header("link")).get("next").cloned();
    }
    assert_eq!(listed, 250);
    fx.assert_no_violations();
}
