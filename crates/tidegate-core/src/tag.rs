//! Release tag names: `v1.2.3`, `1.2.3`, `component-v1.2.3`, `component/v1.2.3`.

use regex_lite::Regex;
use semver::Version;
use serde::Serialize;

/// How a package's release tags are spelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagFormat {
    /// The component name, when it is part of the tag.
    pub component: Option<String>,
    /// Between the component and the version (`-` or `/`).
    pub separator: String,
    /// Whether new tags get a `v` before the version. Reading accepts both spellings, so a project
    /// that changed its mind once still finds its old releases.
    pub include_v: bool,
    /// Which tags count as releases, beyond their spelling.
    pub filter: TagFilter,
}

/// git-cliff's tag knobs, as regular expressions over the whole tag name (validated when the
/// configuration is read).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TagFilter {
    /// `tag-pattern`: only tags it matches are releases.
    pub pattern: Option<String>,
    /// `ignore-tags`: tags it matches are not releases; their commits belong to the next one.
    pub ignore: Option<String>,
    /// `skip-tags`: releases whose notes are left out of a whole changelog (they still count
    /// as releases: the next release's notes start after them).
    pub skip: Option<String>,
}

/// A [`TagFilter`] compiled.
#[derive(Debug, Default)]
pub struct TagMatcher {
    pattern: Option<Regex>,
    ignore: Option<Regex>,
    skip: Option<Regex>,
}

impl TagFilter {
    /// Compiles the expressions; the error names the key and what is wrong.
    pub fn compile(&self) -> Result<TagMatcher, String> {
        let one = |key: &str, text: &Option<String>| -> Result<Option<Regex>, String> {
            text.as_deref()
                .map(|t| {
                    Regex::new(t).map_err(|e| {
                        format!(
                            "`{key}` is not a valid regular expression: {}",
                            first_line(&e.to_string())
                        )
                    })
                })
                .transpose()
        };
        Ok(TagMatcher {
            pattern: one("tag-pattern", &self.pattern)?,
            ignore: one("ignore-tags", &self.ignore)?,
            skip: one("skip-tags", &self.skip)?,
        })
    }
}

fn first_line(text: &str) -> &str {
    text.lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or(text)
        .trim()
}

impl TagMatcher {
    /// Whether a tag may be a release at all (`tag-pattern`, `ignore-tags`).
    pub fn admits(&self, tag: &str) -> bool {
        self.pattern.as_ref().is_none_or(|p| p.is_match(tag))
            && !self.ignore.as_ref().is_some_and(|i| i.is_match(tag))
    }

    /// Whether a release's notes are left out of a whole changelog (`skip-tags`).
    pub fn skips(&self, tag: &str) -> bool {
        self.skip.as_ref().is_some_and(|s| s.is_match(tag))
    }
}

impl Default for TagFormat {
    fn default() -> Self {
        Self {
            component: None,
            separator: "-".into(),
            include_v: true,
            filter: TagFilter::default(),
        }
    }
}

impl TagFormat {
    /// The tag a release of `version` gets.
    pub fn tag_name(&self, version: &Version) -> String {
        let v = if self.include_v { "v" } else { "" };
        match &self.component {
            Some(component) => format!("{component}{}{v}{version}", self.separator),
            None => format!("{v}{version}"),
        }
    }

    /// The version a tag names, if it is a release tag of this package.
    pub fn parse(&self, tag: &str) -> Option<Version> {
        // Any one separator character is read, as release-please reads tags (`gcf-utils@0.6.0`
        // is a `gcf-utils` release whatever `tag-separator` says new tags use).
        let rest = match &self.component {
            Some(component) => {
                let after = tag.strip_prefix(component.as_str())?;
                after.strip_prefix(self.separator.as_str()).or_else(|| {
                    let mut chars = after.chars();
                    chars
                        .next()
                        .filter(|c| !c.is_ascii_alphanumeric())
                        .map(|_| chars.as_str())
                })?
            }
            None => tag,
        };
        let rest = rest.strip_prefix('v').unwrap_or(rest);
        // Only plain digits may start the version: "v01.2.3" and "vx" are not releases.
        if !rest.starts_with(|c: char| c.is_ascii_digit()) {
            return None;
        }
        Version::parse(rest).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).expect("valid version")
    }

    #[test]
    fn formats_and_parses_each_spelling() {
        let plain = TagFormat::default();
        assert_eq!(plain.tag_name(&v("1.2.3")), "v1.2.3");
        assert_eq!(plain.parse("v1.2.3"), Some(v("1.2.3")));
        assert_eq!(plain.parse("1.2.3-rc.1"), Some(v("1.2.3-rc.1")));
        assert_eq!(plain.parse("api-v1.2.3"), None);
        assert_eq!(plain.parse("v1.2"), None);
        assert_eq!(plain.parse("latest"), None);

        let slash = TagFormat {
            component: Some("api".into()),
            separator: "/".into(),
            include_v: false,
            ..TagFormat::default()
        };
        assert_eq!(slash.tag_name(&v("2.0.0")), "api/2.0.0");
        assert_eq!(slash.parse("api/v2.0.0"), Some(v("2.0.0")));
        assert_eq!(
            slash.parse("api-v2.0.0"),
            Some(v("2.0.0")),
            "any separator reads"
        );
        assert_eq!(slash.parse("api@2.0.0"), Some(v("2.0.0")));
        assert_eq!(slash.parse("api-ui-v2.0.0"), None, "another component");
        assert_eq!(slash.parse("apix/2.0.0"), None);
        assert_eq!(slash.parse("v2.0.0"), None);
    }
}
