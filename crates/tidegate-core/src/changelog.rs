//! Release notes: the model of one release's changes, and its Markdown in release-please's layout.

use crate::commit::Change;
use crate::config::PackageConfig;
use crate::links::Links;
use crate::markdown::{escape_inline, link_issue_refs};
use serde::Serialize;

/// One release's notes, ready to render or to print as JSON.
#[derive(Clone, Debug, Serialize)]
pub struct ReleaseNotes {
    pub version: String,
    /// The release's tag (existing, or the one it would get).
    pub tag: Option<String>,
    pub previous_tag: Option<String>,
    /// `YYYY-MM-DD`, UTC.
    pub date: String,
    pub compare_url: Option<String>,
    /// How many commits the release holds, merge records excluded.
    pub commit_count: usize,
    pub breaking: Vec<Entry>,
    /// Visible sections that have entries, in configured order.
    pub sections: Vec<Section>,
    /// Workspace crates this package depends on by path that move in the same release.
    pub dependencies: Vec<crate::plan::DependencyUpdate>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Section {
    pub title: String,
    pub entries: Vec<Entry>,
}

/// One line of the notes. Text fields ending in `_md` are escaped for Markdown; the others are the
/// commit's own words.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    #[serde(rename = "type")]
    pub kind: String,
    pub scope: Option<String>,
    pub description: String,
    pub description_md: String,
    pub breaking: bool,
    pub breaking_note: Option<String>,
    pub prs: Vec<Link>,
    pub commit: Link,
    /// Issues the commit's footers refer to (`Closes #7`), listed after the links as `refs`.
    pub references: Vec<Link>,
    pub author: String,
    /// The whole entry line as the default layout writes it (without the leading `* `).
    pub line_md: String,
}

/// A pull request or commit with its web address, when the remote is known.
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    /// `#12` or a 7-character SHA.
    pub label: String,
    pub id: String,
    pub url: Option<String>,
}

impl Link {
    fn markdown(&self) -> String {
        match &self.url {
            Some(url) => format!("[{}]({url})", self.label),
            None => self.label.clone(),
        }
    }
}

/// What a release's heading says about it.
#[derive(Clone, Debug)]
pub struct ReleaseHeading {
    pub version: String,
    pub tag: Option<String>,
    pub previous_tag: Option<String>,
    pub date: String,
}

/// Builds one release's notes from its changes (newest first).
pub fn build(
    heading: ReleaseHeading,
    changes: &[Change],
    commit_count: usize,
    package: &PackageConfig,
    links: Option<&Links>,
) -> ReleaseNotes {
    let entry = |change: &Change, text: &str| make_entry(change, text, links);
    // release-please lists each note as its text alone, without the commit's links.
    let breaking: Vec<Entry> = changes
        .iter()
        .filter(|c| c.breaking)
        .map(|c| {
            let note = c.breaking_note.as_deref().unwrap_or(&c.description);
            let mut e = entry(c, note);
            e.line_md = breaking_line(c, note, links);
            e
        })
        .collect();

    let mut sections: Vec<Section> = Vec::new();
    // A breaking or Release-As change of a type no section names is still listed, under its type
    // as the heading, ahead of the configured sections (release-please's writer does this).
    for change in changes {
        let named = package.sections.iter().any(|s| s.kind == change.kind);
        if named || !change.is_conventional() || !(change.breaking || change.release_as.is_some()) {
            continue;
        }
        let line = entry(change, &change.description);
        match sections.iter_mut().find(|s| s.title == change.kind) {
            Some(existing) => existing.entries.push(line),
            None => sections.push(Section {
                title: change.kind.clone(),
                entries: vec![line],
            }),
        }
    }
    for configured in &package.sections {
        let members = changes.iter().filter(|c| {
            c.kind == configured.kind
                && (!configured.hidden || c.breaking || c.release_as.is_some())
        });
        let mut entries: Vec<Entry> = members.map(|c| entry(c, &c.description)).collect();
        if entries.is_empty() {
            continue;
        }
        match sections.iter_mut().find(|s| s.title == configured.section) {
            Some(existing) => existing.entries.append(&mut entries),
            None => sections.push(Section {
                title: configured.section.clone(),
                entries,
            }),
        }
    }
    for section in &mut sections {
        section.entries.sort_by_cached_key(|e| {
            let key = format!("{}{}", e.scope.as_deref().unwrap_or(""), e.description);
            (key.to_lowercase(), key)
        });
    }

    let compare_url = match (links, &heading.previous_tag, &heading.tag) {
        (Some(links), Some(from), Some(to)) => Some(links.compare(from, to)),
        _ => None,
    };
    ReleaseNotes {
        version: heading.version,
        tag: heading.tag,
        previous_tag: heading.previous_tag,
        date: heading.date,
        compare_url,
        commit_count,
        breaking,
        sections,
        dependencies: Vec::new(),
    }
}

/// `#N` and its issue page (release-please links pull requests as issues too).
fn issue_link(id: &str, links: Option<&Links>) -> Link {
    Link {
        label: format!("#{id}"),
        id: id.to_string(),
        url: links.map(|l| l.issue_ref(id)),
    }
}

/// Whether `#N` appears in the text as a whole number.
fn mentions_issue(text: &str, digits: &str) -> bool {
    let needle = format!("#{digits}");
    text.match_indices(&needle).any(|(at, _)| {
        !text[at + needle.len()..]
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit())
    })
}

/// A breaking-change line as release-please writes it: the scope, then the note, whose first
/// `(#N)` becomes a link.
fn breaking_line(change: &Change, note: &str, links: Option<&Links>) -> String {
    let mut line = String::new();
    if let Some(scope) = &change.scope {
        line.push_str(&format!("**{}:** ", escape_inline(scope)));
    }
    let linked = crate::commit::pr_refs(note)
        .next()
        .and_then(|(at, end, digits)| {
            let link = issue_link(digits, links);
            link.url.as_ref()?;
            Some(format!(
                "{}({}){}",
                escape_lines(&note[..at]),
                link.markdown(),
                escape_lines(&note[end..])
            ))
        });
    line.push_str(&linked.unwrap_or_else(|| escape_lines(note)));
    line
}

/// Escapes each line of a note, keeping its line breaks and indentation (release-please keeps a
/// note's list or `####` heading as indented Markdown under the entry).
fn escape_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let rest = line.trim_start();
            let indent = &line[..line.len() - rest.len()];
            let escaped = escape_inline(rest);
            // escape_inline drops edge spaces; keep the one that separates words from a link.
            let lead = if rest.len() < line.len() && !indent.contains('\n') {
                indent
            } else {
                ""
            };
            let tail = if line.ends_with(' ') && !rest.is_empty() {
                " "
            } else {
                ""
            };
            format!("{lead}{escaped}{tail}")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn make_entry(change: &Change, text: &str, links: Option<&Links>) -> Entry {
    let prs: Vec<Link> = change
        .prs
        .iter()
        .map(|n| issue_link(&n.to_string(), links))
        .collect();
    let commit = Link {
        label: change.short_id().to_string(),
        id: change.commit.clone(),
        url: links.map(|l| l.commit(&change.commit)),
    };
    let mut description_md = escape_inline(text);
    if let Some(links) = links {
        description_md = link_issue_refs(&description_md, |n| links.issue(n));
    }
    // A reference the line already shows is not repeated (release-please's rule).
    let references: Vec<Link> = change
        .references
        .iter()
        .filter(|r| !change.prs.iter().any(|p| p.to_string() == **r) && !mentions_issue(text, r))
        .map(|r| issue_link(r, links))
        .collect();
    let mut line = String::new();
    if let Some(scope) = &change.scope {
        line.push_str(&format!("**{}:** ", escape_inline(scope)));
    }
    line.push_str(&description_md);
    for pr in &prs {
        line.push_str(&format!(" ({})", pr.markdown()));
    }
    line.push_str(&format!(" ({})", commit.markdown()));
    // release-please writes `, closes` here in its older versions and `, refs` since it stopped
    // closing issues on merge; `refs` is what it writes today and closes nothing.
    if !references.is_empty() {
        line.push_str(", refs");
        for reference in &references {
            line.push_str(&format!(" {}", reference.markdown()));
        }
    }
    Entry {
        kind: change.kind.clone(),
        scope: change.scope.clone(),
        description: text.to_string(),
        description_md,
        breaking: change.breaking,
        breaking_note: change.breaking_note.clone(),
        prs,
        commit,
        references,
        author: change.author.clone(),
        line_md: line,
    }
}

/// The notes in release-please's layout: the heading, two blank lines, `### ⚠ BREAKING CHANGES`
/// (one blank line after it), then each section (two blank lines between sections).
pub fn render_markdown(notes: &ReleaseNotes) -> String {
    let title = match &notes.compare_url {
        Some(url) => format!("[{}]({url})", notes.version),
        None => notes.version.clone(),
    };
    let mut out = format!("## {title} ({})\n\n\n", notes.date);
    let block = |out: &mut String, heading: &str, entries: &[Entry], gap: &str| {
        out.push_str(&format!("### {heading}\n\n"));
        for entry in entries {
            out.push_str(&format!("* {}\n", entry.line_md));
        }
        out.push_str(gap);
    };
    if !notes.breaking.is_empty() {
        block(&mut out, "⚠ BREAKING CHANGES", &notes.breaking, "\n");
    }
    for section in &notes.sections {
        block(&mut out, &section.title, &section.entries, "\n\n");
    }
    // release-please's cargo-workspace layout, so the section reads the same.
    if !notes.dependencies.is_empty() {
        out.push_str("### Dependencies\n\n* The following workspace dependencies were updated\n");
        for dep in &notes.dependencies {
            let from = dep.from.as_deref().unwrap_or("none");
            out.push_str(&format!(
                "  * {} bumped from {from} to {}\n",
                escape_inline(&dep.name),
                dep.to
            ));
        }
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// A whole changelog: the title, then each release's notes, newest first.
pub fn render_document(sections: &[String]) -> String {
    let mut out = String::from("# Changelog\n");
    for section in sections {
        out.push('\n');
        out.push_str(section);
    }
    out
}

/// Inserts a release section into an existing changelog: under its `# ` title and intro (whatever
/// precedes the title, such as a `<!-- markdownlint-disable -->` comment, stays above it), or
/// above the first release when there is no title; every other byte is kept, and the section
/// takes the file's line endings (CRLF when its first line ends so). A section for the same
/// version that is already at the top is replaced, so running twice converges.
pub fn prepend(existing: &str, section: &str, version: &str) -> String {
    if existing.trim().is_empty() {
        return render_document(&[section.to_string()]);
    }
    let newline = if existing
        .split_inclusive('\n')
        .next()
        .is_some_and(|l| l.ends_with("\r\n"))
    {
        "\r\n"
    } else {
        "\n"
    };
    let section = section.replace("\r\n", "\n").replace('\n', newline);
    let body_start = title_end(existing);
    let (head, rest) = existing.split_at(body_start);
    let rest_trimmed = rest.trim_start_matches(['\n', '\r']);
    let rest = match rest_trimmed.lines().next().and_then(release_heading) {
        Some(v) if v == version => next_release_start(rest_trimmed),
        _ => rest_trimmed,
    };
    let mut out = String::with_capacity(existing.len() + section.len() + 4);
    out.push_str(head);
    if !head.is_empty() && !head.ends_with(&newline.repeat(2)) {
        out.push_str(newline);
        if !head.ends_with('\n') {
            out.push_str(newline);
        }
    }
    out.push_str(&section);
    if !rest.is_empty() {
        out.push_str(newline);
        out.push_str(rest);
    }
    out
}

/// Where new sections go: above the first release heading, as release-please finds it (a `## `
/// or `### ` heading starting with a version or `[`: older lerna `# [1.0.0]` entries below a
/// title stay under the newer ones); with none, after the `# Title` line and its intro (at the
/// first `## ` heading or a second `# ` heading), or at the first `## ` when there is no title.
fn title_end(text: &str) -> usize {
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let heading = raw
            .strip_prefix("## ")
            .or_else(|| raw.strip_prefix("### "))
            .map(|rest| rest.strip_prefix('v').unwrap_or(rest));
        if heading.is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit() || c == '[')) {
            return offset;
        }
        offset += raw.len();
    }
    let mut offset = 0;
    let mut titled = false;
    for raw in text.split_inclusive('\n') {
        let line = raw.trim_start_matches('\u{feff}');
        if line.starts_with("## ") || (titled && line.starts_with("# ")) {
            return offset;
        }
        titled |= line.starts_with("# ");
        offset += raw.len();
    }
    offset
}

/// The version a release heading names: `## [1.2.3](…)`, `## 1.2.3 (…)`, `## v1.2.3`,
/// release-please's older patch heading `### [1.2.3](…)`, or lerna's `# [1.2.3](…)`; `None` for
/// any other line (`### Features`, `# Changelog`).
pub fn release_heading(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("## ")
        .or_else(|| line.strip_prefix("# "))
        .or_else(|| line.strip_prefix("### ["))?;
    let rest = rest.strip_prefix('[').unwrap_or(rest);
    let rest = rest.strip_prefix('v').unwrap_or(rest);
    let version = rest.split([']', ' ', '(', '\n']).next()?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some(version)
}

/// The text from the second release heading on (or nothing).
fn next_release_start(text: &str) -> &str {
    let mut offset = 0;
    for (i, line) in text.split_inclusive('\n').enumerate() {
        if i > 0 && line.starts_with("## ") {
            return &text[offset..];
        }
        offset += line.len();
    }
    ""
}
