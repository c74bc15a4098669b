//! Commit classification: a commit message in, the changes it describes out.

use regex_lite::Regex;
use serde::Serialize;
use std::sync::LazyLock;

/// One commit as read from history: facts only, no interpretation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// Full hexadecimal object id.
    pub id: String,
    /// The whole message, lossily decoded when it is not UTF-8.
    pub message: String,
    pub author: String,
    /// Commit time, seconds since the epoch.
    pub time: i64,
    /// The pull request whose merge commit brought this commit in, if any.
    pub merged_pr: Option<u64>,
}

/// The type name given to messages that are not conventional commits.
pub const OTHER: &str = "other";

/// One change described by a commit. A squash-merged commit can describe several.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The conventional type, lower-cased (`feat`, `fix`…), or [`OTHER`].
    #[serde(rename = "type")]
    pub kind: String,
    pub scope: Option<String>,
    /// The description, without the trailing `(#123)` pull request references.
    pub description: String,
    pub body: Option<String>,
    pub breaking: bool,
    /// The `BREAKING CHANGE:` footer's text, or the description for a `!` commit.
    pub breaking_note: Option<String>,
    /// A valid `Release-As:` footer's version.
    pub release_as: Option<semver::Version>,
    /// Pull requests the change came through: `(#N)` in its header, else the merge commit's PR.
    pub prs: Vec<u64>,
    pub commit: String,
    pub author: String,
    pub time: i64,
}

impl Change {
    pub fn is_conventional(&self) -> bool {
        self.kind != OTHER
    }

    pub fn short_id(&self) -> &str {
        self.commit.get(..7).unwrap_or(&self.commit)
    }
}

/// Types that may start a further message inside one commit body (a squash merge). Only known types
/// count, so a body paragraph such as "Note: this is slow" is not mistaken for a change.
pub const DEFAULT_TYPES: &[&str] = &[
    "feat", "feature", "fix", "perf", "revert", "docs", "style", "chore", "refactor", "test",
    "build", "ci", "deps",
];

/// A header line of a further message: optional `* ` or `- ` bullet (GitHub's squash body), then
/// `type(scope)!: description`.
static EXTRA_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[*-]\s+)?([A-Za-z][\w-]*)(?:\([^()\n]*\))?!?:\s").expect("valid regex")
});
static RELEASE_AS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^release-as:\s*(\S+)\s*$").expect("valid regex"));

/// What a commit says, with any problems worth telling the user about.
#[derive(Debug, Default)]
pub struct Classified {
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

/// Classifies a commit into the changes it describes.
///
/// `extra_types` are the types that may open a further message inside the body, besides the
/// header's (usually [`DEFAULT_TYPES`] plus any configured changelog section types).
pub fn classify(commit: &CommitInfo, extra_types: &[&str]) -> Classified {
    let message = commit.message.replace("\r\n", "\n");
    let groups = split_messages(&message, extra_types);
    let mut out = Classified::default();
    let has_extra = groups.len() > 1;
    for (i, group) in groups.iter().enumerate() {
        let change = match git_conventional::Commit::parse(group) {
            Ok(parsed) => conventional_change(&parsed, commit, &mut out.warnings),
            Err(_) if i > 0 => {
                // A further message whose body does not parse: keep its header line.
                let header = group.lines().next().unwrap_or_default();
                match git_conventional::Commit::parse(header) {
                    Ok(parsed) => conventional_change(&parsed, commit, &mut out.warnings),
                    Err(_) => other_change(group, commit, &mut out.warnings),
                }
            }
            // A squash commit whose title is not conventional but whose body lists conventional
            // messages: the title only summarises them.
            Err(_) if has_extra => continue,
            Err(_) => other_change(group, commit, &mut out.warnings),
        };
        out.changes.push(change);
    }
    out
}

/// Splits a message into the messages it holds: the first, then each blank-line separated paragraph
/// that opens with a header of a known type, together with the paragraphs after it.
fn split_messages(message: &str, extra_types: &[&str]) -> Vec<String> {
    let mut groups: Vec<Vec<String>> = Vec::new();
    for paragraph in paragraphs(message) {
        let first_line = paragraph.lines().next().unwrap_or_default().trim();
        let opens = !groups.is_empty()
            && EXTRA_HEADER
                .captures(first_line)
                .is_some_and(|c| extra_types.iter().any(|t| t.eq_ignore_ascii_case(&c[1])));
        if groups.is_empty() || opens {
            let mut text = paragraph.to_string();
            if opens {
                // Further messages are often indented or bulleted inside the body.
                let mut lines: Vec<&str> = paragraph.lines().map(str::trim).collect();
                lines[0] = lines[0]
                    .strip_prefix("* ")
                    .or_else(|| lines[0].strip_prefix("- "))
                    .unwrap_or(lines[0]);
                // Lines right under such a header are its footers or body: the blank line
                // conventional commits need before them is added.
                text = match lines.split_first() {
                    Some((header, rest)) if !rest.is_empty() => {
                        format!("{header}\n\n{}", rest.join("\n"))
                    }
                    _ => lines.join("\n"),
                };
            }
            groups.push(vec![text]);
        } else if let Some(last) = groups.last_mut() {
            last.push(paragraph.to_string());
        }
    }
    groups.into_iter().map(|g| g.join("\n\n")).collect()
}

/// Blank-line separated paragraphs, trailing whitespace trimmed.
fn paragraphs(message: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut offset = 0;
    for line in message.split_inclusive('\n') {
        let content = line.trim_end();
        if content.trim().is_empty() {
            if let Some(s) = start.take() {
                out.push(&message[s..end]);
            }
        } else {
            start.get_or_insert(offset);
            end = offset + content.len();
        }
        offset += line.len();
    }
    if let Some(s) = start {
        out.push(&message[s..end]);
    }
    out
}

fn conventional_change(
    parsed: &git_conventional::Commit<'_>,
    commit: &CommitInfo,
    warnings: &mut Vec<String>,
) -> Change {
    let (description, prs) = split_pr_refs(parsed.description());
    let release_as = parsed
        .footers()
        .iter()
        .filter(|f| f.token().as_str().eq_ignore_ascii_case("release-as"))
        .find_map(|f| parse_release_as(f.value(), commit, warnings));
    let breaking_note = parsed
        .breaking_description()
        .map(|note| note.trim().to_string());
    Change {
        kind: parsed.type_().as_str().to_ascii_lowercase(),
        scope: parsed.scope().map(|s| s.as_str().to_string()),
        description,
        body: parsed.body().map(str::to_string),
        breaking: parsed.breaking(),
        breaking_note,
        release_as,
        prs: with_merged_pr(prs, commit),
        commit: commit.id.clone(),
        author: commit.author.clone(),
        time: commit.time,
    }
}

fn other_change(text: &str, commit: &CommitInfo, warnings: &mut Vec<String>) -> Change {
    let (header, body) = text.split_once('\n').unwrap_or((text, ""));
    let (description, prs) = split_pr_refs(header.trim());
    let release_as = RELEASE_AS
        .captures_iter(body)
        .find_map(|c| parse_release_as(&c[1], commit, warnings));
    let body = body.trim();
    Change {
        kind: OTHER.to_string(),
        scope: None,
        description,
        body: (!body.is_empty()).then(|| body.to_string()),
        breaking: false,
        breaking_note: None,
        release_as,
        prs: with_merged_pr(prs, commit),
        commit: commit.id.clone(),
        author: commit.author.clone(),
        time: commit.time,
    }
}

fn parse_release_as(
    value: &str,
    commit: &CommitInfo,
    warnings: &mut Vec<String>,
) -> Option<semver::Version> {
    let value = value.trim();
    let bare = value.strip_prefix(['v', 'V']).unwrap_or(value);
    match semver::Version::parse(bare) {
        Ok(version) => Some(version),
        Err(_) => {
            let short = commit.id.get(..7).unwrap_or(&commit.id);
            warnings.push(format!(
                "commit {short}: ignored `Release-As: {value}`, which is not a semantic version such as 1.2.3"
            ));
            None
        }
    }
}

/// Removes `(#123)` references from a description and returns their numbers: what the regex
/// `\s*\(#(\d+)\)` finds and `replace_all` removes (regex-lite's `\s` is ASCII), scanned by hand
/// because a regex search from every position was a fifth of a long changelog's time.
fn split_pr_refs(description: &str) -> (String, Vec<u64>) {
    let bytes = description.as_bytes();
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let mut cleaned = String::with_capacity(description.len());
    let mut prs = Vec::new();
    // `kept`: the end of the text already copied (a match cannot start before it).
    let (mut kept, mut from) = (0, 0);
    while let Some(at) = description[from..].find("(#").map(|i| from + i) {
        let digits = bytes[at + 2..]
            .iter()
            .take_while(|b| b.is_ascii_digit())
            .count();
        let close = at + 2 + digits;
        if digits == 0 || bytes.get(close) != Some(&b')') {
            from = at + 1;
            continue;
        }
        let mut start = at;
        while start > kept && is_space(bytes[start - 1]) {
            start -= 1;
        }
        cleaned.push_str(&description[kept..start]);
        prs.extend(description[at + 2..close].parse::<u64>().ok());
        kept = close + 1;
        from = kept;
    }
    cleaned.push_str(&description[kept..]);
    (cleaned.trim().to_string(), prs)
}

fn with_merged_pr(mut prs: Vec<u64>, commit: &CommitInfo) -> Vec<u64> {
    if prs.is_empty() {
        prs.extend(commit.merged_pr);
    }
    prs
}

/// The pull request number of a merge commit made by GitHub ("Merge pull request #12 from …").
pub fn merged_pull_request(message: &str) -> Option<u64> {
    static MERGE_PR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^Merge pull request #(\d+)").expect("valid regex"));
    MERGE_PR.captures(message).and_then(|c| c[1].parse().ok())
}

/// Whether a merge commit's message is only the record of a merge ("Merge pull request #1 from
/// x/y", "Merge branch 'x'", "Merge remote-tracking branch…", "Merge tag…"), not a change.
pub fn is_merge_record(message: &str) -> bool {
    static MERGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^Merge (pull request #\d+|(remote-tracking )?branch(es)? |tag |commit |[0-9a-f]{7,40})")
            .expect("valid regex")
    });
    MERGE.is_match(message)
}
