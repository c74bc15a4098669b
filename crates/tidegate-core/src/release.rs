//! A release's facts, settled: the changes since the previous release and what they add up to.

use crate::commit::{Change, CommitInfo, cancel_revert_pairs, classify_with};
use crate::config::PackageConfig;
use crate::version::{Decision, decide};
use semver::Version;
use std::collections::BTreeMap;

/// The changes of a range of commits, with any warnings about them.
#[derive(Clone, Debug, Default)]
pub struct Analysis {
    /// Newest first; one commit can give several changes (squash merges).
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

impl Analysis {
    /// Classifies commits (newest first) with a package's known types; a change and its revert,
    /// both in the range, cancel out.
    pub fn of(commits: &[CommitInfo], package: &PackageConfig) -> Self {
        let types = package.known_types();
        let mut out = Self::default();
        let mut changes = Vec::new();
        for commit in commits {
            let classified = classify_with(commit, &types, package.git_reverts);
            changes.extend(classified.changes);
            out.warnings.extend(classified.warnings);
        }
        out.changes = cancel_revert_pairs(changes);
        if let Some(special) = &package.sentence_case {
            for change in out.changes.iter_mut().filter(|c| c.is_conventional()) {
                sentence_case(&mut change.description, special);
            }
        }
        out
    }

    /// How many changes of each type, `other` for messages that are not conventional.
    pub fn type_counts(&self) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for change in &self.changes {
            *counts.entry(change.kind.clone()).or_insert(0) += 1;
        }
        counts
    }

    pub fn breaking_count(&self) -> usize {
        self.changes.iter().filter(|c| c.breaking).count()
    }

    /// The next version after `previous` for this package.
    pub fn decide(
        &self,
        previous: Option<&Version>,
        package: &PackageConfig,
    ) -> Result<Decision, crate::UsageError> {
        decide(previous, &self.changes, &package.rules, |kind| {
            package.is_visible(kind)
        })
    }
}

/// release-please's sentence-case plugin: a description starting with a lower-case letter gets
/// an upper-case one, unless it is one of the special words as a whole.
fn sentence_case(description: &mut String, special: &[String]) {
    if special.iter().any(|w| w == description) {
        return;
    }
    if let Some(first) = description.chars().next().filter(char::is_ascii_lowercase) {
        description.replace_range(..1, &first.to_ascii_uppercase().to_string());
    }
}

/// `YYYY-MM-DD` of a time in seconds since the epoch, in UTC.
pub fn utc_date(seconds: i64) -> String {
    // Days since 1970-01-01 to a civil date (proleptic Gregorian), after Howard Hinnant's
    // public-domain `civil_from_days` algorithm.
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::utc_date;

    #[test]
    fn dates_are_utc_calendar_days() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_767_225_600), "2026-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_798_761_599), "2026-12-31");
        assert_eq!(utc_date(-1), "1969-12-31");
    }
}
