//! Release assets: uploads streamed to disk with GitHub's digest, renamed names, unique names,
//! the download redirect to a storage host that takes no token, interrupted uploads, dropped
//! answers, and immutable releases.

use fake_github::Faults;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::client::send_with;
use crate::support::{Fx, OWNER, REPO};

fn sha256(bytes: &[u8]) -> String {
    let hex: String = Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256:{hex}")
}

/// A release of `tag` (a draft unless `draft` is false); returns its JSON.
fn release(fx: &Fx, tag: &str, draft: bool) -> Value {
    let r = fx.c.post(
        &fx.p("/releases"),
        json!({ "tag_name": tag, "draft": draft }),
    );
    assert_eq!(r.status, 201, "{}", r.text());
    r.json()
}

fn upload_url(release: &Value) -> String {
    release["upload_url"]
        .as_str()
        .expect("an upload_url")
        .to_string()
}

#[test]
fn assets_are_uploaded_listed_downloaded_and_deleted_as_documented() {
    let fx = Fx::new();
    let rel = release(&fx, "v1.0.0", true);
    let id = rel["id"].as_u64().expect("an id");
    let bytes: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();

    let up =
        fx.c.upload(&upload_url(&rel), "widgets (linux) 1.0.zip", &bytes);
    assert_eq!(up.status, 201, "{}", up.text());
    let asset = up.json();
    assert_eq!(
        asset["name"], "widgets.linux.1.0.zip",
        "renamed as GitHub does"
    );
    assert_eq!(asset["size"], bytes.len());
    assert_eq!(asset["state"], "uploaded");
    assert_eq!(asset["content_type"], "application/zip");
    assert_eq!(asset["digest"], sha256(&bytes).as_str());
    let asset_id = asset["id"].as_u64().expect("an id");

    // The release and the asset list show it; the asset reads by id.
    let shown = fx.c.get(&fx.p(&format!("/releases/{id}"))).json();
    assert_eq!(shown["assets"][0]["id"], asset_id);
    let listed = fx.c.get(&fx.p(&format!("/releases/{id}/assets"))).json();
    assert_eq!(listed.as_array().map(Vec::len), Some(1));
    let read = fx.c.get(&fx.p(&format!("/releases/assets/{asset_id}")));
    assert_eq!(read.json()["digest"], sha256(&bytes).as_str());

    // The bytes: a 302 to the storage host, which answers without a token and refuses one.
    let redirect = fx.c.get_accept(
        &fx.p(&format!("/releases/assets/{asset_id}")),
        "application/octet-stream",
    );
    assert_eq!(redirect.status, 302);
    let location = redirect.header("location").expect("a location").to_string();
    assert!(
        !location.starts_with(&fx.fake.web_url()),
        "another host: {location}"
    );
    let stored = send_with("GET", &location, &[], &[]).expect("storage answers");
    assert_eq!(stored.status, 200);
    assert!(
        stored.body == bytes,
        "the downloaded bytes are the uploaded ones"
    );
    let auth = format!("Bearer {}", fx.fake.token());
    let with_token =
        send_with("GET", &location, &[("Authorization", &auth)], &[]).expect("storage answers");
    assert_eq!(with_token.status, 400);

    // A name is unique per release (compared after renaming).
    let again =
        fx.c.upload(&upload_url(&rel), "widgets.linux.1.0.zip", b"other");
    assert_eq!(again.status, 422);
    assert_eq!(again.json()["errors"][0]["code"], "already_exists");
    assert_eq!(again.json()["errors"][0]["resource"], "ReleaseAsset");

    let snapshot = fx.fake.release_assets(OWNER, REPO, "v1.0.0");
    assert_eq!(snapshot.len(), 1);
    assert_eq!(snapshot[0].digest.as_deref(), Some(sha256(&bytes).as_str()));
    assert!(
        fx.fake
            .asset_bytes(OWNER, REPO, "v1.0.0", "widgets.linux.1.0.zip")
            .is_some_and(|b| b == bytes)
    );

    let path = fx.p(&format!("/releases/assets/{asset_id}"));
    assert_eq!(fx.c.delete(&path).status, 204);
    assert_eq!(fx.c.delete(&path).status, 404);
    assert_eq!(fx.c.get(&path).status, 404);
    assert!(fx.fake.release_assets(OWNER, REPO, "v1.0.0").is_empty());
    let gone = send_with("GET", &location, &[], &[]).expect("storage answers");
    assert_eq!(gone.status, 404);
    fx.assert_no_violations();
}

#[test]
fn an_interrupted_upload_holds_its_name_until_deleted() {
    let fx = Fx::new();
    let rel = release(&fx, "v1.0.0", true);
    let failed = fx
        .fake
        .add_failed_upload(OWNER, REPO, "v1.0.0", "widgets.tar.gz");
    let listed = fx.c.get(&fx.p(&format!("/releases/{}/assets", rel["id"])));
    assert_eq!(listed.json()[0]["state"], "open");
    assert_eq!(listed.json()[0]["digest"], Value::Null);
    assert_eq!(
        fx.c.upload(&upload_url(&rel), "widgets.tar.gz", b"data")
            .status,
        422
    );
    let path = fx.p(&format!("/releases/assets/{failed}"));
    assert_eq!(fx.c.delete(&path).status, 204);
    assert_eq!(
        fx.c.upload(&upload_url(&rel), "widgets.tar.gz", b"data")
            .status,
        201
    );
    fx.assert_no_violations();
}

#[test]
fn a_dropped_upload_answer_leaves_one_stored_asset() {
    let fx = Fx::new();
    let rel = release(&fx, "v1.0.0", true);
    fx.fake.set_faults(Faults {
        drop_after_write: 1.0,
        ..Faults::default()
    });
    let lost = fx.c.raw_upload(&upload_url(&rel), "a.bin", b"bytes");
    assert!(lost.is_err(), "no answer: {lost:?}");
    // The retry is refused (a refusal is answered), and one asset is there.
    let retry = fx.c.upload(&upload_url(&rel), "a.bin", b"bytes");
    assert_eq!(retry.status, 422);
    let assets = fx.fake.release_assets(OWNER, REPO, "v1.0.0");
    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].digest.as_deref(), Some(sha256(b"bytes").as_str()));
    let counts = fx.fake.request_counts();
    assert_eq!(
        counts.get("POST /repos/{owner}/{repo}/releases/{release_id}/assets"),
        Some(&2)
    );
    fx.assert_no_violations();
}

#[test]
fn immutable_releases_freeze_their_assets_once_published() {
    let fx = Fx::new();
    let before = release(&fx, "v0.9.0", false);
    fx.fake.set_immutable_releases(OWNER, REPO, true);
    let rel = release(&fx, "v1.0.0", true);
    let id = rel["id"].as_u64().expect("an id");
    let up = fx.c.upload(&upload_url(&rel), "a.bin", b"a");
    assert_eq!(up.status, 201, "a draft takes uploads");
    let asset = up.json()["id"].as_u64().expect("an id");
    let published =
        fx.c.patch(&fx.p(&format!("/releases/{id}")), json!({ "draft": false }));
    assert_eq!(published.json()["immutable"], true);

    let refused = fx.c.upload(&upload_url(&rel), "b.bin", b"b");
    assert_eq!(refused.status, 422);
    assert_eq!(
        refused.json()["message"],
        "Cannot upload assets to an immutable release."
    );
    let path = fx.p(&format!("/releases/assets/{asset}"));
    assert_eq!(fx.c.delete(&path).status, 422);
    let retag = fx.c.patch(
        &fx.p(&format!("/releases/{id}")),
        json!({ "tag_name": "v1.0.1" }),
    );
    assert_eq!(retag.status, 422);
    let notes = fx.c.patch(
        &fx.p(&format!("/releases/{id}")),
        json!({ "body": "better notes", "name": "One" }),
    );
    assert_eq!(notes.status, 200, "title and notes still change");
    assert_eq!(fx.fake.release_assets(OWNER, REPO, "v1.0.0").len(), 1);
    assert!(
        fx.fake
            .releases(OWNER, REPO)
            .iter()
            .any(|r| r.tag_name == "v1.0.0" && r.immutable)
    );

    // Published before the setting: not immutable.
    assert_eq!(before["immutable"], false);
    let old = fx.c.upload(&upload_url(&before), "late.bin", b"late");
    assert_eq!(old.status, 201);
    fx.assert_no_violations();
}

#[test]
fn uploads_larger_than_the_json_body_limit_are_stored_whole() {
    let fx = Fx::new();
    let rel = release(&fx, "v1.0.0", true);
    // Over the 64 MB that other requests' bodies may take.
    let bytes: Vec<u8> = (0..70 * 1024 * 1024u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8)
        .collect();
    let up = fx.c.upload(&upload_url(&rel), "big.bin", &bytes);
    assert_eq!(up.status, 201, "{}", up.text());
    assert_eq!(up.json()["size"], bytes.len());
    assert_eq!(up.json()["digest"], sha256(&bytes).as_str());
    fx.assert_no_violations();
}
