//! Release lines: branches cut for one version (`release/1.4.0`, its candidates `v1.4.0-rc.N`
//! and its final release) or for the patches of a released one (`release/1.4.x`), and the rules
//! that keep a line to fixes.

use schemars::JsonSchema;
use semver::{Prerelease, Version};
use serde::Deserialize;

use crate::conventional;

/// The `[release-lines]` table of `tidegate.toml`.
#[derive(Clone, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
pub struct LineOptions {
    /// The branch `bump cut X.Y.Z` makes, with `{version}`, `{major}`, `{minor}`, `{patch}` and
    /// `{component}` (default "release/{version}", or "release/{component}-{version}" for a
    /// package of a monorepo that has a component).
    pub branch: Option<String>,
    /// The branch `bump cut --hotfix vX.Y.Z` makes for the patches of a release (default
    /// "release/{major}.{minor}.x", or "release/{component}-{major}.{minor}.x" in a monorepo).
    pub hotfix_branch: Option<String>,
    /// The branch lines are cut from, whose history is not the line's (default "main").
    pub from: Option<String>,
    /// On a line's branch, `bump release` makes candidates with this pre-release label ("rc")
    /// until `bump promote` makes the final release. Unset: only with `--prerelease`.
    pub candidates: Option<String>,
    /// The commit types a line takes (default: fix, perf, revert, docs, test, build, ci, chore).
    pub allowed_types: Option<Vec<String>>,
    /// A commit of another type (or a breaking change) on a line stops `bump release` instead of
    /// being reported (default false).
    pub refuse_other_types: Option<bool>,
    /// How `bump cut` lands the version bump on the new branch: "commit" (default) or "pr".
    pub cut_with: Option<CutWith>,
}

#[derive(Clone, Copy, Debug, Default, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum CutWith {
    /// One commit on the new branch, made through the API.
    #[default]
    Commit,
    /// A release PR into the new branch, which starts at the cut commit.
    Pr,
}

/// The settled `[release-lines]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineConfig {
    pub branch: String,
    pub hotfix_branch: String,
    /// Whether the patterns were given (else a monorepo package's component goes in front).
    pub configured: bool,
    pub from: String,
    pub candidates: Option<String>,
    pub allowed_types: Vec<String>,
    pub refuse_other_types: bool,
    pub cut_with: CutWith,
}

pub const DEFAULT_ALLOWED: [&str; 8] = [
    "fix", "perf", "revert", "docs", "test", "build", "ci", "chore",
];

impl LineConfig {
    pub fn settle(options: Option<&LineOptions>) -> Result<Self, String> {
        let o = options.cloned().unwrap_or_default();
        let configured = o.branch.is_some() || o.hotfix_branch.is_some();
        let config = Self {
            configured,
            branch: o.branch.unwrap_or_else(|| "release/{version}".into()),
            hotfix_branch: o
                .hotfix_branch
                .unwrap_or_else(|| "release/{major}.{minor}.x".into()),
            from: o.from.unwrap_or_else(|| "main".into()),
            candidates: o.candidates,
            allowed_types: o
                .allowed_types
                .unwrap_or_else(|| DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect()),
            refuse_other_types: o.refuse_other_types.unwrap_or(false),
            cut_with: o.cut_with.unwrap_or_default(),
        };
        for (key, pattern) in [
            ("branch", &config.branch),
            ("hotfix-branch", &config.hotfix_branch),
        ] {
            if !pattern.contains('{') {
                return Err(format!(
                    "release-lines.{key} `{pattern}` holds no placeholder: write it with {{version}} or {{major}}.{{minor}}, such as \"release/{{version}}\""
                ));
            }
            if let Some(bad) = placeholders(pattern).find(|p| !PLACEHOLDERS.contains(p)) {
                return Err(format!(
                    "release-lines.{key} has an unknown placeholder {{{bad}}}: use {{version}}, {{major}}, {{minor}}, {{patch}} or {{component}}"
                ));
            }
        }
        if let Some(label) = &config.candidates {
            check_label(label).map_err(|e| format!("release-lines.candidates: {e}"))?;
        }
        Ok(config)
    }

    /// The branch of a line cut for `version` of the package with `component` (a monorepo's
    /// package: two packages' lines of one version must not collide).
    pub fn branch_for(&self, version: &Version, component: Option<&str>) -> String {
        fill(&self.pattern(&self.branch, component), version, component)
    }

    /// The branch of the maintenance line of a release.
    pub fn hotfix_branch_for(&self, version: &Version, component: Option<&str>) -> String {
        fill(
            &self.pattern(&self.hotfix_branch, component),
            version,
            component,
        )
    }

    fn pattern(&self, pattern: &str, component: Option<&str>) -> String {
        match component {
            Some(_) if !self.configured => pattern.replacen("release/", "release/{component}-", 1),
            _ => pattern.to_string(),
        }
    }

    /// Whether `branch` is a line's, by either pattern (with a component in front, too).
    pub fn is_line(&self, branch: &str) -> bool {
        [&self.branch, &self.hotfix_branch].iter().any(|pattern| {
            matches_pattern(pattern, branch)
                || matches_pattern(&self.pattern(pattern, Some("")), branch)
        })
    }
}

const PLACEHOLDERS: [&str; 5] = ["version", "major", "minor", "patch", "component"];

fn placeholders(pattern: &str) -> impl Iterator<Item = &str> {
    pattern
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

fn fill(pattern: &str, version: &Version, component: Option<&str>) -> String {
    pattern
        .replace("{component}", component.unwrap_or_default())
        .replace(
            "{version}",
            &format!("{}.{}.{}", version.major, version.minor, version.patch),
        )
        .replace("{major}", &version.major.to_string())
        .replace("{minor}", &version.minor.to_string())
        .replace("{patch}", &version.patch.to_string())
}

/// Whether `branch` is `pattern` with numbers (or a version) in its placeholders.
fn matches_pattern(pattern: &str, branch: &str) -> bool {
    let mut expression = String::from("^");
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        expression.push_str(&regex_lite::escape(&rest[..start]));
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        expression.push_str(match &rest[start + 1..start + end] {
            "version" => r"[0-9]+\.[0-9]+\.[0-9]+",
            "component" => r"[A-Za-z0-9._@/-]+",
            _ => "[0-9]+",
        });
        rest = &rest[start + end + 1..];
    }
    expression.push_str(&regex_lite::escape(rest));
    expression.push('$');
    regex_lite::Regex::new(&expression).is_ok_and(|r| r.is_match(branch))
}

/// A pre-release label a candidate can carry: letters only ("rc", "beta").
pub fn check_label(label: &str) -> Result<(), String> {
    if label.is_empty() || !label.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(format!(
            "`{label}` is not a pre-release label: use letters only, such as rc or beta"
        ));
    }
    Ok(())
}

/// How a team writes its candidates' numbers: `rc.1` (semver's) or `rc1`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    Dotted,
    Joined,
}

/// The candidate number of `version` for `label` (`1.4.0-rc.2` and `1.4.0-rc2` are both 2),
/// with its spelling.
pub fn candidate_number(version: &Version, label: &str) -> Option<(u64, Spelling)> {
    let pre = version.pre.as_str();
    let rest = pre.strip_prefix(label)?;
    let (digits, spelling) = match rest.strip_prefix('.') {
        Some(digits) => (digits, Spelling::Dotted),
        None => (rest, Spelling::Joined),
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, spelling))
}

/// Candidate `number` of the final version `base`.
pub fn candidate(base: &Version, label: &str, number: u64, spelling: Spelling) -> Version {
    let pre = match spelling {
        Spelling::Dotted => format!("{label}.{number}"),
        Spelling::Joined => format!("{label}{number}"),
    };
    Version {
        pre: Prerelease::new(&pre).unwrap_or(Prerelease::EMPTY),
        build: semver::BuildMetadata::EMPTY,
        ..base.clone()
    }
}

/// The final version a candidate is of.
pub fn final_of(version: &Version) -> Version {
    Version::new(version.major, version.minor, version.patch)
}

/// A commit a line should not carry.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Offender {
    pub id: String,
    pub subject: String,
    pub author: String,
    /// Why: "feat", "breaking", or "not a conventional commit".
    pub reason: String,
}

/// The commits (id, message, author) whose type the line does not take, or that break.
pub fn offenders<'a>(
    commits: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    allowed: &[String],
) -> Vec<Offender> {
    commits
        .into_iter()
        .filter_map(|(id, message, author)| {
            let subject = message.lines().next().unwrap_or_default().to_string();
            let changes = conventional::parse_commit_message(message);
            // The header's type is the commit's; a breaking-change footer anywhere counts.
            let header = conventional::header_type(message);
            let reason = if changes.iter().any(|c| c.breaking_note.is_some()) {
                "breaking".to_string()
            } else if let Some(kind) = header
                .as_ref()
                .filter(|kind| !allowed.iter().any(|t| t.eq_ignore_ascii_case(kind)))
            {
                kind.clone()
            } else if header.is_some()
                // GitHub's revert button and merge records undo or join; they add nothing.
                || subject.starts_with("Revert \"")
                || subject.starts_with("Merge ")
            {
                return None;
            } else {
                "not a conventional commit".to_string()
            };
            Some(Offender {
                id: id.to_string(),
                subject,
                author: author.to_string(),
                reason,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(text: &str) -> Version {
        Version::parse(text).expect("version")
    }

    #[test]
    fn branches_are_named_and_recognized_by_their_patterns() {
        let config = LineConfig::settle(None).expect("defaults");
        assert_eq!(config.branch_for(&v("1.4.0"), None), "release/1.4.0");
        assert_eq!(config.hotfix_branch_for(&v("1.4.0"), None), "release/1.4.x");
        // A monorepo's package: its component in front, so two packages' lines never collide.
        assert_eq!(
            config.branch_for(&v("1.4.0"), Some("api")),
            "release/api-1.4.0"
        );
        assert!(config.is_line("release/api-1.4.0"));
        assert!(config.is_line("release/api-1.4.x"));
        assert!(config.is_line("release/1.4.0"));
        assert!(config.is_line("release/1.4.x"));
        assert!(!config.is_line("release/next"));
        assert!(!config.is_line("main"));
        assert!(!config.is_line("xrelease/1.4.0"));
    }

    #[test]
    fn patterns_without_placeholders_or_with_unknown_ones_are_refused() {
        for (pattern, said) in [("release", "no placeholder"), ("rel/{ver}", "{ver}")] {
            let error = LineConfig::settle(Some(&LineOptions {
                branch: Some(pattern.into()),
                ..LineOptions::default()
            }))
            .expect_err("refused");
            assert!(error.contains(said), "{error}");
        }
    }

    #[test]
    fn candidates_keep_the_teams_spelling() {
        assert_eq!(
            candidate_number(&v("1.4.0-rc.2"), "rc"),
            Some((2, Spelling::Dotted))
        );
        assert_eq!(
            candidate_number(&v("1.4.0-rc12"), "rc"),
            Some((12, Spelling::Joined))
        );
        assert_eq!(candidate_number(&v("1.4.0-beta.1"), "rc"), None);
        assert_eq!(candidate_number(&v("1.4.0-rc"), "rc"), None);
        assert_eq!(candidate_number(&v("1.4.0-rc.1.2"), "rc"), None);
        assert_eq!(
            candidate(&v("1.4.0"), "rc", 3, Spelling::Joined).to_string(),
            "1.4.0-rc3"
        );
        assert_eq!(
            candidate(&v("1.4.0"), "rc", 3, Spelling::Dotted).to_string(),
            "1.4.0-rc.3"
        );
    }

    #[test]
    fn a_line_reports_features_breaking_changes_and_free_text() {
        let allowed: Vec<String> = DEFAULT_ALLOWED.iter().map(|s| s.to_string()).collect();
        let found = offenders(
            [
                ("a", "fix: x", "Ada"),
                ("b", "feat(api): y", "Grace"),
                ("c", "fix!: z", "Linus"),
                ("d", "tweak things", "Joan"),
                ("e", "Revert \"feat: y\"", "Ada"),
                ("f", "chore(deps): bump", "bot"),
                // A URL opening a body line is not a type.
                ("g", "fix: a leak\n\nhttps://example.invalid/issue", "Ada"),
            ],
            &allowed,
        );
        let reasons: Vec<(&str, &str)> = found
            .iter()
            .map(|o| (o.id.as_str(), o.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            [
                ("b", "feat"),
                ("c", "breaking"),
                ("d", "not a conventional commit")
            ]
        );
        assert_eq!(found[0].author, "Grace");
    }
}
