//! A candidate's assets reused for the final release: renamed from the candidate's version to the
//! final one where the names carry it, and what must be written or signed again because of it.

use std::collections::{BTreeMap, BTreeSet};

use crate::checksums::{parse_sha256sums, parse_sha512sums, sha256sums};
use crate::{Error, Result, SHA256SUMS, shown};

/// `name` with every whole occurrence of `candidate_version` replaced by `final_version`
/// (`app-1.4.0-rc.2-linux.tar.gz` → `app-1.4.0-linux.tar.gz`; a `v` before it stays). Either
/// version may be given with a `v` prefix. An occurrence inside a longer version is left alone:
/// `1.4.0-rc.2` is not in `1.4.0-rc.21`, `1.4.0-rc.2.1` or `11.4.0-rc.2`.
pub fn final_name(name: &str, candidate_version: &str, final_version: &str) -> String {
    let candidate = without_v(candidate_version);
    let replacement = without_v(final_version);
    if candidate.is_empty() {
        return name.to_string();
    }
    let mut renamed = String::with_capacity(name.len());
    let mut rest = 0;
    let mut from = 0;
    while let Some(found) = name[from..].find(candidate) {
        let start = from + found;
        let end = start + candidate.len();
        if is_whole_version(name, start, end) {
            renamed.push_str(&name[rest..start]);
            renamed.push_str(replacement);
            rest = end;
            from = end;
        } else {
            // Versions are ASCII, so the next byte starts a character.
            from = start + 1;
        }
    }
    renamed.push_str(&name[rest..]);
    renamed
}

fn without_v(version: &str) -> &str {
    version.strip_prefix('v').unwrap_or(version)
}

/// Whether `name[start..end]` is a version on its own rather than part of a longer one: no digit
/// or `.` before it, and no letter, digit or `.digit` after it.
fn is_whole_version(name: &str, start: usize, end: usize) -> bool {
    let before = name[..start].chars().next_back();
    let mut after = name[end..].chars();
    let next = after.next();
    let clean_start = !before.is_some_and(|c| c.is_ascii_digit() || c == '.');
    let clean_end = match next {
        None => true,
        Some('.') => !after.next().is_some_and(|c| c.is_ascii_digit()),
        Some(c) => !c.is_ascii_alphanumeric(),
    };
    clean_start && clean_end
}

/// What happens to one of the candidate's assets in the final release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromotionAction {
    /// The same bytes, under the final name: the assets, their detached signatures (a signature
    /// covers the bytes, not the name), and checksum files whose names do not change.
    Reuse,
    /// A checksum file naming assets that are renamed: written again with the final names
    /// ([`promote_checksum_file`]); the digests stay.
    Regenerate,
    /// The signature of a regenerated checksum file (`SHA256SUMS.asc`): made again with the key.
    Resign,
}

/// One of the candidate's assets and what it becomes in the final release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PromotedAsset {
    pub candidate_name: String,
    pub final_name: String,
    pub action: PromotionAction,
}

/// The final release's assets from the candidate's asset names, sorted by final name.
/// `can_sign` says whether a signing key is at hand: without one, a signature that must be made
/// again is an error that says so, before anything is uploaded. Two names that would become one
/// are refused.
pub fn promotion_plan(
    candidate_assets: &[String],
    candidate_version: &str,
    final_version: &str,
    can_sign: bool,
) -> Result<Vec<PromotedAsset>> {
    let names: BTreeSet<&str> = candidate_assets.iter().map(String::as_str).collect();
    let planner = Planner {
        names: &names,
        candidate_version,
        final_version,
    };
    let mut by_final: BTreeMap<String, PromotedAsset> = BTreeMap::new();
    for &name in &names {
        let (final_name, action) = planner.plan(name);
        if action == PromotionAction::Resign && !can_sign {
            return Err(Error::ResignNeedsKey {
                name: shown(name),
                candidate_version: shown(candidate_version),
                final_version: shown(final_version),
            });
        }
        if let Some(other) = by_final.get(&final_name) {
            return Err(Error::FinalNameClash {
                name: shown(&final_name),
                first: shown(&other.candidate_name),
                second: shown(name),
            });
        }
        let promoted = PromotedAsset {
            candidate_name: name.to_string(),
            final_name: final_name.clone(),
            action,
        };
        by_final.insert(final_name, promoted);
    }
    Ok(by_final.into_values().collect())
}

struct Planner<'a> {
    names: &'a BTreeSet<&'a str>,
    candidate_version: &'a str,
    final_version: &'a str,
}

impl Planner<'_> {
    fn plan(&self, name: &str) -> (String, PromotionAction) {
        use PromotionAction::{Regenerate, Resign, Reuse};
        let subject_of = |suffix: &str| {
            name.strip_suffix(suffix)
                .filter(|subject| self.names.contains(subject))
        };
        if name == SHA256SUMS {
            let renamed = self.names.iter().any(|&other| {
                !crate::collect::is_generated_name(other, |n| self.names.contains(n))
                    && self.rename(other) != other
            });
            return (name.to_string(), if renamed { Regenerate } else { Reuse });
        }
        if let Some(subject) = subject_of(".asc") {
            let (subject_final, subject_action) = self.plan(subject);
            let action = if subject_action == Reuse {
                Reuse
            } else {
                Resign
            };
            return (format!("{subject_final}.asc"), action);
        }
        if let Some(subject) = subject_of(".sha512") {
            let subject_final = self.rename(subject);
            let action = if subject_final == subject {
                Reuse
            } else {
                Regenerate
            };
            return (format!("{subject_final}.sha512"), action);
        }
        (self.rename(name), Reuse)
    }

    fn rename(&self, name: &str) -> String {
        final_name(name, self.candidate_version, self.final_version)
    }
}

/// A candidate's checksum file (`SHA256SUMS` or `NAME.sha512`, told apart by `file_name`) with
/// every name it lists renamed for the final release, the digests unchanged, sorted by name.
pub fn promote_checksum_file(
    file_name: &str,
    text: &str,
    candidate_version: &str,
    final_version: &str,
) -> Result<String> {
    let entries = if file_name.ends_with(".sha512") {
        parse_sha512sums(file_name, text)?
    } else {
        parse_sha256sums(file_name, text)?
    };
    let mut renamed: BTreeMap<String, (String, String)> = BTreeMap::new();
    for entry in entries {
        let name = final_name(&entry.name, candidate_version, final_version);
        if let Some((first, _)) = renamed.get(&name) {
            return Err(Error::FinalNameClash {
                name: shown(&name),
                first: shown(first),
                second: shown(&entry.name),
            });
        }
        renamed.insert(name, (entry.name, entry.digest));
    }
    Ok(sha256sums(renamed.iter().map(|(name, (_, digest))| {
        (name.as_str(), digest.as_str())
    })))
}
