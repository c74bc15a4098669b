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
    /// The breaking-change note as release-please makes it: the last `BREAKING CHANGE` footer's or
    /// body paragraph's text, or the header's description (with its `(#N)`) for a `!` commit.
    pub breaking_note: Option<String>,
    /// A valid `Release-As:` footer's version.
    pub release_as: Option<semver::Version>,
    /// Pull requests the change came through: `(#N)` in its header, else the merge commit's PR.
    pub prs: Vec<u64>,
    /// Issues its footers refer to (`Closes #12`, `Refs: #7`), as release-please lists them.
    pub references: Vec<String>,
    /// The commit it reverts (`This reverts commit <sha>.`), a full or abbreviated id.
    pub reverts: Option<String>,
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

/// Types a footer line may carry to count as a further change (with any configured changelog
/// section types). A footer of another type (`Signed-off-by: …`) is a trailer, not a change.
pub const DEFAULT_TYPES: &[&str] = &[
    "feat", "feature", "fix", "perf", "revert", "docs", "style", "chore", "refactor", "test",
    "build", "ci", "deps",
];

static RELEASE_AS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?im)^release-as:\s*(\S+)\s*$").expect("valid regex"));
/// git's revert body, as git and GitHub's revert button write it: `This reverts commit <sha>.`
static REVERTS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"This reverts commit ([0-9a-fA-F]{7,40})\b").expect("valid regex")
});

/// What a commit says, with any problems worth telling the user about.
#[derive(Debug, Default)]
pub struct Classified {
    pub changes: Vec<Change>,
    pub warnings: Vec<String>,
}

/// Classifies a commit into the changes it describes, as release-please reads messages (see
/// [`crate::conventional`]).
///
/// `known_types` are the types a footer line may carry to count as a further change (usually
/// [`DEFAULT_TYPES`] plus any configured changelog section types).
pub fn classify(commit: &CommitInfo, known_types: &[&str]) -> Classified {
    classify_with(commit, known_types, true)
}

/// [`classify`], saying whether git's and GitHub's revert messages (`Revert "fix: x"`) are
/// revert changes: release-please's parser cannot read them, so for its configurations they
/// are not.
pub fn classify_with(commit: &CommitInfo, known_types: &[&str], git_reverts: bool) -> Classified {
    let mut out = Classified::default();
    // The regex only where the phrase is (most messages have no revert, and this runs on all).
    let reverts = commit
        .message
        .contains("This reverts commit ")
        .then(|| REVERTS.captures(&commit.message))
        .flatten()
        .map(|c| c[1].to_ascii_lowercase());
    for parsed in crate::conventional::parse_commit_message(&commit.message) {
        let kind = parsed.kind.to_ascii_lowercase();
        let known = known_types.iter().any(|t| t.eq_ignore_ascii_case(&kind));
        if parsed.from_footer && !known && parsed.breaking_note.is_none() {
            continue;
        }
        let (description, prs) = split_pr_refs(&parsed.subject);
        let release_as = parsed
            .release_as
            .as_deref()
            .and_then(|v| parse_release_as(v, commit, &mut out.warnings));
        let body = parsed.body.trim();
        out.changes.push(Change {
            kind,
            scope: parsed.scope,
            description,
            body: (!body.is_empty()).then(|| body.to_string()),
            breaking: parsed.breaking_note.is_some(),
            breaking_note: parsed.breaking_note,
            release_as,
            prs: with_merged_pr(prs, commit),
            references: parsed.references,
            reverts: reverts.clone(),
            commit: commit.id.clone(),
            author: commit.author.clone(),
            time: commit.time,
        });
    }
    if out.changes.is_empty() {
        let message = commit.message.replace("\r\n", "\n");
        let mut change = other_change(message.trim(), commit, &mut out.warnings);
        if let Some(reverted) = git_reverts
            .then(|| reverted_subject(&change.description))
            .flatten()
        {
            change.kind = "revert".to_string();
            change.description = reverted.to_string();
        }
        change.reverts = reverts;
        out.changes.push(change);
    }
    out
}

/// The subject a `Revert "…"` header (git's and GitHub's revert button) quotes.
fn reverted_subject(header: &str) -> Option<&str> {
    let quoted = header.strip_prefix("Revert \"")?.strip_suffix('"')?;
    (!quoted.trim().is_empty()).then_some(quoted)
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
        references: Vec::new(),
        reverts: None,
        commit: commit.id.clone(),
        author: commit.author.clone(),
        time: commit.time,
    }
}

/// Drops each change that a later change in the same range reverts, together with the revert
/// (`This reverts commit <sha>.`, as git's and GitHub's revert write it): what shipped is as if
/// neither happened. A revert of a commit outside the range stays. Changes are newest first, so a
/// revert of a revert brings the original back.
pub fn cancel_revert_pairs(changes: Vec<Change>) -> Vec<Change> {
    let mut cancelled: std::collections::HashSet<String> = Default::default();
    for change in &changes {
        if cancelled.contains(&change.commit) {
            continue;
        }
        let Some(target) = &change.reverts else {
            continue;
        };
        let reverted = changes
            .iter()
            .map(|c| &c.commit)
            .find(|id| id.starts_with(target.as_str()) && !cancelled.contains(*id));
        if let Some(reverted) = reverted {
            cancelled.insert(reverted.clone());
            cancelled.insert(change.commit.clone());
        }
    }
    changes
        .into_iter()
        .filter(|c| !cancelled.contains(&c.commit))
        .collect()
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

/// Every `(#123)` in a text: where its `(` is, where its `)` ends, and its digits. Found by hand
/// because a regex search from every position was a fifth of a long changelog's time.
pub(crate) fn pr_refs(text: &str) -> impl Iterator<Item = (usize, usize, &str)> {
    let bytes = text.as_bytes();
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(at) = text[from..].find("(#").map(|i| from + i) {
            let digits = bytes[at + 2..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let close = at + 2 + digits;
            if digits == 0 || bytes.get(close) != Some(&b')') {
                from = at + 1;
                continue;
            }
            from = close + 1;
            return Some((at, close + 1, &text[at + 2..close]));
        }
        None
    })
}

/// Removes `(#123)` references from a description and returns their numbers: what the regex
/// `\s*\(#(\d+)\)` finds and `replace_all` removes (regex-lite's `\s` is ASCII).
fn split_pr_refs(description: &str) -> (String, Vec<u64>) {
    let bytes = description.as_bytes();
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let mut cleaned = String::with_capacity(description.len());
    let mut prs = Vec::new();
    // `kept`: the end of the text already copied (a match cannot start before it).
    let mut kept = 0;
    for (at, end, digits) in pr_refs(description) {
        let mut start = at;
        while start > kept && is_space(bytes[start - 1]) {
            start -= 1;
        }
        cleaned.push_str(&description[kept..start]);
        prs.extend(digits.parse::<u64>().ok());
        kept = end;
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
