//! The files `--assets` globs name, checked to be what GitHub will store under the same names.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::{Error, Result, shown, shown_path};

/// A file to attach to a release: its asset name (the file's base name) and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFile {
    pub name: String,
    pub path: PathBuf,
}

/// The regular files the glob `patterns` match under `root` (an absolute pattern stands alone),
/// sorted by name. Each pattern must match at least one file; a file matched twice counts once;
/// directories are skipped. Refused: two files with the same base name, names GitHub would not
/// keep as given, and names of the files Tidegate generates.
pub fn collect(root: &Path, patterns: &[String]) -> Result<Vec<AssetFile>> {
    // `*` does not match a leading dot, so `dist/*` leaves out `.DS_Store` and the like.
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let root_text = root.to_str().ok_or_else(|| Error::Read {
        path: shown_path(root),
        source: std::io::Error::other("the path is not UTF-8"),
    })?;
    // Keyed by the file itself, so `dist/a` and `dist/../dist/a` are one asset.
    let mut by_file: BTreeMap<PathBuf, PathBuf> = BTreeMap::new();
    for pattern in patterns {
        let full = if Path::new(pattern).is_absolute() {
            pattern.clone()
        } else {
            // A root holding `[` or `*` is a directory name, not a pattern.
            format!(
                "{}/{}",
                glob::Pattern::escape(root_text).trim_end_matches('/'),
                pattern
            )
        };
        let matches = glob::glob_with(&full, options).map_err(|e| Error::BadPattern {
            pattern: shown(pattern),
            reason: e.msg.to_string(),
        })?;
        let mut files = 0;
        let mut skipped = Vec::new();
        for entry in matches {
            let path = entry.map_err(|e| Error::Read {
                path: shown_path(e.path()),
                source: e.into(),
            })?;
            let read_failed = |source| Error::Read {
                path: shown_path(&path),
                source,
            };
            // Follows symbolic links: a link to a file is that file.
            let metadata = std::fs::metadata(&path).map_err(read_failed)?;
            if !metadata.is_file() {
                skipped.push(path);
                continue;
            }
            files += 1;
            let canonical = std::fs::canonicalize(&path).map_err(read_failed)?;
            by_file.entry(canonical).or_insert(path);
        }
        if files == 0 {
            let detail = match skipped.first() {
                Some(first) => format!(
                    " (only directories or special files, such as {}: match the files inside)",
                    shown_path(first)
                ),
                None => String::new(),
            };
            return Err(Error::NoFile {
                pattern: shown(pattern),
                root: shown_path(root),
                detail,
            });
        }
    }

    let mut by_name: BTreeMap<String, AssetFile> = BTreeMap::new();
    for path in by_file.into_values() {
        let name = asset_name(&path)?;
        if let Some(first) = by_name.get(&name) {
            let (first, second) = ordered(shown_path(&first.path), shown_path(&path));
            return Err(Error::SameName {
                name,
                first,
                second,
            });
        }
        by_name.insert(name.clone(), AssetFile { name, path });
    }
    for asset in by_name.values() {
        if is_generated_name(&asset.name, |name| by_name.contains_key(name)) {
            return Err(Error::ReservedName {
                name: asset.name.clone(),
                path: shown_path(&asset.path),
            });
        }
    }
    Ok(by_name.into_values().collect())
}

fn ordered(a: String, b: String) -> (String, String) {
    if a <= b { (a, b) } else { (b, a) }
}

/// The file's base name, if GitHub would store it unchanged.
///
/// GitHub renames asset names holding "special characters, non-alphanumeric characters, and
/// leading or trailing periods" (the upload endpoint's documentation), without saying which
/// characters or into what: users report spaces, `~`, `:`, `(`, `)` turned into `.`, and `+` into
/// `.` or `-` over the years. A guessed normalization could differ from what GitHub stores, and
/// `SHA256SUMS` would then name files the downloader does not have, so such names are refused
/// and only the characters every report shows kept are allowed: letters, digits, `.`, `-`, `_`.
fn asset_name(path: &Path) -> Result<String> {
    let not_kept = |name: String, problem: &str| Error::NameNotKept {
        name: shown(&name),
        path: shown_path(path),
        problem: problem.to_string(),
    };
    let raw = path
        .file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default();
    let Some(name) = path.file_name().and_then(|name| name.to_str()) else {
        return Err(not_kept(raw, "is not UTF-8"));
    };
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')))
    {
        let problem = if bad == ' ' {
            "holds a space".to_string()
        } else {
            format!("holds `{}`", bad.escape_default())
        };
        return Err(not_kept(name.to_string(), &problem));
    }
    if name.starts_with('.') || name.ends_with('.') {
        return Err(not_kept(name.to_string(), "starts or ends with a period"));
    }
    Ok(name.to_string())
}

/// Whether `name` is one Tidegate writes next to the assets: `SHA256SUMS`, its signature, or the
/// `.sha512` or `.asc` of an asset (`is_asset` tells which names are assets). A file of the same
/// name among the assets would be overwritten by, or taken for, the generated one; in practice it
/// is a previous run's output caught by a broad glob.
pub(crate) fn is_generated_name(name: &str, is_asset: impl Fn(&str) -> bool) -> bool {
    if name == crate::SHA256SUMS || name == format!("{}.asc", crate::SHA256SUMS) {
        return true;
    }
    [".sha512", ".asc"]
        .iter()
        .any(|suffix| name.strip_suffix(suffix).is_some_and(&is_asset))
}
