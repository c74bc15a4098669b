//! The next version, by release-please's rules: strings and facts in, a version out.

use crate::commit::Change;
use schemars::JsonSchema;
use semver::{Prerelease, Version};
use serde::{Deserialize, Serialize};

/// How the next version is chosen (release-please's `versioning`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Breaking → major, feature → minor, anything else → patch.
    #[default]
    Default,
    AlwaysBumpPatch,
    AlwaysBumpMinor,
    AlwaysBumpMajor,
    /// Pre-releases labelled with `prerelease-type`, numbered on.
    Prerelease,
}

/// Everything the version rule needs besides the commits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionRules {
    pub strategy: Strategy,
    /// For the prerelease strategy: only `Some(true)` keeps making pre-releases; otherwise the next
    /// version is graduated to a plain release, as in release-please.
    pub prerelease: Option<bool>,
    pub prerelease_type: Option<String>,
    pub bump_minor_pre_major: bool,
    pub bump_patch_for_minor_pre_major: bool,
    /// The configured first version.
    pub initial_version: Option<Version>,
    /// The configured `release-as`.
    pub release_as: Option<Version>,
    /// The first version when none is configured: 0.1.0 for rust and python, else 1.0.0.
    pub first_release: Version,
}

impl Default for VersionRules {
    fn default() -> Self {
        Self {
            strategy: Strategy::Default,
            prerelease: None,
            prerelease_type: None,
            bump_minor_pre_major: false,
            bump_patch_for_minor_pre_major: false,
            initial_version: None,
            release_as: None,
            first_release: Version::new(1, 0, 0),
        }
    }
}

impl VersionRules {
    /// Whether pre-release tags count as the previous release.
    pub fn counts_prereleases(&self) -> bool {
        self.strategy == Strategy::Prerelease || self.prerelease == Some(true)
    }
}

/// Which rule decided the next version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Bump {
    Major,
    Minor,
    Patch,
    Prerelease,
    ReleaseAs,
    Initial,
    None,
}

/// The outcome: the next version (none when there is nothing to release) and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub next: Option<Version>,
    pub bump: Bump,
}

impl Decision {
    const NOTHING: Self = Self {
        next: None,
        bump: Bump::None,
    };
}

/// Decides the next version from the previous release and the changes since it (newest first).
///
/// `is_visible` says whether a change type appears in the changelog: a release needs at least one
/// visible, breaking or `Release-As` change, as in release-please.
pub fn decide(
    previous: Option<&Version>,
    changes: &[Change],
    rules: &VersionRules,
    is_visible: impl Fn(&str) -> bool,
) -> Result<Decision, crate::UsageError> {
    if changes.is_empty() {
        return Ok(Decision::NOTHING);
    }
    let release_as = rules
        .release_as
        .clone()
        .or_else(|| changes.iter().find_map(|c| c.release_as.clone()));
    if let Some(version) = release_as {
        if previous == Some(&version) {
            return Ok(Decision::NOTHING);
        }
        return Ok(Decision {
            next: Some(version),
            bump: Bump::ReleaseAs,
        });
    }
    if !changes.iter().any(|c| c.breaking || is_visible(&c.kind)) {
        return Ok(Decision::NOTHING);
    }
    let Some(previous) = previous else {
        let first = rules
            .initial_version
            .clone()
            .unwrap_or_else(|| rules.first_release.clone());
        return Ok(Decision {
            next: Some(first),
            bump: Bump::Initial,
        });
    };
    let level = match rules.strategy {
        Strategy::AlwaysBumpPatch => Level::Patch,
        Strategy::AlwaysBumpMinor => Level::Minor,
        Strategy::AlwaysBumpMajor => Level::Major,
        Strategy::Default | Strategy::Prerelease => level_of(previous, changes, rules),
    };
    if rules.strategy == Strategy::Prerelease {
        return prerelease_bump(previous, level, rules);
    }
    Ok(Decision {
        next: Some(plain_bump(previous, level)?),
        bump: level.into(),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Level {
    Patch,
    Minor,
    Major,
}

impl From<Level> for Bump {
    fn from(level: Level) -> Self {
        match level {
            Level::Patch => Bump::Patch,
            Level::Minor => Bump::Minor,
            Level::Major => Bump::Major,
        }
    }
}

/// breaking → major, feat → minor, else patch; the pre-1.0 options soften the first two.
fn level_of(previous: &Version, changes: &[Change], rules: &VersionRules) -> Level {
    let pre_major = previous.major == 0;
    if changes.iter().any(|c| c.breaking) {
        if pre_major && rules.bump_minor_pre_major {
            Level::Minor
        } else {
            Level::Major
        }
    } else if changes
        .iter()
        .any(|c| c.kind == "feat" || c.kind == "feature")
    {
        if pre_major && rules.bump_patch_for_minor_pre_major {
            Level::Patch
        } else {
            Level::Minor
        }
    } else {
        Level::Patch
    }
}

/// A plain bump. A previous pre-release keeps its label, as release-please's default strategy does.
/// A number already at its largest is refused: wrapping to 0 would release an older version.
fn plain_bump(previous: &Version, level: Level) -> Result<Version, crate::UsageError> {
    let grown = |number: u64, part: &str| {
        number.checked_add(1).ok_or_else(|| {
            crate::UsageError(format!(
                "{previous} cannot take a {part} bump: its {part} number is already the largest there is ({})",
                u64::MAX
            ) + "; set `release-as` to the version to release")
        })
    };
    let mut next = match level {
        Level::Major => Version::new(grown(previous.major, "major")?, 0, 0),
        Level::Minor => Version::new(previous.major, grown(previous.minor, "minor")?, 0),
        Level::Patch => Version::new(
            previous.major,
            previous.minor,
            grown(previous.patch, "patch")?,
        ),
    };
    next.pre = previous.pre.clone();
    next.build = previous.build.clone();
    Ok(next)
}

/// The prerelease strategy. A version that is already a pre-release stays on its line and only
/// numbers on, unless the change needs a bigger line (a feature after a patch pre-release, a
/// breaking change after a minor one); `prerelease-type` labels a new line and never relabels an
/// existing one. Unless `prerelease` is true, the result is graduated to its plain version.
fn prerelease_bump(
    previous: &Version,
    level: Level,
    rules: &VersionRules,
) -> Result<Decision, crate::UsageError> {
    let stays_on_line = !previous.pre.is_empty()
        && match level {
            Level::Major => previous.minor == 0 && previous.patch == 0,
            Level::Minor => previous.patch == 0,
            Level::Patch => true,
        };
    let (mut next, mut bump) = if stays_on_line {
        let mut next = previous.clone();
        next.pre = next_prerelease(&previous.pre);
        (next, Bump::Prerelease)
    } else {
        let mut next = plain_bump(previous, level)?;
        if previous.pre.is_empty() {
            next.pre = prerelease_label(rules.prerelease_type.as_deref().unwrap_or_default());
        }
        (next, level.into())
    };
    if rules.prerelease != Some(true) {
        next = Version::new(next.major, next.minor, next.patch);
        if bump == Bump::Prerelease {
            bump = level.into();
        }
    }
    Ok(Decision {
        next: Some(next),
        bump,
    })
}

fn prerelease_label(label: &str) -> Prerelease {
    Prerelease::new(label).unwrap_or(Prerelease::EMPTY)
}

/// Numbers a pre-release on: the last number grows, keeping its zero padding (`beta09` →
/// `beta10`, `rc.1` → `rc.2`); a label without a number gets `.1` (`beta` → `beta.1`).
pub fn next_prerelease(pre: &Prerelease) -> Prerelease {
    let text = pre.as_str();
    let digits_start = text
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_ascii_digit())
        .last()
        .map(|(i, _)| i);
    let next = match digits_start {
        Some(start) => {
            let digits = &text[start..];
            let number: u128 = digits.parse().unwrap_or(0) + 1;
            format!("{}{:0width$}", &text[..start], number, width = digits.len())
        }
        None => format!("{text}.1"),
    };
    Prerelease::new(&next).unwrap_or_else(|_| pre.clone())
}
