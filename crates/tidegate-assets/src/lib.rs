//! A release's assets on the local side: the files named by `--assets` globs, their SHA-256 and
//! SHA-512 digests, the checksum files (`SHA256SUMS`, `NAME.sha512`), ASCII-armored detached GPG
//! signatures (`NAME.asc`), and the plan that turns a candidate's assets into the final release's.
//! No network and no GitHub here: the caller uploads what this crate prepares.

mod checksums;
mod collect;
mod digest;
mod gpg;
mod prepare;
mod promotion;

pub use checksums::{
    ChecksumEntry, SHA256SUMS, parse_sha256sums, parse_sha512sums, sha256sums, sha512_file,
};
pub use collect::{AssetFile, collect};
pub use digest::{Digests, digest_file, digest_reader};
pub use gpg::{Gpg, Keyring};
pub use prepare::{AssetKind, ReleaseAsset, prepare};
pub use promotion::{
    PromotedAsset, PromotionAction, final_name, promote_checksum_file, promotion_plan,
};

pub type Result<T> = std::result::Result<T, Error>;

/// Every error is one line: what is wrong, then what to do. None holds secret material: the
/// passphrase and the key never reach a message, and only one line of gpg's stderr is kept.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("--assets `{pattern}` is not a valid glob ({reason}); fix the pattern")]
    BadPattern { pattern: String, reason: String },
    #[error(
        "--assets `{pattern}` matches no file in {root}{detail}; check the pattern and that the build wrote its files there"
    )]
    NoFile {
        pattern: String,
        root: String,
        /// Why nothing counted, when something matched: only directories, for instance.
        detail: String,
    },
    #[error("cannot read {path}: {source}; check that it exists and is readable")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}; check that the directory exists and is writable")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error(
        "two assets are named `{name}` ({first} and {second}); a release's asset names are flat: rename one or narrow --assets"
    )]
    SameName {
        name: String,
        first: String,
        second: String,
    },
    #[error(
        "asset name `{name}` ({path}) {problem}; GitHub would rename it on upload and the checksums would no longer match: rename the file using only letters, digits, `.`, `-` and `_`"
    )]
    NameNotKept {
        name: String,
        path: String,
        problem: String,
    },
    #[error(
        "asset {path} is named like a file Tidegate generates (`{name}`); remove it or narrow --assets so that only the files to release match"
    )]
    ReservedName { name: String, path: String },
    #[error("{file} line {line}: {problem}; each line must be `<{digits} hex digits>  <name>`")]
    ChecksumLine {
        file: String,
        line: usize,
        digits: usize,
        problem: String,
    },
    #[error(
        "the candidate's assets `{first}` and `{second}` would both be named `{name}` in the final release; delete one from the candidate release"
    )]
    FinalNameClash {
        name: String,
        first: String,
        second: String,
    },
    #[error(
        "`{name}` must be signed again: asset names change from {candidate_version} to {final_version}, so the file it signs is rewritten; give the signing key (--signing-key-env and --signing-passphrase-env)"
    )]
    ResignNeedsKey {
        name: String,
        candidate_version: String,
        final_version: String,
    },
    #[error("gpg (GnuPG) is not on PATH; install GnuPG (GitHub-hosted runners have it)")]
    GpgMissing,
    #[error("gpg could not {action}: {reason}")]
    Gpg { action: String, reason: String },
    #[error(
        "the signing key does not import ({reason}); give the ASCII-armored secret key, as `gpg --armor --export-secret-keys KEYID` writes it"
    )]
    KeyImport { reason: String },
    #[error(
        "the signing key holds no secret key (only a public key?); export it with `gpg --armor --export-secret-keys KEYID`"
    )]
    NoSecretKey,
    #[error(
        "the signing key holds {count} secret keys ({fingerprints}); export only the one to sign with: `gpg --armor --export-secret-keys FINGERPRINT`"
    )]
    SeveralSecretKeys { count: usize, fingerprints: String },
    #[error("the signing key {fingerprint} is {state}; {what_to_do}")]
    KeyUnusable {
        fingerprint: String,
        state: String,
        what_to_do: String,
    },
    #[error(
        "the signing passphrase does not unlock key {fingerprint}; check the secret named by --signing-passphrase-env"
    )]
    BadPassphrase { fingerprint: String },
    #[error("the KEYS file holds no public key ({reason}); give an Apache-style KEYS file")]
    KeysFile { reason: String },
}

/// A name or path as it may be shown on one line: control characters escaped.
fn shown(text: &str) -> String {
    let mut line = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() {
            line.extend(c.escape_default());
        } else {
            line.push(c);
        }
    }
    line
}

fn shown_path(path: &std::path::Path) -> String {
    shown(&path.to_string_lossy())
}

/// Writes `contents` to `path` through a temporary file in the same directory, so a reader never
/// sees half a file and a failure leaves nothing behind.
fn write_whole(path: &std::path::Path, contents: &[u8]) -> Result<()> {
    use std::io::Write;
    let failed = |source| Error::Write {
        path: shown_path(path),
        source,
    };
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(failed)?;
    file.write_all(contents).map_err(failed)?;
    // Checksums and signatures are public: readable like the files they describe, not 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let readable = std::fs::Permissions::from_mode(0o644);
        file.as_file().set_permissions(readable).map_err(failed)?;
    }
    file.persist(path).map_err(|e| failed(e.error))?;
    Ok(())
}
