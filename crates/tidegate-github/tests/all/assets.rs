//! Release assets against the fake GitHub: streamed uploads and downloads checked by digest,
//! names already there, lost answers, immutable releases, publishing a draft, and the token kept
//! out of every error.

use std::path::Path;

use fake_github::{FakeGitHub, Faults};
use sha2::{Digest, Sha256};
use tidegate_github::assets::{ReleaseUpdate, Uploaded};
use tidegate_github::releases::{NewRelease, Release};

use crate::{Answer, serve, with_client};

const OWNER: &str = "acme";
const REPO: &str = "widgets";

fn fake() -> FakeGitHub {
    let fake = FakeGitHub::start();
    fake.create_repo(OWNER, REPO);
    fake.commit_file(
        OWNER,
        REPO,
        "main",
        "README.md",
        "# Widgets\n",
        "chore: start",
    );
    fake
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A file of `len` bytes that are not all alike.
fn write_file(path: &Path, len: usize) -> Vec<u8> {
    let bytes: Vec<u8> = (0..len)
        .map(|i| (i as u32).wrapping_mul(2_654_435_761).rotate_left(7) as u8)
        .collect();
    std::fs::write(path, &bytes).expect("write the file");
    bytes
}

async fn draft(gh: &tidegate_github::GitHub, tag: &str) -> Release {
    gh.create_release(&NewRelease {
        tag,
        target: "main",
        name: tag,
        body: "notes",
        draft: true,
        prerelease: false,
        make_latest: true,
    })
    .await
    .expect("the draft is created")
    .0
}

fn created(uploaded: Uploaded) -> tidegate_github::assets::Asset {
    match uploaded {
        Uploaded::Created(asset) => Some(asset),
        Uploaded::AlreadyThere(_) => None,
    }
    .expect("a new asset, not one already there")
}

fn already_there(uploaded: Uploaded) -> tidegate_github::assets::Asset {
    match uploaded {
        Uploaded::AlreadyThere(asset) => Some(asset),
        Uploaded::Created(_) => None,
    }
    .expect("the asset already there, not a new one")
}

#[test]
fn assets_upload_list_download_delete_and_the_draft_is_published() {
    let fake = fake();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("widgets-1.0.0.tar.gz");
    let bytes = write_file(&file, 5 * 1024 * 1024 + 17);
    let back = dir.path().join("out").join("copy.tar.gz");
    std::fs::create_dir_all(back.parent().expect("parent")).expect("mkdir");
    with_client(&fake.api_url(), &fake.token(), async |gh| {
        let release = draft(gh, "v1.0.0").await;
        let asset = created(
            gh.upload_asset(
                &release,
                "widgets-1.0.0.tar.gz",
                &file,
                Some("application/gzip"),
            )
            .await
            .expect("uploaded"),
        );
        assert_eq!(asset.name, "widgets-1.0.0.tar.gz");
        assert_eq!(asset.size, bytes.len() as u64);
        assert!(asset.is_uploaded());
        assert_eq!(asset.content_type, "application/gzip");
        assert_eq!(asset.sha256(), Some(sha256_hex(&bytes)));

        let listed = gh.list_assets(release.id).await.expect("listed");
        assert_eq!(listed, vec![asset.clone()]);

        let size = gh
            .download_asset(asset.id, &back)
            .await
            .expect("downloaded");
        assert_eq!(size, bytes.len() as u64);
        assert!(std::fs::read(&back).expect("read back") == bytes);
        let beside: Vec<_> = std::fs::read_dir(back.parent().expect("parent"))
            .expect("list")
            .collect();
        assert_eq!(
            beside.len(),
            1,
            "no temporary file left beside the download"
        );

        let published = gh
            .update_release(
                release.id,
                &ReleaseUpdate {
                    draft: Some(false),
                    ..ReleaseUpdate::default()
                },
            )
            .await
            .expect("published");
        assert!(!published.draft);
        assert_eq!(published.assets.len(), 1);

        gh.delete_asset(asset.id).await.expect("deleted");
        gh.delete_asset(asset.id)
            .await
            .expect("deleting again is fine");
        assert!(gh.list_assets(release.id).await.expect("listed").is_empty());
    });
    assert_eq!(fake.latest_release(OWNER, REPO).as_deref(), Some("v1.0.0"));
    assert_eq!(
        fake.tag_sha(OWNER, REPO, "v1.0.0"),
        fake.branch_sha(OWNER, REPO, "main")
    );
    assert_eq!(fake.contract_violations(), Vec::<String>::new());
}

#[test]
fn a_name_already_there_is_returned_with_its_digest_and_a_failed_upload_can_be_replaced() {
    let fake = fake();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("My App (linux).zip");
    let bytes = write_file(&file, 1000);
    with_client(&fake.api_url(), &fake.token(), async |gh| {
        let release = draft(gh, "v1.0.0").await;
        let first = created(
            gh.upload_asset(&release, "My App (linux).zip", &file, None)
                .await
                .expect("uploaded"),
        );
        assert_eq!(first.name, "My.App.linux.zip", "GitHub's renaming");
        assert_eq!(
            tidegate_github::assets::asset_name_on_github("My App (linux).zip"),
            first.name
        );
        assert_eq!(first.content_type, "application/octet-stream");
        let again = already_there(
            gh.upload_asset(&release, "My App (linux).zip", &file, None)
                .await
                .expect("answered"),
        );
        assert_eq!(again, first);
        assert_eq!(again.sha256(), Some(sha256_hex(&bytes)));

        fake.add_failed_upload(OWNER, REPO, "v1.0.0", "other.zip");
        let leftover = already_there(
            gh.upload_asset(&release, "other.zip", &file, None)
                .await
                .expect("answered"),
        );
        assert!(!leftover.is_uploaded());
        assert_eq!(leftover.sha256(), None);
        gh.delete_asset(leftover.id).await.expect("deleted");
        let replaced = created(
            gh.upload_asset(&release, "other.zip", &file, None)
                .await
                .expect("uploaded"),
        );
        assert_eq!(replaced.sha256(), Some(sha256_hex(&bytes)));
    });
    assert_eq!(fake.release_assets(OWNER, REPO, "v1.0.0").len(), 2);
    assert_eq!(fake.contract_violations(), Vec::<String>::new());
}

#[test]
fn a_lost_upload_answer_and_its_retry_leave_one_asset() {
    let fake = fake();
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.bin");
    let bytes = write_file(&file, 200_000);
    with_client(&fake.api_url(), &fake.token(), async |gh| {
        let release = draft(gh, "v1.0.0").await;
        fake.set_faults(Faults {
            drop_after_write: 1.0,
            ..Faults::default()
        });
        let found = already_there(
            gh.upload_asset(&release, "a.bin", &file, None)
                .await
                .expect("the retry finds the stored asset"),
        );
        assert_eq!(found.sha256(), Some(sha256_hex(&bytes)));
    });
    let assets = fake.release_assets(OWNER, REPO, "v1.0.0");
    assert_eq!(assets.len(), 1);
    assert_eq!(
        fake.request_counts()
            .get("POST /repos/{owner}/{repo}/releases/{release_id}/assets"),
        Some(&2),
        "one upload, one retry"
    );
    assert_eq!(
        fake.asset_bytes(OWNER, REPO, "v1.0.0", "a.bin"),
        Some(bytes)
    );
}

#[test]
fn an_upload_to_a_published_immutable_release_is_refused_clearly() {
    let fake = fake();
    fake.set_immutable_releases(OWNER, REPO, true);
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.bin");
    write_file(&file, 10);
    let error = with_client(&fake.api_url(), &fake.token(), async |gh| {
        let release = draft(gh, "v1.0.0").await;
        created(
            gh.upload_asset(&release, "a.bin", &file, None)
                .await
                .expect("uploaded"),
        );
        let published = gh
            .update_release(
                release.id,
                &ReleaseUpdate {
                    draft: Some(false),
                    ..ReleaseUpdate::default()
                },
            )
            .await
            .expect("published");
        assert!(published.immutable);
        gh.upload_asset(&published, "b.bin", &file, None)
            .await
            .expect_err("refused")
    });
    assert_eq!(
        error.to_string(),
        "GitHub refused to upload the release asset (422 Unprocessable Entity: Cannot upload assets to an immutable release.)"
    );
    assert_eq!(error.exit_code(), 3);
    assert_eq!(fake.release_assets(OWNER, REPO, "v1.0.0").len(), 1);
}

#[test]
fn a_missing_file_is_one_clear_line() {
    let fake = fake();
    let error = with_client(&fake.api_url(), &fake.token(), async |gh| {
        let release = draft(gh, "v1.0.0").await;
        gh.upload_asset(&release, "a.bin", Path::new("/nonexistent/a.bin"), None)
            .await
            .expect_err("refused")
    });
    let message = error.to_string();
    assert!(
        message.starts_with("cannot read /nonexistent/a.bin: "),
        "{message}"
    );
    assert!(!message.contains('\n'));
    assert_eq!(fake.total_requests(), 1, "only the release was created");
}

const TOKEN: &str = "ghs_assetsecret0123456789";

/// A release whose upload URL is on `api`'s host.
fn release_at(api: &str, upload_url: &str) -> Release {
    serde_json::from_value(serde_json::json!({
        "id": 1,
        "tag_name": "v1.0.0",
        "upload_url": upload_url.replace("{api}", api),
    }))
    .expect("a release")
}

#[test]
fn the_token_never_appears_in_asset_errors() {
    let (api, _) = serve(|_, target| {
        let echo = format!(r#"{{"message":"bad token {TOKEN} at {target}"}}"#);
        if target.contains("/assets/") {
            // The download: a redirect to a storage URL that carries the token.
            Answer::json("302 Found", "").header(
                "location",
                &format!("http://127.0.0.1:9/storage?sig={TOKEN}"),
            )
        } else {
            Answer::json("422 Unprocessable Entity", &echo)
        }
    });
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("a.bin");
    write_file(&file, 10);
    let errors = with_client(&api, TOKEN, async |gh| {
        let echoed = gh
            .upload_asset(
                &release_at(
                    &api,
                    "{api}/repos/acme/widgets/releases/1/assets{?name,label}",
                ),
                "a.bin",
                &file,
                None,
            )
            .await
            .expect_err("refused");
        let elsewhere = gh
            .upload_asset(
                &release_at(
                    &api,
                    &format!("https://evil.example/{TOKEN}/assets{{?name}}"),
                ),
                "a.bin",
                &file,
                None,
            )
            .await
            .expect_err("refused");
        let download = gh
            .download_asset(7, &dir.path().join("out.bin"))
            .await
            .expect_err("storage unreachable");
        vec![echoed, elsewhere, download]
    });
    for error in &errors {
        let message = error.to_string();
        assert!(!message.contains(TOKEN), "{message}");
    }
    assert!(
        errors[0].to_string().contains("bad token ***"),
        "{}",
        errors[0]
    );
    assert!(
        errors[1].to_string().contains("does not send the token to"),
        "{}",
        errors[1]
    );
    assert!(!dir.path().join("out.bin").exists(), "nothing half-written");
}

#[test]
fn a_lost_dispatch_answer_is_not_followed_by_a_second_build_of_the_tag() {
    let fake = fake();
    fake.add_workflow(OWNER, REPO, "build.yml");
    let head = fake.branch_sha(OWNER, REPO, "main").expect("main");
    fake.create_branch(OWNER, REPO, "v1.0.0", &head);
    with_client(&fake.api_url(), &fake.token(), async |gh| {
        fake.set_faults(Faults {
            drop_after_write: 1.0,
            ..Faults::default()
        });
        gh.dispatch_workflow("build.yml", "v1.0.0", &[("tag", "v1.0.0")])
            .await
            .expect("the run on the tag is found");
    });
    assert_eq!(
        fake.dispatches(OWNER, REPO).len(),
        1,
        "one build of the tag"
    );
    assert_eq!(
        fake.request_counts()
            .get("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"),
        Some(&1),
        "not sent again"
    );
}
