//! A release's assets on GitHub: uploaded to a draft, checked by digest against the local files,
//! then published (so immutable releases work and `release: published` fires once, with every
//! asset there); and a candidate's assets carried to its final release, never rebuilt.

use anyhow::Result;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use tidegate_actions::{notice, warning};
use tidegate_assets::{
    AssetKind, Digests, Gpg, Keyring, PromotionAction, ReleaseAsset, SHA256SUMS, digest_file,
};
use tidegate_core::{UsageError, markdown, release_pr};
use tidegate_github::GitHub;
use tidegate_github::assets::{Asset, ReleaseUpdate, Uploaded};
use tidegate_github::gitdata::TagCreated;
use tidegate_github::releases::{NewRelease, Release};

use crate::line::Promotion;
use crate::remote::{Exit, GitHubResult};

/// Where the signing key and its passphrase come from.
#[derive(clap::Args, Clone, Default)]
pub struct Signing {
    /// The environment variable holding an ASCII-armored private key (a secret): every asset and
    /// SHA256SUMS get a detached signature, NAME.asc. The key goes into a temporary keyring,
    /// removed afterwards.
    #[arg(long, value_name = "NAME")]
    pub signing_key_env: Option<String>,
    /// The environment variable holding the key's passphrase (a secret).
    #[arg(long, value_name = "NAME", requires = "signing_key_env")]
    pub signing_passphrase_env: Option<String>,
    /// A `KEYS` file (Apache's convention: the project's public keys) that must hold the
    /// signing key, checked by fingerprint before anything is signed.
    #[arg(long, value_name = "FILE", requires = "signing_key_env")]
    pub keys_file: Option<PathBuf>,
}

impl Signing {
    /// The key, imported and checked (a test signature proves the passphrase) before anything is
    /// made on GitHub; `None` without `--signing-key-env`.
    pub fn load(&self, root: &Path) -> Result<Option<Keyring>> {
        let Some(key_env) = &self.signing_key_env else {
            return Ok(None);
        };
        let key = std::env::var(key_env).unwrap_or_default();
        if key.trim().is_empty() {
            return Err(UsageError(format!(
                "--signing-key-env {key_env}: the variable holds no key; pass the secret with the armored private key in it (`env: {key_env}: ${{{{ secrets.… }}}}`)"
            ))
            .into());
        }
        let passphrase = match &self.signing_passphrase_env {
            Some(name) => std::env::var(name).unwrap_or_default(),
            None => String::new(),
        };
        tidegate_actions::add_mask(&passphrase);
        let gpg = match std::env::var_os("RUNNER_TEMP").filter(|t| !t.is_empty()) {
            Some(temp) => Gpg::default().temp_in(temp),
            None => Gpg::default(),
        };
        let keyring = gpg
            .import(&key, &passphrase)
            .map_err(|e| UsageError(e.to_string()))?;
        if let Some(keys) = &self.keys_file {
            let path = root.join(keys);
            let text = std::fs::read_to_string(&path).map_err(|e| {
                UsageError(format!(
                    "--keys-file {}: {}",
                    keys.display(),
                    tidegate_actions::io_reason(&e)
                ))
            })?;
            if !keyring
                .key_in_keys_file(&text)
                .map_err(|e| UsageError(e.to_string()))?
            {
                return Err(UsageError(format!(
                    "the signing key {} is not in {}: add its public key there (gpg --armor --export {} >> {}), or sign with a key that is",
                    keyring.fingerprint(),
                    keys.display(),
                    keyring.fingerprint(),
                    keys.display()
                ))
                .into());
            }
        }
        Ok(Some(keyring))
    }
}

/// The files a release carries, made ready on disk before anything is written on GitHub.
pub struct Prepared {
    pub assets: Vec<ReleaseAsset>,
    _dir: tempfile::TempDir,
}

impl Prepared {
    /// The files `patterns` name under `root`, with SHA256SUMS, NAME.sha512 and, with a key,
    /// NAME.asc beside them (in a temporary directory).
    pub fn from_globs(root: &Path, patterns: &[String], key: Option<&Keyring>) -> Result<Self> {
        let files =
            tidegate_assets::collect(root, patterns).map_err(|e| UsageError(e.to_string()))?;
        let dir = temp_dir()?;
        let assets = tidegate_assets::prepare(&files, dir.path(), key)
            .map_err(|e| UsageError(e.to_string()))?;
        Ok(Self { assets, _dir: dir })
    }
}

fn temp_dir() -> Result<tempfile::TempDir> {
    let builder = tempfile::Builder::new().prefix("tidegate-assets-").clone();
    Ok(
        match std::env::var_os("RUNNER_TEMP").filter(|t| !t.is_empty()) {
            Some(temp) => builder.tempdir_in(temp)?,
            None => builder.tempdir()?,
        },
    )
}

/// One asset as published.
#[derive(Clone, Debug)]
pub struct Published {
    pub name: String,
    pub url: String,
    pub sha256: String,
    pub size: u64,
}

/// A release as published, with its assets.
pub struct Done {
    pub release: Release,
    pub assets: Vec<Published>,
}

pub fn assets_json(assets: &[Published]) -> Value {
    Value::Array(
        assets
            .iter()
            .map(|a| json!({ "name": a.name, "url": a.url, "sha256": a.sha256, "size": a.size }))
            .collect(),
    )
}

/// The step summary: the assets, and how a downloader checks them.
pub fn summary(tag: &str, assets: &[Published]) -> Result<()> {
    if assets.is_empty() {
        return Ok(());
    }
    let mut out = format!(
        "### Assets of {}\n\n| asset | SHA-256 |\n| --- | --- |\n",
        markdown::code_span(tag)
    );
    for asset in assets {
        out.push_str(&format!(
            "| [{}]({}) | `{}` |\n",
            markdown::escape_inline(&asset.name),
            asset.url,
            asset.sha256
        ));
    }
    let signed = assets.iter().any(|a| a.name == "SHA256SUMS.asc");
    out.push_str("\nTo check a download, in the folder holding it:\n\n```sh\nsha256sum --check --ignore-missing SHA256SUMS\n");
    if let Some(one) = assets.iter().find(|a| a.name.ends_with(".sha512")) {
        out.push_str(&format!("sha512sum --check {}\n", one.name));
    }
    if signed {
        out.push_str("gpg --verify SHA256SUMS.asc SHA256SUMS\n");
    }
    out.push_str("```\n");
    tidegate_actions::report(&out)?;
    Ok(())
}

/// Uploads what is missing of `assets` to `release`, then checks every one by digest. Resumable:
/// an asset there with the same digest is kept, a failed upload left behind is deleted and made
/// again, and one with other bytes is refused unless `replace`. A signature there already that
/// `key` made over the same file is kept too (signatures hold their time, so a rerun's differ).
pub async fn upload_all(
    gh: &GitHub,
    release: &Release,
    assets: &[ReleaseAsset],
    replace: bool,
    key: Option<&Keyring>,
) -> Result<Vec<Published>> {
    let there = gh.list_assets(release.id).await.gh()?;
    // The SHA-256 each asset must have on GitHub.
    let mut expected: Vec<String> = Vec::with_capacity(assets.len());
    for asset in assets {
        let mut found = there.iter().find(|a| a.name == asset.name).cloned();
        let mut want = asset.digests.sha256.clone();
        // Twice at most: an upload may find the name taken (another run, a lost answer).
        for _ in 0..2 {
            match found.take() {
                Some(old) if !old.is_uploaded() => {
                    gh.delete_asset(old.id).await.gh()?;
                }
                Some(old) => {
                    if same_bytes(&old, &asset.digests) {
                        break;
                    }
                    if let Some(sha) = earlier_signature(gh, &old, asset, assets, key).await? {
                        want = sha;
                        break;
                    }
                    if !replace {
                        return Err(Exit::declined(format!(
                            "the asset {} of {} holds other bytes than {} (GitHub's sha256 {}, the file's {}); nothing was changed: rebuild the same bits, or pass --replace to replace it",
                            asset.name,
                            release.tag_name,
                            asset.path.display(),
                            old.sha256().unwrap_or_else(|| "unknown".into()),
                            asset.digests.sha256
                        )));
                    }
                    gh.delete_asset(old.id).await.gh()?;
                }
                None => {}
            }
            match gh
                .upload_asset(release, &asset.name, &asset.path, None)
                .await
                .gh()?
            {
                Uploaded::Created(_) => break,
                Uploaded::AlreadyThere(other) => found = Some(other),
            }
        }
        expected.push(want);
    }
    verify(gh, release, assets, &expected).await
}

/// The SHA-256 of a signature already on the release when `key` made it over the same file (an
/// earlier run's, or a rerun's after an interruption); `None` otherwise.
async fn earlier_signature(
    gh: &GitHub,
    old: &Asset,
    asset: &ReleaseAsset,
    assets: &[ReleaseAsset],
    key: Option<&Keyring>,
) -> Result<Option<String>> {
    let (AssetKind::Signature { of }, Some(key)) = (&asset.kind, key) else {
        return Ok(None);
    };
    let Some(subject) = assets.iter().find(|a| a.name == *of) else {
        return Ok(None);
    };
    let dir = temp_dir()?;
    let there = dir.path().join(&asset.name);
    gh.download_asset(old.id, &there).await.gh()?;
    if !key
        .verifies(&there, &subject.path)
        .map_err(|e| UsageError(e.to_string()))?
    {
        return Ok(None);
    }
    let digests = digest_file(&there).map_err(|e| UsageError(e.to_string()))?;
    Ok(Some(digests.sha256))
}

/// Whether an uploaded asset holds the bytes the digests describe: GitHub's digest when it sent
/// one, else the size (an asset uploaded before GitHub computed digests).
fn same_bytes(asset: &Asset, digests: &Digests) -> bool {
    match asset.sha256() {
        Some(sha) => sha == digests.sha256,
        None => asset.size == digests.size,
    }
}

/// Every asset there, uploaded, with the digest it must have; the release's other assets are
/// left alone.
async fn verify(
    gh: &GitHub,
    release: &Release,
    assets: &[ReleaseAsset],
    expected: &[String],
) -> Result<Vec<Published>> {
    let there = gh.list_assets(release.id).await.gh()?;
    let mut published = Vec::with_capacity(assets.len());
    for (asset, want) in assets.iter().zip(expected) {
        let Some(found) = there
            .iter()
            .find(|a| a.name == asset.name && a.is_uploaded())
        else {
            return Err(Exit::declined(format!(
                "the asset {} is not on {} after its upload; nothing was published: rerun to finish",
                asset.name, release.tag_name
            )));
        };
        match found.sha256() {
            Some(sha) if sha != *want => {
                return Err(Exit::declined(format!(
                    "the asset {} on {} has sha256 {sha}, not the file's {want}; nothing was published: rerun to upload it again (with --replace)",
                    asset.name, release.tag_name
                )));
            }
            None => warning(&format!(
                "GitHub sent no digest for {}; only its size was checked",
                asset.name
            )),
            Some(_) => {}
        }
        published.push(Published {
            name: asset.name.clone(),
            url: found.browser_download_url.clone(),
            sha256: want.clone(),
            size: found.size,
        });
    }
    Ok(published)
}

/// The download URLs of a published release (a draft's point at an `untagged-…` path that
/// stops working once it is published).
pub fn with_urls(mut published: Vec<Published>, release: &Release) -> Vec<Published> {
    for asset in &mut published {
        if let Some(found) = release.assets.iter().find(|a| a.name == asset.name) {
            asset.url.clone_from(&found.browser_download_url);
        }
    }
    published
}

/// Publishes a draft once its assets are checked (a published release is left as it is).
pub async fn publish(gh: &GitHub, release: Release, make_latest: bool) -> Result<Release> {
    if !release.draft {
        return Ok(release);
    }
    gh.update_release(
        release.id,
        &ReleaseUpdate {
            draft: Some(false),
            make_latest: Some(make_latest),
            ..ReleaseUpdate::default()
        },
    )
    .await
    .gh()
}

/// The final release of a candidate: its tag on the candidate's commit, a draft with the notes
/// since the previous final release, the candidate's assets carried over (renamed to the final
/// version where their names carry it, checked by digest), then published.
pub async fn promote(gh: &GitHub, p: &Promotion, key: Option<&Keyring>) -> Result<Done> {
    let commit = p.candidate.commit.to_string();
    let releases = gh.recent_releases().await.gh()?;
    let find = |tag: &str| releases.iter().find(|r| r.tag_name == tag).cloned();
    let existing = match find(&p.tag) {
        Some(found) => Some(found),
        None => gh.release_by_tag(&p.tag).await.gh()?,
    };
    if let Some(release) = existing.as_ref().filter(|r| !r.draft) {
        return Err(Exit::declined(format!(
            "{} was promoted already: {} is released on the same commit ({})",
            p.candidate.name, p.tag, release.html_url
        )));
    }
    let candidate = match find(&p.candidate.name) {
        Some(found) => Some(found),
        None => gh.release_by_tag(&p.candidate.name).await.gh()?,
    };
    let dir = temp_dir()?;
    let assets = match &candidate {
        Some(candidate) => carried_assets(gh, candidate, p, key, dir.path()).await?,
        None => {
            warning(&format!(
                "{} has no GitHub release, so {} gets no assets from it",
                p.candidate.name, p.tag
            ));
            Vec::new()
        }
    };
    match gh.create_tag(&p.tag, &commit).await.gh()? {
        TagCreated::Created | TagCreated::Existed => {}
        TagCreated::Elsewhere(sha) => {
            return Err(Exit::declined(format!(
                "tag {} exists on GitHub on {sha}, not on {commit} (the commit of {}); tags are never moved",
                p.tag, p.candidate.name
            )));
        }
    }
    let release = match existing {
        // A draft an interrupted promotion left: finished, not doubled. A draft of a run still
        // going may be one it deletes: the one every run keeps is taken.
        Some(found) if found.draft => kept_release(gh, &p.tag, found).await?,
        Some(found) => found,
        None => {
            let made = {
                let name = release_pr::release_name(
                    p.package.tag.component.as_deref(),
                    &p.version.to_string(),
                );
                gh.create_release(&NewRelease {
                    tag: &p.tag,
                    target: &commit,
                    name: &name,
                    body: &p.notes,
                    draft: true,
                    prerelease: false,
                    make_latest: false,
                })
                .await
                .gh()?
                .0
            };
            kept_release(gh, &p.tag, made).await?
        }
    };
    let published = upload_all(gh, &release, &assets, false, key).await?;
    let release = publish(gh, release, p.newest).await?;
    Ok(Done {
        assets: with_urls(published, &release),
        release,
    })
}

/// GitHub takes any number of drafts for one tag: concurrent runs, or a create retried after its
/// answer was lost, leave several. Every run keeps the same one: the tag's published release when
/// there is one (only the kept draft is ever published), else its oldest draft (`mine` when the
/// tag has none listed yet). The other drafts are deleted; a run whose draft goes takes the kept
/// one before uploading anything, so no run is left writing to a deleted draft.
pub async fn kept_release(gh: &GitHub, tag: &str, mine: Release) -> Result<Release> {
    let mut of_tag: Vec<Release> = gh
        .recent_releases()
        .await
        .gh()?
        .into_iter()
        .filter(|r| r.tag_name == tag)
        .collect();
    // Published before drafts, then the oldest.
    of_tag.sort_by_key(|r| (r.draft, r.id));
    let mut of_tag = of_tag.into_iter();
    let Some(kept) = of_tag.next() else {
        return Ok(mine);
    };
    for extra in of_tag.filter(|r| r.draft) {
        gh.delete_release(extra.id).await.gh()?;
    }
    Ok(kept)
}

/// The candidate's assets, downloaded and checked (by GitHub's digest, and against the
/// candidate's SHA256SUMS when it has one), made into the final release's files.
async fn carried_assets(
    gh: &GitHub,
    candidate: &Release,
    p: &Promotion,
    key: Option<&Keyring>,
    dir: &Path,
) -> Result<Vec<ReleaseAsset>> {
    let there: Vec<Asset> = gh
        .list_assets(candidate.id)
        .await
        .gh()?
        .into_iter()
        .filter(Asset::is_uploaded)
        .collect();
    if there.is_empty() {
        return Ok(Vec::new());
    }
    // Names become file names here: only a flat name may (GitHub's own are).
    if let Some(odd) = there
        .iter()
        .find(|a| a.name.contains(['/', '\\']) || a.name.starts_with('.') || a.name.is_empty())
    {
        return Err(Exit::declined(format!(
            "{} has an asset named `{}`, which is not a plain file name; nothing was released",
            p.candidate.name,
            tidegate_actions::one_line(&odd.name)
        )));
    }
    let names: Vec<String> = there.iter().map(|a| a.name.clone()).collect();
    let (from, to) = (p.candidate.version.to_string(), p.version.to_string());
    let plan = tidegate_assets::promotion_plan(&names, &from, &to, key.is_some())
        .map_err(|e| UsageError(e.to_string()))?;
    let downloaded = dir.join("candidate");
    let finals = dir.join("final");
    std::fs::create_dir_all(&downloaded)?;
    std::fs::create_dir_all(&finals)?;
    for asset in &there {
        let path = downloaded.join(&asset.name);
        gh.download_asset(asset.id, &path).await.gh()?;
        let digests = digest_file(&path).map_err(|e| UsageError(e.to_string()))?;
        if asset.sha256().is_some_and(|sha| sha != digests.sha256) {
            return Err(Exit::declined(format!(
                "the candidate's asset {} downloaded with sha256 {}, not GitHub's {}; nothing was released: rerun",
                asset.name,
                digests.sha256,
                asset.sha256().unwrap_or_default()
            )));
        }
    }
    if let Ok(text) = std::fs::read_to_string(downloaded.join(SHA256SUMS)) {
        let listed = tidegate_assets::parse_sha256sums(SHA256SUMS, &text)
            .map_err(|e| UsageError(format!("{}'s {e}", p.candidate.name)))?;
        for entry in listed {
            let path = downloaded.join(&entry.name);
            if !path.exists() {
                continue;
            }
            let digests = digest_file(&path).map_err(|e| UsageError(e.to_string()))?;
            if digests.sha256 != entry.digest {
                return Err(Exit::declined(format!(
                    "the candidate's asset {} does not match its SHA256SUMS ({} listed, {} found); nothing was released",
                    entry.name, entry.digest, digests.sha256
                )));
            }
        }
    }
    let mut assets = Vec::with_capacity(plan.len());
    for step in plan.iter().filter(|s| s.action != PromotionAction::Resign) {
        let source = downloaded.join(&step.candidate_name);
        let target = finals.join(&step.final_name);
        match step.action {
            PromotionAction::Regenerate => {
                let text = std::fs::read_to_string(&source)?;
                let rewritten =
                    tidegate_assets::promote_checksum_file(&step.candidate_name, &text, &from, &to)
                        .map_err(|e| UsageError(e.to_string()))?;
                std::fs::write(&target, rewritten)?;
            }
            _ => {
                std::fs::rename(&source, &target)?;
            }
        }
        assets.push(final_asset(&step.final_name, target)?);
    }
    for step in plan.iter().filter(|s| s.action == PromotionAction::Resign) {
        let Some(key) = key else { continue };
        let subject = step.final_name.trim_end_matches(".asc");
        let signature = key
            .sign_detached(&finals.join(subject), &finals)
            .map_err(|e| UsageError(e.to_string()))?;
        let mut signed = final_asset(&step.final_name, signature)?;
        signed.kind = AssetKind::Signature {
            of: subject.to_string(),
        };
        assets.push(signed);
    }
    assets.sort_by(|a, b| a.name.cmp(&b.name));
    let renamed = plan
        .iter()
        .filter(|s| s.candidate_name != s.final_name)
        .count();
    if renamed > 0 {
        notice(&format!(
            "{renamed} of {}'s assets carry its version in their names: renamed for {} (the same bytes; checksum files rewritten{})",
            p.candidate.name,
            p.tag,
            if key.is_some() {
                " and signed again"
            } else {
                ""
            }
        ));
    }
    Ok(assets)
}

fn final_asset(name: &str, path: PathBuf) -> Result<ReleaseAsset> {
    let digests = digest_file(&path).map_err(|e| UsageError(e.to_string()))?;
    Ok(ReleaseAsset {
        name: name.to_string(),
        path,
        kind: AssetKind::File,
        digests,
    })
}
