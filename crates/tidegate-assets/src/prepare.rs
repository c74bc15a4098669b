//! Everything a release carries, made ready on disk: the assets, their checksum files and, with
//! a key, their signatures.

use std::path::{Path, PathBuf};

use crate::{
    AssetFile, Digests, Error, Keyring, Result, SHA256SUMS, digest_file, sha256sums, sha512_file,
    shown_path, write_whole,
};

/// What a release asset is, for the step summary and for checks after upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetKind {
    /// One of the files `--assets` named.
    File,
    /// `SHA256SUMS`, listing every file.
    Sha256Sums,
    /// `NAME.sha512`: the SHA-512 of the asset `of`.
    Sha512 { of: String },
    /// `NAME.asc`: the detached signature of the asset `of` (a file or `SHA256SUMS`).
    Signature { of: String },
}

/// A file to upload: its asset name, where it is, what it is and its digests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReleaseAsset {
    pub name: String,
    pub path: PathBuf,
    pub kind: AssetKind,
    pub digests: Digests,
}

/// Digests `files` (one pass each) and writes into `out_dir` (created if missing) `SHA256SUMS`,
/// one `NAME.sha512` per file and, with `keyring`, one `NAME.asc` per file and `SHA256SUMS.asc`.
/// Returns every asset to upload, the given files included, sorted by name.
pub fn prepare(
    files: &[AssetFile],
    out_dir: &Path,
    keyring: Option<&Keyring>,
) -> Result<Vec<ReleaseAsset>> {
    std::fs::create_dir_all(out_dir).map_err(|source| Error::Write {
        path: shown_path(out_dir),
        source,
    })?;
    let mut assets = Vec::new();
    for file in files {
        let digests = digest_file(&file.path)?;
        let sha512_path = out_dir.join(format!("{}.sha512", file.name));
        write_whole(
            &sha512_path,
            sha512_file(&file.name, &digests.sha512).as_bytes(),
        )?;
        assets.push(generated(
            sha512_path,
            AssetKind::Sha512 {
                of: file.name.clone(),
            },
        )?);
        if let Some(keyring) = keyring {
            let signature = keyring.sign_detached(&file.path, out_dir)?;
            assets.push(generated(
                signature,
                AssetKind::Signature {
                    of: file.name.clone(),
                },
            )?);
        }
        assets.push(ReleaseAsset {
            name: file.name.clone(),
            path: file.path.clone(),
            kind: AssetKind::File,
            digests,
        });
    }
    let listed: Vec<(&str, &str)> = assets
        .iter()
        .filter(|asset| asset.kind == AssetKind::File)
        .map(|asset| (asset.name.as_str(), asset.digests.sha256.as_str()))
        .collect();
    let sums_path = out_dir.join(SHA256SUMS);
    write_whole(&sums_path, sha256sums(listed).as_bytes())?;
    if let Some(keyring) = keyring {
        let signature = keyring.sign_detached(&sums_path, out_dir)?;
        assets.push(generated(
            signature,
            AssetKind::Signature {
                of: SHA256SUMS.to_string(),
            },
        )?);
    }
    assets.push(generated(sums_path, AssetKind::Sha256Sums)?);
    assets.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(assets)
}

fn generated(path: PathBuf, kind: AssetKind) -> Result<ReleaseAsset> {
    let digests = digest_file(&path)?;
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ReleaseAsset {
        name,
        path,
        kind,
        digests,
    })
}
