//! Releases: drafts, reading by id, which release is "latest", and tag rulesets refusing ref
//! changes and release publishing as GitHub does.

use serde_json::{Value, json};

use crate::support::{Fx, OWNER, REPO};

fn create(fx: &Fx, body: Value) -> u64 {
    let r = fx.c.post(&fx.p("/releases"), body);
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()["id"].as_u64().expect("an id")
}

fn latest(fx: &Fx) -> Option<String> {
    fx.fake.latest_release(OWNER, REPO)
}

#[test]
fn drafts_are_listed_newest_first_and_read_by_id_not_by_tag() {
    let fx = Fx::new();
    create(&fx, json!({ "tag_name": "v1.0.0" }));
    let draft = create(&fx, json!({ "tag_name": "v1.1.0", "draft": true }));
    let listed: Vec<Value> =
        fx.c.get(&fx.p("/releases"))
            .json()
            .as_array()
            .cloned()
            .unwrap_or_default();
    let tags: Vec<&Value> = listed.iter().map(|r| &r["tag_name"]).collect();
    assert_eq!(tags, [&json!("v1.1.0"), &json!("v1.0.0")]);
    assert_eq!(listed[0]["draft"], true);
    let by_id = fx.c.get(&fx.p(&format!("/releases/{draft}")));
    assert_eq!(by_id.json()["draft"], true);
    assert_eq!(fx.c.get(&fx.p("/releases/tags/v1.1.0")).status, 404);
    assert_eq!(fx.c.get(&fx.p("/releases/999999999")).status, 404);
    fx.assert_no_violations();
}

#[test]
fn latest_follows_make_latest_and_the_legacy_rule() {
    let fx = Fx::new();
    assert_eq!(latest(&fx), None);
    create(&fx, json!({ "tag_name": "v1.0.0" }));
    assert_eq!(
        latest(&fx).as_deref(),
        Some("v1.0.0"),
        "published releases default to latest"
    );
    create(&fx, json!({ "tag_name": "v1.1.0", "make_latest": "false" }));
    assert_eq!(latest(&fx).as_deref(), Some("v1.0.0"));
    create(
        &fx,
        json!({ "tag_name": "v1.2.0-rc.1", "prerelease": true, "make_latest": "true" }),
    );
    assert_eq!(
        latest(&fx).as_deref(),
        Some("v1.0.0"),
        "prereleases are never latest"
    );
    // Legacy: same commit everywhere, so the higher version wins (a backport does not).
    create(
        &fx,
        json!({ "tag_name": "v0.9.1", "make_latest": "legacy" }),
    );
    assert_eq!(latest(&fx).as_deref(), Some("v1.1.0"));
    let snapshot: Vec<(String, bool)> = fx
        .fake
        .releases(OWNER, REPO)
        .into_iter()
        .map(|r| (r.tag_name, r.latest))
        .collect();
    assert_eq!(
        snapshot,
        [
            ("v1.0.0".to_string(), false),
            ("v1.1.0".to_string(), true),
            ("v1.2.0-rc.1".to_string(), false),
            ("v0.9.1".to_string(), false),
        ]
    );
    // A draft is not latest until published; publishing applies the default `true`.
    let draft = create(&fx, json!({ "tag_name": "v2.0.0", "draft": true }));
    assert_eq!(latest(&fx).as_deref(), Some("v1.1.0"));
    assert!(fx.fake.tag_sha(OWNER, REPO, "v2.0.0").is_none());
    let published = fx.c.patch(
        &fx.p(&format!("/releases/{draft}")),
        json!({ "draft": false }),
    );
    assert_eq!(published.status, 200);
    assert_eq!(latest(&fx).as_deref(), Some("v2.0.0"));
    assert_eq!(
        fx.fake.tag_sha(OWNER, REPO, "v2.0.0").as_deref(),
        Some(fx.main.as_str())
    );
    // Editing a published release changes latest only when asked.
    let v1 = fx.c.get(&fx.p("/releases/tags/v1.0.0")).json()["id"]
        .as_u64()
        .expect("an id");
    fx.c.patch(
        &fx.p(&format!("/releases/{v1}")),
        json!({ "body": "notes" }),
    );
    assert_eq!(latest(&fx).as_deref(), Some("v2.0.0"));
    fx.c.patch(
        &fx.p(&format!("/releases/{v1}")),
        json!({ "make_latest": "true" }),
    );
    assert_eq!(latest(&fx).as_deref(), Some("v1.0.0"));
    fx.assert_no_violations();
}

#[test]
fn a_draft_published_later_keeps_its_make_latest_false() {
    let fx = Fx::new();
    create(&fx, json!({ "tag_name": "v2.0.0" }));
    let backport = create(
        &fx,
        json!({ "tag_name": "v1.9.9", "draft": true, "make_latest": "false" }),
    );
    fx.c.patch(
        &fx.p(&format!("/releases/{backport}")),
        json!({ "draft": false }),
    );
    assert_eq!(latest(&fx).as_deref(), Some("v2.0.0"));
    fx.assert_no_violations();
}

fn rule_violation(rule: &str, anchor: &str) -> Value {
    json!({
        "message": format!("Repository rule violations found\n\n{rule}\n\n"),
        "documentation_url": format!("https://docs.github.com/rest/git/refs#{anchor}"),
        "status": "422",
    })
}

#[test]
fn tag_rules_refuse_creating_moving_and_deleting_matching_tags() {
    let fx = Fx::new();
    let refs = fx.p("/git/refs");
    fx.c.post(&refs, json!({ "ref": "refs/tags/v1.0.0", "sha": fx.first }));
    fx.fake.protect_tags(OWNER, REPO, "v*");

    let create =
        fx.c.post(&refs, json!({ "ref": "refs/tags/v1.1.0", "sha": fx.main }));
    assert_eq!(create.status, 422);
    assert_eq!(
        create.json(),
        rule_violation(
            "Cannot create ref due to creations being restricted.",
            "create-a-reference"
        )
    );
    assert!(fx.fake.tag_sha(OWNER, REPO, "v1.1.0").is_none());
    let moved = fx.c.patch(
        &fx.p("/git/refs/tags/v1.0.0"),
        json!({ "sha": fx.main, "force": true }),
    );
    assert_eq!(
        moved.json(),
        rule_violation("Cannot update this protected ref.", "update-a-reference")
    );
    let deleted = fx.c.delete(&fx.p("/git/refs/tags/v1.0.0"));
    assert_eq!(
        deleted.json(),
        rule_violation("Cannot delete this protected ref.", "delete-a-reference")
    );
    assert_eq!(
        fx.fake.tag_sha(OWNER, REPO, "v1.0.0").as_deref(),
        Some(fx.first.as_str())
    );
    // Other tags and branches are not covered.
    assert_eq!(
        fx.c.post(&refs, json!({ "ref": "refs/tags/nightly", "sha": fx.main }))
            .status,
        201
    );
    assert_eq!(
        fx.c.post(&refs, json!({ "ref": "refs/heads/v2", "sha": fx.main }))
            .status,
        201
    );
    fx.assert_no_violations();
}

#[test]
fn tag_rules_refuse_publishing_a_release_that_would_create_the_tag() {
    let fx = Fx::new();
    fx.c.post(
        &fx.p("/git/refs"),
        json!({ "ref": "refs/tags/v1.0.0", "sha": fx.first }),
    );
    fx.fake.protect_tags(OWNER, REPO, "refs/tags/v*");
    let refused =
        fx.c.post(&fx.p("/releases"), json!({ "tag_name": "v1.1.0" }));
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["errors"],
        json!([{
            "resource": "Release",
            "code": "custom",
            "field": "pre_receive",
            "message": "pre_receive Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n",
        }])
    );
    assert!(
        fx.fake.releases(OWNER, REPO).is_empty(),
        "nothing half-written"
    );
    // A draft needs no tag; publishing it does, and is refused the same way.
    let draft = create(&fx, json!({ "tag_name": "v1.1.0", "draft": true }));
    let publish = fx.c.patch(
        &fx.p(&format!("/releases/{draft}")),
        json!({ "draft": false }),
    );
    assert_eq!(publish.status, 422);
    assert_eq!(publish.json()["errors"][0]["field"], "pre_receive");
    assert!(fx.fake.releases(OWNER, REPO)[0].draft);
    // A release of an existing tag creates no ref, so no rule applies.
    create(&fx, json!({ "tag_name": "v1.0.0" }));
    assert_eq!(latest(&fx).as_deref(), Some("v1.0.0"));
    fx.assert_no_violations();
}
