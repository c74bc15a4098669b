//! A promotion, planned: which commits go from one branch into the next, grouped for a reviewer,
//! and the pull request title and body block that say so. Facts in (commits, divergence, trial
//! merge), text out; nothing here talks to git or GitHub.

use crate::UsageError;
use crate::commit::{CommitInfo, DEFAULT_TYPES, classify, merged_pull_request};
use crate::links::Links;
use crate::markdown::{code_span, escape_inline, qualify_issue_refs};
use regex_lite::Regex;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::LazyLock;

/// Opens the part of a PR body that Tidegate owns; everything outside it belongs to people.
pub const BLOCK_BEGIN: &str = "<!-- tidegate:promotion:begin -->";
pub const BLOCK_END: &str = "<!-- tidegate:promotion:end -->";

/// GitHub refuses a PR body longer than this many characters.
pub const BODY_LIMIT: usize = 65_536;
/// Kept free below the limit: GitHub's character count and ours may differ for unusual text.
const BODY_MARGIN: usize = 1_536;

pub const DEFAULT_TITLE: &str = "chore: promote {source} → {target} ({commits}, {sha})";
const TITLE_PLACEHOLDERS: &[&str] = &["source", "target", "count", "commits", "sha"];

/// One commit of the range being promoted, newest first, merges included.
#[derive(Clone, Debug, Default)]
pub struct RangeCommit {
    pub info: CommitInfo,
    /// The author's e-mail, which for GitHub's noreply addresses gives the login.
    pub email: String,
    pub is_merge: bool,
}

/// A commit only the target branch has.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TargetOnly {
    pub id: String,
    pub subject: String,
    /// Its patch is already on the source branch (a cherry-pick or a re-applied hotfix).
    pub equivalent_on_source: bool,
    pub is_merge: bool,
    /// A merge commit whose tree is exactly the clean merge of its parents: it brings no change
    /// of its own (an earlier promotion's merge, a hotfix branch's merge), so it is not
    /// divergence.
    pub clean_merge: bool,
    /// A commit of the range whose tree this single-parent commit has, when several commits of
    /// the range lead to it: the target carries their combined change as one commit, as a
    /// squash-merged promotion does.
    pub same_tree_as: Option<String>,
}

impl TargetOnly {
    /// Divergence a reviewer should see: anything but a merge that brings nothing of its own.
    pub fn is_divergence(&self) -> bool {
        !self.clean_merge
    }
}

/// Everything a promotion is planned from.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub source: String,
    pub target: String,
    pub source_sha: String,
    pub target_sha: String,
    /// Commits the source has and the target lacks, newest first.
    pub commits: Vec<RangeCommit>,
    pub target_only: Vec<TargetOnly>,
    /// Target-only commits that look like an earlier promotion squash-merged (see
    /// [`squashed_promotions`]).
    pub squashed: Vec<TargetOnly>,
    /// Files a merge of the source into the target would conflict on (empty: clean).
    pub conflicts: Vec<String>,
    /// Where the repository lives on the web, for the compare link and author profile links.
    pub links: Option<Links>,
    /// The target's repository when it is another one (a downstream sync): the source's pull
    /// requests are then written `owner/repo#N`, and the target's commits and the compare links
    /// point there (it has both sides once the source is pushed to its sync branch).
    pub target_links: Option<Links>,
}

/// One line of the list: a pull request, or a commit that came in without one.
#[derive(Clone, Debug, Serialize)]
pub struct Entry {
    pub kind: String,
    pub scope: Option<String>,
    pub description: String,
    pub breaking: bool,
    pub pull_requests: Vec<u64>,
    /// The commit that represents the entry (the merge commit for a merged PR).
    pub commit: String,
    pub authors: Vec<Author>,
    /// How many commits of the range the entry stands for.
    pub commits: usize,
    /// The PR a GitHub merge commit merged.
    #[serde(skip)]
    merged: Option<u64>,
    /// The PR commits are grouped under: the merged PR, or a subject's trailing `(#N)`.
    #[serde(skip)]
    rollup: Option<u64>,
    /// Whether the text says what changed (false for a merge record without its PR title).
    #[serde(skip)]
    titled: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Author {
    pub name: String,
    /// The GitHub login, when the e-mail is a GitHub noreply address.
    pub login: Option<String>,
}

/// The groups a reviewer reads, in order.
const GROUPS: &[(&str, &str)] = &[
    ("breaking", "⚠ Breaking changes"),
    ("feat", "Features"),
    ("fix", "Bug fixes"),
    ("perf", "Performance"),
    ("revert", "Reverts"),
    ("other", "Other"),
];

fn group_of(entry: &Entry) -> &'static str {
    if entry.breaking {
        return "breaking";
    }
    match entry.kind.as_str() {
        "feat" | "feature" => "feat",
        "fix" => "fix",
        "perf" => "perf",
        "revert" => "revert",
        _ => "other",
    }
}

/// The range as a reviewer should see it: one entry per pull request (its commits rolled up under
/// it), one per commit that came without a PR. The entries' `commits` add up to the range's size.
pub fn entries(commits: &[RangeCommit]) -> Vec<Entry> {
    // PRs whose merge commit is in the range: their branch commits are rolled up under them.
    let mut merged_in: HashMap<u64, usize> = HashMap::new();
    for commit in commits.iter().filter(|c| c.is_merge) {
        if let Some(pr) = merged_pull_request(&commit.info.message) {
            merged_in.entry(pr).or_insert(0);
        }
    }
    for commit in commits {
        if let Some(count) = commit.info.merged_pr.and_then(|pr| merged_in.get_mut(&pr)) {
            *count += 1;
        }
    }
    let mut out: Vec<Entry> = Vec::new();
    let mut by_pr: HashMap<u64, usize> = HashMap::new();
    for commit in commits {
        let rolled_up = commit
            .info
            .merged_pr
            .filter(|pr| merged_in.contains_key(pr));
        // The merge commit, newer, came first, so its entry exists.
        if let Some(&i) = rolled_up.and_then(|pr| by_pr.get(&pr)) {
            absorb(&mut out[i], entry_of(commit));
            continue;
        }
        let mut entry = entry_of(commit);
        if entry
            .merged
            .and_then(|pr| merged_in.get(&pr))
            .is_some_and(|n| *n > 0)
        {
            // Whoever pressed the merge button did not write the change: the branch's authors
            // come with its commits.
            entry.authors.clear();
        }
        match entry.rollup.and_then(|pr| by_pr.get(&pr)) {
            // Several commits ending in one `(#N)` (a rebase merge keeping it): one entry.
            Some(&i) => absorb(&mut out[i], entry),
            None => {
                if let Some(pr) = entry.rollup {
                    by_pr.insert(pr, out.len());
                }
                out.push(entry);
            }
        }
    }
    out
}

/// Folds a commit's entry into the PR entry it belongs to: its count and authors, and whether it
/// breaks anything. A merge without its PR title takes the most telling change of its branch.
fn absorb(kept: &mut Entry, entry: Entry) {
    kept.commits += entry.commits;
    for author in &entry.authors {
        if !kept.authors.contains(author) {
            kept.authors.push(author.clone());
        }
    }
    if !kept.titled && rank(&entry) > rank(kept) {
        kept.kind = entry.kind;
        kept.scope = entry.scope;
        kept.description = entry.description;
    }
    kept.breaking |= entry.breaking;
}

/// How much a reviewer needs to see a change: breaking, then features, fixes, the rest.
fn rank(entry: &Entry) -> u8 {
    match group_of(entry) {
        "breaking" => 5,
        "feat" => 4,
        "fix" => 3,
        "perf" => 2,
        _ if entry.kind != "other" => 1,
        _ => 0,
    }
}

fn entry_of(commit: &RangeCommit) -> Entry {
    let message = &commit.info.message;
    let merged_pr = commit
        .is_merge
        .then(|| merged_pull_request(message))
        .flatten();
    // A GitHub merge commit carries the PR title after a blank line: that is what the PR did.
    let title = merged_pr.and_then(|_| {
        message
            .split_once("\n\n")
            .map(|(_, title)| title.trim().to_string())
            .filter(|t| !t.is_empty())
    });
    // A merge commit without a PR title only records the merge.
    let is_record = commit.is_merge && title.is_none();
    let text = match &title {
        Some(title) => title.clone(),
        None if commit.is_merge => first_line(message).to_string(),
        None => message.clone(),
    };
    let info = CommitInfo {
        message: text,
        merged_pr: merged_pr.or(commit.info.merged_pr),
        ..commit.info.clone()
    };
    let change = classify(&info, DEFAULT_TYPES)
        .changes
        .into_iter()
        .next()
        .unwrap_or_default();
    let mut pull_requests = change.prs.clone();
    if let Some(pr) = merged_pr.filter(|pr| !pull_requests.contains(pr)) {
        pull_requests.insert(0, pr);
    }
    let described = !is_record && !change.description.is_empty();
    let (kind, description) = as_revert(change.kind, change.description);
    Entry {
        kind: if described { kind } else { "other".into() },
        scope: change.scope.filter(|_| described),
        description: if described {
            description
        } else {
            first_line(message).to_string()
        },
        breaking: change.breaking && described,
        pull_requests,
        commit: commit.info.id.clone(),
        authors: vec![author_of(commit)],
        commits: 1,
        merged: merged_pr,
        rollup: merged_pr.or_else(|| trailing_pr(first_line(&info.message))),
        titled: !is_record,
    }
}

/// A revert as the reviewer should see it: GitHub's revert button writes `Revert "fix(x): y"`
/// (and git's `revert` the same), which is listed under Reverts with the reverted subject as its
/// text, whether or not classification already calls it a revert.
fn as_revert(kind: String, description: String) -> (String, String) {
    static GITHUB_REVERT: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^Revert "(.+)"$"#).expect("valid regex"));
    let reverted = GITHUB_REVERT
        .captures(description.trim())
        .map(|c| c[1].to_string());
    match reverted {
        Some(inner) if kind == "revert" || kind == crate::commit::OTHER => ("revert".into(), inner),
        _ => (kind, description),
    }
}

/// The `(#N)` GitHub appends to a squash-merged PR's subject: the last thing on the line. A
/// reference earlier in the subject (`Revert "feat: x (#12)" (#13)`) names another PR.
fn trailing_pr(subject: &str) -> Option<u64> {
    static TRAILING: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\(#(\d+)\)\s*$").expect("valid regex"));
    TRAILING.captures(subject).and_then(|c| c[1].parse().ok())
}

fn author_of(commit: &RangeCommit) -> Author {
    Author {
        name: commit.info.author.clone(),
        login: login_from_email(&commit.email),
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or_default().trim()
}

/// The login in a GitHub noreply address (`123+ada@users.noreply.github.com`, or the older
/// `ada@users.noreply.github.com`).
pub fn login_from_email(email: &str) -> Option<String> {
    static NOREPLY: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:\d+\+)?([a-z0-9](?:[a-z0-9-]{0,38}))@users\.noreply\.github\.com$")
            .expect("valid regex")
    });
    NOREPLY.captures(email.trim()).map(|c| c[1].to_string())
}

/// The PR title from a template: `{source}`, `{target}`, `{count}` (a number), `{commits}`
/// ("7 commits") and `{sha}` (the source's short SHA). `{{` and `}}` are literal braces.
pub fn title(template: &str, facts: &Facts) -> Result<String, UsageError> {
    static PLACEHOLDER: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\{\{|\}\}|\{([^{}]*)\}").expect("valid regex"));
    let count = facts.commits.len();
    let mut unknown = None;
    let text = PLACEHOLDER.replace_all(template, |c: &regex_lite::Captures<'_>| {
        match c.get(1).map(|m| m.as_str()) {
            None => c[0][..1].to_string(),
            Some("source") => facts.source.clone(),
            Some("target") => facts.target.clone(),
            Some("count") => count.to_string(),
            Some("commits") => plural(count, "commit"),
            Some("sha") => short(&facts.source_sha).to_string(),
            Some(other) => {
                unknown.get_or_insert_with(|| other.to_string());
                String::new()
            }
        }
    });
    match unknown {
        Some(name) => Err(UsageError(format!(
            "--title has an unknown placeholder {{{name}}}; use {}",
            TITLE_PLACEHOLDERS
                .iter()
                .map(|p| format!("{{{p}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
        None => {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.is_empty() {
                return Err(UsageError(
                    "--title is empty; give the pull request a title, or leave --title out for the default"
                        .into(),
                ));
            }
            Ok(text)
        }
    }
}

/// Target-only commits that look like an earlier promotion squash-merged, whose commits are
/// therefore not ancestors of the target and are listed again. A single-parent commit counts when
///
/// * its tree is the tree of a commit of the range that several range commits lead to (the target
///   got their combined change as one commit, with nothing else on the target beside it), or
/// * its subject is the title `template` would give, any placeholder matching any text, with or
///   without GitHub's ` (#N)` (a squash merge's subject is the PR title). Templates with fewer than
///   8 characters of their own text are not matched: they would match too much.
pub fn squashed_promotions(target_only: &[TargetOnly], template: &str) -> Vec<TargetOnly> {
    let title = title_pattern(template);
    target_only
        .iter()
        .filter(|c| !c.is_merge)
        .filter(|c| {
            c.same_tree_as.is_some() || title.as_ref().is_some_and(|t| t.is_match(&c.subject))
        })
        .cloned()
        .collect()
}

/// A regex matching the titles `template` gives (whitespace runs collapse, as in [`title`]).
fn title_pattern(template: &str) -> Option<Regex> {
    static PIECES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\{\{|\}\}|\{[^{}]*\}|\s+|[^{}\s]+|[{}]").expect("valid regex")
    });
    let mut pattern = String::from("^");
    let mut literal = 0;
    for piece in PIECES.find_iter(template.trim()) {
        let piece = piece.as_str();
        match piece {
            "{{" => pattern.push_str(r"\{"),
            "}}" => pattern.push_str(r"\}"),
            _ if piece.starts_with('{') && piece.len() > 1 => pattern.push_str(".+?"),
            _ if piece.trim().is_empty() => pattern.push_str(r"\s+"),
            _ => {
                literal += piece.chars().count();
                pattern.push_str(&regex_lite::escape(piece));
            }
        }
    }
    pattern.push_str(r"(?:\s*\(#\d+\))?$");
    (literal >= 8).then(|| Regex::new(&pattern).ok()).flatten()
}

/// "1 commit", "7 commits".
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// The 7-character short form of a SHA.
pub fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// Length as GitHub may count it: UTF-16 code units, never fewer than characters.
fn size(text: &str) -> usize {
    text.encode_utf16().count()
}

/// The block Tidegate owns in the PR body, markers included, no longer than `budget`.
pub fn block(facts: &Facts, budget: usize) -> String {
    let entries = entries(&facts.commits);
    let mut head = String::new();
    head.push_str(BLOCK_BEGIN);
    head.push('\n');
    head.push_str(&summary_line(facts, &entries));
    head.push('\n');
    let tail = format!("{}\n{BLOCK_END}", footer(facts));
    let room = budget.saturating_sub(size(&head) + size(&tail));
    format!("{head}{}{tail}", list(&entries, facts, room))
}

fn summary_line(facts: &Facts, entries: &[Entry]) -> String {
    let pulls: usize = entries
        .iter()
        .filter(|e| !e.pull_requests.is_empty())
        .count();
    let from = if pulls > 0 {
        format!(" from {}", plural(pulls, "pull request"))
    } else {
        String::new()
    };
    format!(
        "**{}**{from}, {} {} → {} {}{}",
        plural(facts.commits.len(), "commit"),
        source_name(facts),
        short(&facts.source_sha),
        target_name(facts),
        short(&facts.target_sha),
        compare_link(facts),
    )
}

/// ` ([compare](…))` from the target to the source, when the repository's web address is known.
fn compare_link(facts: &Facts) -> String {
    target_links(facts).map_or(String::new(), |links| {
        format!(
            " ([compare]({}))",
            links.compare(&facts.target_sha, &facts.source_sha)
        )
    })
}

/// The grouped list, cut to `room` with "…and N more" when it does not fit.
fn list(entries: &[Entry], facts: &Facts, room: usize) -> String {
    let mut ordered: Vec<(&str, &Entry)> = Vec::new();
    for (group, _) in GROUPS {
        ordered.extend(
            entries
                .iter()
                .filter(|e| group_of(e) == *group)
                .map(|e| (*group, e)),
        );
    }
    // Room for the cut-off line, whatever N turns out to be.
    let cut_line = |n: usize| {
        let noun = if n == 1 { "commit" } else { "commits" };
        format!("\n…and {n} more {noun}{}\n", compare_link(facts))
    };
    let reserve = size(&cut_line(facts.commits.len()));
    let mut out = String::new();
    let mut out_size = 0;
    let mut current_group = "";
    let mut shown_commits = 0;
    for (i, (group, entry)) in ordered.iter().enumerate() {
        let mut piece = String::new();
        if *group != current_group {
            let heading = GROUPS
                .iter()
                .find(|(g, _)| g == group)
                .map_or("", |(_, h)| h);
            piece.push_str(&format!("\n### {heading}\n"));
        }
        piece.push_str(&line(entry, facts));
        let last = i + 1 == ordered.len();
        let limit = if last {
            room
        } else {
            room.saturating_sub(reserve)
        };
        let piece_size = size(&piece);
        if out_size + piece_size > limit {
            let rest = facts.commits.len() - shown_commits;
            out.push_str(&cut_line(rest));
            return out;
        }
        current_group = group;
        shown_commits += entry.commits;
        out_size += piece_size;
        out.push_str(&piece);
    }
    out
}

fn line(entry: &Entry, facts: &Facts) -> String {
    let links = facts.links.as_ref();
    // In another repository `#N` would name its own pull request N.
    let repo_prefix = match (&facts.target_links, links) {
        (Some(_), Some(source)) => escape_inline(&source.slug),
        _ => String::new(),
    };
    let mut text = String::from("* ");
    if let Some(scope) = &entry.scope {
        text.push_str(&format!("**{}:** ", escape_inline(scope)));
    }
    if group_of(entry) == "other" && entry.kind != "other" {
        text.push_str(&format!("{}: ", escape_inline(&entry.kind)));
    }
    let description = escape_inline(&entry.description);
    if repo_prefix.is_empty() {
        text.push_str(&description);
    } else {
        // `fixes #12` upstream (shown as `refs #12`) means the upstream issue, not the downstream one.
        text.push_str(&qualify_issue_refs(&description, &repo_prefix));
    }
    let refs: Vec<String> = entry
        .pull_requests
        .iter()
        .map(|n| format!("{repo_prefix}#{n}"))
        .collect();
    if refs.is_empty() {
        text.push_str(&format!(" ({})", short(&entry.commit)));
    } else {
        text.push_str(&format!(" ({})", refs.join(", ")));
    }
    if entry.commits > 1 {
        text.push_str(&format!(" · {}", plural(entry.commits, "commit")));
    }
    let authors: Vec<String> = entry
        .authors
        .iter()
        .map(|a| author_text(a, links))
        .collect();
    if !authors.is_empty() {
        text.push_str(&format!(" · {}", authors.join(", ")));
    }
    text.push('\n');
    text
}

/// An author by login, linked to the profile (a link, not an @-mention: no notification on every
/// update), or by name.
fn author_text(author: &Author, links: Option<&Links>) -> String {
    match (&author.login, links) {
        (Some(login), Some(links)) => format!("[{login}]({})", links.profile(login)),
        (Some(login), None) => escape_inline(login),
        _ => escape_inline(&author.name),
    }
}

/// How many of a list's items are shown in the footer before "…and N more", and how long each may
/// be: the footer is not cut to the budget, so its size must stay small whatever the input.
const FOOTER_ITEMS: usize = 20;
const FOOTER_ITEM_CHARS: usize = 150;

/// Text cut to `FOOTER_ITEM_CHARS` characters, with an ellipsis when cut.
fn clip(text: &str) -> String {
    match text.char_indices().nth(FOOTER_ITEM_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

fn footer(facts: &Facts) -> String {
    let mut out = divergence(facts);
    for squash in facts.squashed.iter().take(3) {
        out.push_str(&format!(
            "\n⚠ {} has {} ({}), which looks like an earlier promotion squash-merged: a squash leaves the promoted commits off {}, so they are listed here again. Merge promotion pull requests with a merge commit.\n",
            code_span(&facts.target),
            commit_ref(&squash.id, target_links(facts)),
            escape_inline(&clip(&squash.subject)),
            code_span(&facts.target),
        ));
    }
    if facts.target_links.is_some() {
        out.push_str(&format!(
            "\nMerge this pull request with a merge commit (not squash or rebase): the next sync finds these commits on {} only then.\n",
            code_span(&facts.target)
        ));
    }
    if facts.conflicts.is_empty() {
        out.push_str("\nTrial merge: clean\n");
    } else {
        out.push_str(&format!(
            "\nTrial merge: **conflicts** in {}; resolve them before merging:\n",
            plural(facts.conflicts.len(), "file")
        ));
        for file in facts.conflicts.iter().take(FOOTER_ITEMS) {
            out.push_str(&format!("* {}\n", code_span(&clip(file))));
        }
        if facts.conflicts.len() > FOOTER_ITEMS {
            out.push_str(&format!(
                "* …and {} more\n",
                facts.conflicts.len() - FOOTER_ITEMS
            ));
        }
    }
    out
}

/// "Only on `stable`": the commits the target has of its own, each linked, real changes first; the
/// merges that bring nothing of their own (earlier promotions) only counted, with a compare link.
fn divergence(facts: &Facts) -> String {
    let (own, merges): (Vec<&TargetOnly>, Vec<&TargetOnly>) =
        facts.target_only.iter().partition(|c| c.is_divergence());
    if own.is_empty() && merges.is_empty() {
        return String::new();
    }
    let compare = target_links(facts).map_or(String::new(), |links| {
        format!(
            " ([compare]({}))",
            links.compare(&facts.source_sha, &facts.target_sha)
        )
    });
    let quiet_merges = plural(merges.len(), "merge commit");
    let nothing_own = if merges.len() == 1 {
        "brings no change of its own"
    } else {
        "bring no change of their own"
    };
    let mut out = format!("\nOnly on {}: ", target_name(facts));
    if own.is_empty() {
        out.push_str(&format!("{quiet_merges} that {nothing_own}{compare}\n"));
        return out;
    }
    out.push_str(&plural(own.len(), "commit"));
    let equivalent = own.iter().filter(|c| c.equivalent_on_source).count();
    if equivalent > 0 {
        out.push_str(&format!(
            " ({equivalent} already on {} as an equivalent patch)",
            source_name(facts)
        ));
    }
    if !merges.is_empty() {
        out.push_str(&format!(
            ", besides {quiet_merges} that {nothing_own}{compare}"
        ));
    }
    out.push('\n');
    for commit in own.iter().take(FOOTER_ITEMS) {
        let mark = if commit.equivalent_on_source {
            " · equivalent patch on the source"
        } else {
            ""
        };
        out.push_str(&format!(
            "* {} ({}){mark}\n",
            escape_inline(&clip(&commit.subject)),
            commit_ref(&commit.id, target_links(facts))
        ));
    }
    let rest = own.len().saturating_sub(FOOTER_ITEMS);
    if rest > 0 {
        out.push_str(&format!("* …and {rest} more{compare}\n"));
    }
    out
}

/// Where the target's commits live: its own repository for a downstream sync, else the one.
/// The source branch as the body names it: with its repository when the target is another one
/// (`main` → `main` would say nothing).
fn source_name(facts: &Facts) -> String {
    match (&facts.target_links, &facts.links) {
        (Some(_), Some(source)) => code_span(&format!("{}:{}", source.slug, facts.source)),
        _ => code_span(&facts.source),
    }
}

/// The target branch as the body names it, with its repository when it is another one.
fn target_name(facts: &Facts) -> String {
    match &facts.target_links {
        Some(target) => code_span(&format!("{}:{}", target.slug, facts.target)),
        None => code_span(&facts.target),
    }
}

fn target_links(facts: &Facts) -> Option<&Links> {
    facts.target_links.as_ref().or(facts.links.as_ref())
}

/// A commit's short SHA, linked to the commit when the repository's web address is known.
fn commit_ref(id: &str, links: Option<&Links>) -> String {
    match links {
        Some(links) => format!("[{}]({})", short(id), links.commit(id)),
        None => short(id).to_string(),
    }
}

/// The body to write: `existing` with its Tidegate block replaced (the text people wrote around it
/// kept), or the block alone for a new PR. The block is sized so the whole body fits GitHub's limit.
pub fn body(existing: Option<&str>, facts: &Facts) -> String {
    let (before, after) = match existing.and_then(split_block) {
        Some((before, after)) => (before.to_string(), after.to_string()),
        // No block (a new PR, or people removed the markers): theirs first, ours after.
        None => match existing.map(str::trim_end).filter(|t| !t.is_empty()) {
            Some(text) => (format!("{text}\n\n"), String::new()),
            None => (String::new(), String::new()),
        },
    };
    let budget = (BODY_LIMIT - BODY_MARGIN).saturating_sub(size(&before) + size(&after));
    format!("{before}{}{after}", block(facts, budget))
}

/// The most a `--body-header` may hold: the list needs the rest of GitHub's limit.
const HEADER_LIMIT: usize = 16_384;

/// Whether `header` can go above the block: it must not hold a marker line (it would take the
/// block's place) and must leave room for the list.
pub fn check_body_header(header: &str) -> Result<(), UsageError> {
    if header
        .lines()
        .any(|l| l.trim_end() == BLOCK_BEGIN || l.trim_end() == BLOCK_END)
    {
        return Err(UsageError(format!(
            "--body-header holds a line `{BLOCK_BEGIN}` or `{BLOCK_END}`, which marks Tidegate's own block; remove it"
        )));
    }
    if size(header) > HEADER_LIMIT {
        return Err(UsageError(format!(
            "--body-header is {} characters long; keep it under {HEADER_LIMIT} so the list of commits fits GitHub's limit",
            size(header)
        )));
    }
    Ok(())
}

/// The body of a new pull request: the header (if any) above the block.
pub fn new_body(header: Option<&str>, facts: &Facts) -> String {
    body(header.filter(|h| !h.trim().is_empty()), facts)
}

/// The text before and after the block, if the body has one. A marker counts only alone on its
/// line: commit text can quote a marker, but every line Tidegate writes from commits starts with
/// other text, so a quoted marker can never end the block early.
fn split_block(body: &str) -> Option<(&str, &str)> {
    let start = marker_line(body, BLOCK_BEGIN, 0)?;
    let end_at = marker_line(body, BLOCK_END, start + BLOCK_BEGIN.len())?;
    Some((&body[..start], &body[end_at + BLOCK_END.len()..]))
}

/// The offset of the first line from `from` on that is exactly `marker` (CR ignored).
fn marker_line(body: &str, marker: &str, from: usize) -> Option<usize> {
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        if here >= from && line.trim_end_matches(['\n', '\r']) == marker {
            return Some(here);
        }
    }
    None
}

/// The block's content without its marker lines, for a report.
pub fn block_content(block: &str) -> &str {
    let inner = block.strip_prefix(BLOCK_BEGIN).unwrap_or(block);
    inner.strip_suffix(BLOCK_END).unwrap_or(inner).trim()
}
