//! The words of the release PR and the GitHub release, as release-please writes them (so that
//! workflows, people and tools that read them keep working after a switch): the branch, title,
//! body, labels, release name and the comment left on a merged release PR; and the commit
//! overrides maintainers write into a merged PR's body.

/// The label release-please puts on an open release PR.
pub const PENDING_LABEL: &str = "autorelease: pending";
/// The label release-please puts on a release PR once its releases exist.
pub const TAGGED_LABEL: &str = "autorelease: tagged";
pub const HEADER: &str = ":robot: I have created a release *beep* *boop*";
pub const FOOTER: &str = "This PR was generated with [Tidegate](https://github.com/tidegate/tidegate) `bump pr`: it is rebuilt from the base branch on every run, and merging it makes the release.";
/// GitHub's limit on a pull request body, in characters.
pub const MAX_BODY_CHARS: usize = 65_536;
/// Marks the comments `bump pr` leaves, so that it never leaves the same one twice.
pub const COMMENT_MARK: &str = "<!-- tidegate:bump -->";

/// The release branch of `base`: release-please's name, so that a team switching mid-cycle gets
/// its open release PR updated rather than a second one.
pub fn branch_name(base: &str) -> String {
    format!("release-please--branches--{base}")
}

/// One package's part of a release PR.
#[derive(Clone, Debug)]
pub struct PackageNotes {
    /// The component, when the package's tags carry one.
    pub component: Option<String>,
    pub version: String,
    /// The changelog section.
    pub notes: String,
}

/// `chore(main): release 1.2.3` (`… release api 1.2.3` with a component), or `chore: release main`
/// for a repository of several packages, whatever their number in this release.
pub fn title(base: &str, packages: &[PackageNotes], grouped: bool) -> String {
    match packages {
        [one] if !grouped => match &one.component {
            Some(c) => format!("chore({base}): release {c} {}", one.version),
            None => format!("chore({base}): release {}", one.version),
        },
        _ => format!("chore: release {base}"),
    }
}

/// Whether a commit message's first line is a release PR's title (release-please's or ours):
/// such commits on the release branch are the bot's, any other is a person's.
pub fn is_release_title(message: &str) -> bool {
    let line = message.lines().next().unwrap_or_default();
    let Some(rest) = line.strip_prefix("chore") else {
        return false;
    };
    let rest = match rest.strip_prefix('(') {
        Some(scoped) => match scoped.split_once(')') {
            Some((_, after)) => after,
            None => return false,
        },
        None => rest,
    };
    rest.starts_with(": release")
}

/// The body: release-please's header and layout (one `<details>` block per package when grouped),
/// cut with a link to the changelog on the release branch when it passes GitHub's limit.
pub fn body(packages: &[PackageNotes], grouped: bool, changelog_url: &str) -> String {
    let notes: Vec<String> = packages
        .iter()
        .map(|p| {
            let notes = p.notes.trim_end();
            if grouped {
                let summary = match &p.component {
                    Some(c) => format!("{c}: {}", p.version),
                    None => p.version.clone(),
                };
                format!("<details><summary>{summary}</summary>\n\n{notes}\n</details>")
            } else {
                notes.to_string()
            }
        })
        .collect();
    let whole = layout(&notes.join("\n\n"));
    if whole.chars().count() <= MAX_BODY_CHARS {
        return whole;
    }
    let cut_note = format!(
        "\n\n…\n\n**These notes are cut short here: GitHub takes at most {MAX_BODY_CHARS} characters. The full notes are in [the changelog on the release branch]({changelog_url}).**"
    );
    const CLOSE: &str = "\n</details>";
    let room = MAX_BODY_CHARS - layout("").chars().count() - cut_note.chars().count() - CLOSE.len();
    let joined = notes.join("\n\n");
    let mut kept: String = joined.chars().take(room).collect();
    // Cut at a line end, so that no link or tag is left half-written.
    if let Some(end) = kept.rfind('\n') {
        kept.truncate(end);
    }
    if grouped && kept.matches("<details>").count() > kept.matches("</details>").count() {
        kept.push_str(CLOSE);
    }
    layout(&format!("{kept}{cut_note}"))
}

fn layout(notes: &str) -> String {
    format!("{HEADER}\n---\n\n\n{notes}\n\n---\n{FOOTER}")
}

/// The GitHub release's name: `v1.2.3`, or `api: v1.2.3` when tags carry the component.
pub fn release_name(component: Option<&str>, version: &str) -> String {
    match component {
        Some(c) => format!("{c}: v{version}"),
        None => format!("v{version}"),
    }
}

/// The comment on a merged release PR once its releases exist (release-please's words).
pub fn released_comment(releases: &[(String, String)]) -> String {
    let lines: Vec<String> = releases
        .iter()
        .map(|(tag, url)| format!("- [{tag}]({url})"))
        .collect();
    format!(
        "🤖 Created releases:\n\n{}\n\n:sunflower:",
        lines.join("\n")
    )
}

/// The section of `version` in a changelog (from its `## ` heading to the next one), trimmed;
/// `None` when the changelog has no such section.
pub fn changelog_section(changelog: &str, version: &str) -> Option<String> {
    let text = changelog.replace("\r\n", "\n");
    let mut start = None;
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        if let Some(named) = crate::changelog::release_heading(line) {
            match start {
                Some(s) => return Some(text[s..offset].trim().to_string()),
                None if named == version => start = Some(offset),
                None => {}
            }
        }
        offset += line.len();
    }
    start.map(|s| text[s..].trim().to_string())
}

/// The messages a merged PR's body gives its commits in place of their own: the text between
/// `BEGIN_COMMIT_OVERRIDE` and `END_COMMIT_OVERRIDE` (to the end when there is no end marker),
/// split into one message per conventional header that follows a blank line, as release-please
/// reads it. `None` when the body has no override (or an empty one).
pub fn commit_override(body: &str) -> Option<Vec<String>> {
    let (_, after) = body.split_once("BEGIN_COMMIT_OVERRIDE")?;
    let text = after
        .split("END_COMMIT_OVERRIDE")
        .next()
        .unwrap_or_default()
        .replace("\r\n", "\n");
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut messages: Vec<String> = Vec::new();
    let mut current = String::new();
    for paragraph in text.split("\n\n") {
        if !current.is_empty() && starts_conventional(paragraph) {
            messages.push(std::mem::take(&mut current));
        }
        if !current.is_empty() {
            current.push_str("\n\n");
        }
        current.push_str(paragraph);
    }
    messages.push(current);
    Some(
        messages
            .into_iter()
            .map(|m| m.trim().to_string())
            .filter(|m| !m.is_empty())
            .collect(),
    )
}

/// `type: ` or `type(scope): ` with one of the types release-please splits on.
fn starts_conventional(text: &str) -> bool {
    const TYPES: [&str; 11] = [
        "feat", "fix", "docs", "style", "refactor", "perf", "test", "build", "ci", "chore",
        "revert",
    ];
    TYPES.iter().any(|t| {
        text.strip_prefix(t).is_some_and(|rest| {
            let rest = match rest.strip_prefix('(') {
                Some(scoped) => scoped.split_once(')').map_or("", |(_, after)| after),
                None => rest,
            };
            rest.starts_with(": ")
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(version: &str, component: Option<&str>, notes: &str) -> PackageNotes {
        PackageNotes {
            component: component.map(String::from),
            version: version.into(),
            notes: notes.into(),
        }
    }

    #[test]
    fn titles_are_release_pleases() {
        assert_eq!(
            title("main", &[one("1.2.3", None, "")], false),
            "chore(main): release 1.2.3"
        );
        assert_eq!(
            title("main", &[one("1.2.3", Some("api"), "")], false),
            "chore(main): release api 1.2.3"
        );
        assert_eq!(
            title("main", &[one("1.2.3", Some("api"), "")], true),
            "chore: release main"
        );
        for bot in [
            "chore(main): release 1.2.3",
            "chore: release main",
            "chore(release/1.x): release api 1.2.3",
        ] {
            assert!(is_release_title(bot), "{bot}");
        }
        for person in [
            "Update CHANGELOG.md",
            "chore(main): bump deps",
            "fix: release",
        ] {
            assert!(!is_release_title(person), "{person}");
        }
    }

    #[test]
    fn bodies_follow_release_pleases_layout() {
        let single = body(
            &[one("1.2.3", None, "## [1.2.3](x) (2026-01-02)\n\n* a\n")],
            false,
            "u",
        );
        assert_eq!(
            single,
            format!("{HEADER}\n---\n\n\n## [1.2.3](x) (2026-01-02)\n\n* a\n\n---\n{FOOTER}")
        );
        let grouped = body(
            &[
                one("1.0.0", Some("a"), "## 1.0.0"),
                one("2.0.0", None, "## 2.0.0"),
            ],
            true,
            "u",
        );
        assert!(grouped.contains(
            "<details><summary>a: 1.0.0</summary>\n\n## 1.0.0\n</details>\n\n<details><summary>2.0.0</summary>\n\n## 2.0.0\n</details>"
        ));
    }

    #[test]
    fn long_bodies_are_cut_under_the_limit_with_a_link() {
        let notes: String = (0..5000)
            .map(|i| format!("* change number {i}\n"))
            .collect();
        let cut = body(
            &[one("1.0.0", Some("a"), &notes)],
            true,
            "https://x/CHANGELOG.md",
        );
        assert!(cut.chars().count() <= MAX_BODY_CHARS);
        assert!(cut.contains("(https://x/CHANGELOG.md)"));
        assert!(cut.ends_with(FOOTER));
        assert_eq!(
            cut.matches("<details>").count(),
            cut.matches("</details>").count()
        );
        assert!(cut.contains("* change number 10\n"));
    }

    #[test]
    fn a_versions_section_is_found_in_the_changelog() {
        let log = "# Changelog\n\n## [1.3.0](u) (d)\n\n### Features\n\n* b\n\n### [1.2.1](u) (d)\n\n* c\n\n## 1.2.0 (d)\n\n* a\n";
        assert_eq!(
            changelog_section(log, "1.3.0").as_deref(),
            Some("## [1.3.0](u) (d)\n\n### Features\n\n* b")
        );
        assert_eq!(
            changelog_section(log, "1.2.1").as_deref(),
            Some("### [1.2.1](u) (d)\n\n* c")
        );
        assert_eq!(
            changelog_section(log, "1.2.0").as_deref(),
            Some("## 1.2.0 (d)\n\n* a")
        );
        assert_eq!(changelog_section(log, "1.1.0"), None);
        // lerna's level-1 headings end a section too.
        let lerna = "# Changelog\n\n## [2.0.0](u) (d)\n\n* new\n\n# [1.5.0](u) (d)\n\n* old\n";
        assert_eq!(
            changelog_section(lerna, "2.0.0").as_deref(),
            Some("## [2.0.0](u) (d)\n\n* new")
        );
    }

    #[test]
    fn overrides_split_on_conventional_headers_after_blank_lines() {
        let body = "Bumps deps.\n\nBEGIN_COMMIT_OVERRIDE\nfix(deps): update serde\n\nMore words.\n\nfeat: add x\nfeat!: not split\nEND_COMMIT_OVERRIDE\ntrailing";
        assert_eq!(
            commit_override(body),
            Some(vec![
                "fix(deps): update serde\n\nMore words.".to_string(),
                "feat: add x\nfeat!: not split".to_string(),
            ])
        );
        assert_eq!(
            commit_override("BEGIN_COMMIT_OVERRIDE\n \nEND_COMMIT_OVERRIDE"),
            None
        );
        assert_eq!(commit_override("no override"), None);
        assert_eq!(
            commit_override("BEGIN_COMMIT_OVERRIDE\nfix: a"),
            Some(vec!["fix: a".to_string()])
        );
    }
}
