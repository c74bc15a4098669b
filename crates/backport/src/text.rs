//! What people read: the backport PR's title and body, the conflict instructions, the result
//! comment on the original (one comment, a section per target, updated in place).

use crate::pick::short;
use git2::Oid;
use tidegate_core::markdown::{code_span, escape_inline};

/// The hidden marker that finds a backport PR again.
pub fn pr_marker(pr: u64, target: &str) -> String {
    format!("<!-- tidegate:backport of=#{pr} to={} -->", hidden(target))
}

/// The marker of the result comment on the original.
pub const RESULTS_MARKER: &str = "<!-- tidegate:backport-results -->";
/// The marker of the conflict comment on a backport PR.
pub const CONFLICT_MARKER: &str = "<!-- tidegate:backport-conflict -->";

/// The marker of the reply to a refused `/backport` comment.
pub fn refusal_marker(comment: u64) -> String {
    format!("<!-- tidegate:backport-refused comment={comment} -->")
}

/// A branch name as it may sit inside an HTML comment (`-->` cannot end it early).
fn hidden(text: &str) -> String {
    text.replace('%', "%25")
        .replace('>', "%3E")
        .replace('\n', "%0A")
}

pub fn title(target: &str, original: &str) -> String {
    format!(
        "[Backport {target}] {}",
        tidegate_actions::one_line(original.trim())
    )
}

/// One picked commit as a list line.
pub struct PickedLine {
    pub source: Oid,
    pub subject: String,
}

pub struct Body<'a> {
    pub pr: u64,
    pub original_title: &'a str,
    pub target: &'a str,
    pub method: &'a str,
    pub picked: &'a [PickedLine],
    pub skipped_empty: &'a [PickedLine],
    pub conflict_files: &'a [String],
    pub not_picked: &'a [PickedLine],
}

fn lines(picked: &[PickedLine]) -> String {
    picked
        .iter()
        .map(|p| format!("- {} {}\n", short(p.source), escape_inline(&p.subject)))
        .collect()
}

pub fn body(b: &Body<'_>) -> String {
    let mut out = format!(
        "Backport of #{} to {}: {}\n\nCherry-picked ({}, with `-x`):\n{}",
        b.pr,
        code_span(b.target),
        escape_inline(b.original_title),
        b.method,
        lines(b.picked)
    );
    if !b.skipped_empty.is_empty() {
        out.push_str(&format!(
            "\nAlready on {} (nothing to pick):\n{}",
            code_span(b.target),
            lines(b.skipped_empty)
        ));
    }
    if !b.conflict_files.is_empty() {
        out.push_str(&format!(
            "\n> [!WARNING]\n> The last pick conflicts in {}: the conflict markers are committed. This draft needs a person to finish it (see the comment below).\n",
            files_list(b.conflict_files)
        ));
    }
    if !b.not_picked.is_empty() {
        out.push_str(&format!(
            "\nNot picked yet (after the conflict):\n{}",
            lines(b.not_picked)
        ));
    }
    out.push_str(&format!("\n{}\n", pr_marker(b.pr, b.target)));
    out
}

pub fn files_list(files: &[String]) -> String {
    files
        .iter()
        .map(|f| code_span(f))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A word in a shell command: single-quoted unless plainly safe.
fn shell(word: &str) -> String {
    let plain = word
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_./+@=:".contains(c));
    if plain && !word.is_empty() {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

/// A fenced block that nothing inside can close.
fn fenced(text: &str) -> String {
    let longest = text
        .split(|c| c != '`')
        .map(str::len)
        .max()
        .unwrap_or(0)
        .max(2);
    let fence = "`".repeat(longest + 1);
    format!("{fence}sh\n{text}{fence}\n")
}

/// The exact commands to finish a conflicted backport locally.
pub fn instructions(branch: &str, files: &[String], remaining: &[Oid]) -> String {
    let b = shell(branch);
    let mut commands = format!("git fetch origin {b}\ngit switch {b}\n");
    commands.push_str("# resolve the conflict markers (<<<<<<< ||||||| ======= >>>>>>>) in:\n");
    for f in files {
        commands.push_str(&format!("#   {}\n", tidegate_actions::one_line(f)));
    }
    let quoted: Vec<String> = files.iter().map(|f| shell(f)).collect();
    commands.push_str(&format!("git add {}\n", quoted.join(" ")));
    commands.push_str("git commit -m 'Resolve the backport conflicts'\n");
    if !remaining.is_empty() {
        let shas: Vec<String> = remaining.iter().map(Oid::to_string).collect();
        commands.push_str(&format!("git cherry-pick -x {}\n", shas.join(" ")));
    }
    commands.push_str("git push\n");
    format!(
        "To finish it locally:\n\n{}\n(Or `git commit --amend --no-edit` instead of a new commit, then `git push --force-with-lease`.) Then mark the pull request ready for review.\n",
        fenced(&commands)
    )
}

/// Ends the files list in the conflict comment's first line.
const CONFLICT_FILES_END: &str = ". The conflicted state is committed, with diff3-style markers.";

pub fn conflict_comment(target: &str, files: &[String], instructions: &str) -> String {
    format!(
        "{CONFLICT_MARKER}\n**The backport to {} conflicts** in {}{CONFLICT_FILES_END}\n\n{instructions}",
        code_span(target),
        files_list(files)
    )
}

/// The files (as Markdown) and the instructions of a conflict comment, read back on a re-run.
pub fn read_conflict_comment(body: &str) -> Option<(String, String)> {
    let rest = &body[body.find(CONFLICT_MARKER)? + CONFLICT_MARKER.len()..];
    let (first, instructions) = rest.trim_start_matches('\n').split_once("\n\n")?;
    let files = first.split_once(" conflicts** in ")?.1;
    let files = files.strip_suffix(CONFLICT_FILES_END)?;
    Some((files.to_string(), instructions.to_string()))
}

/// The result line of a conflicted target: the same on the first run and on re-runs.
pub fn conflict_section(target: &str, draft: u64, files: &str, instructions: &str) -> String {
    format!(
        "⚠️ {}: draft #{draft}, **conflicts** in {files} (the markers are committed).\n\n{instructions}",
        code_span(target)
    )
}

/// One target's section of the result comment.
pub fn section(target: &str, text: &str) -> String {
    format!(
        "<!-- tidegate:backport-target to={} -->\n{}\n<!-- /tidegate:backport-target -->",
        hidden(target),
        text.trim_end()
    )
}

/// The sections of a result comment: (the hidden target name, the whole section).
fn sections_of(comment: &str) -> Vec<(String, String)> {
    let open = "<!-- tidegate:backport-target to=";
    let close = "<!-- /tidegate:backport-target -->";
    let mut sections = Vec::new();
    let mut rest = comment;
    while let Some(start) = rest.find(open) {
        let after = &rest[start + open.len()..];
        let Some(name_end) = after.find(" -->") else {
            break;
        };
        let Some(end) = after.find(close) else {
            break;
        };
        let whole = &rest[start..start + open.len() + end + close.len()];
        sections.push((after[..name_end].to_string(), whole.to_string()));
        rest = &after[end + close.len()..];
    }
    sections
}

/// Whether the result comment already reports `target` by pull request `#number`.
pub fn reports(comment: &str, target: &str, number: u64) -> bool {
    let key = hidden(target);
    let mention = format!("#{number}");
    sections_of(comment).iter().any(|(t, whole)| {
        *t == key
            && whole.match_indices(&mention).any(|(at, _)| {
                !whole[at + mention.len()..].starts_with(|c: char| c.is_ascii_digit())
            })
    })
}

/// The result comment: the sections of `previous` (a former version of the comment) for the
/// targets not in `fresh`, and `fresh`'s, in target order.
pub fn results_comment(pr: u64, previous: Option<&str>, fresh: &[(String, String)]) -> String {
    let mut sections = previous.map(sections_of).unwrap_or_default();
    for (target, text) in fresh {
        let key = hidden(target);
        sections.retain(|(t, _)| *t != key);
        sections.push((key, section(target, text)));
    }
    sections.sort_by(|a, b| a.0.cmp(&b.0));
    let parts: Vec<String> = sections.into_iter().map(|(_, s)| s).collect();
    format!(
        "{RESULTS_MARKER}\n### Backports of #{pr}\n\n{}\n",
        parts.join("\n\n")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_result_comment_keeps_other_targets_and_replaces_this_runs() {
        let first = results_comment(
            4,
            None,
            &[
                ("release/1".into(), "one: failed".into()),
                ("release/2".into(), "two: created".into()),
            ],
        );
        let second = results_comment(
            4,
            Some(&first),
            &[("release/1".into(), "one: created".into())],
        );
        assert!(second.contains("one: created") && !second.contains("one: failed"));
        assert!(second.contains("two: created"));
        assert_eq!(second.matches(RESULTS_MARKER).count(), 1);
    }

    #[test]
    fn a_conflict_comment_reads_back_its_files_and_instructions() {
        let files = vec!["app.txt".to_string(), "a b.txt".to_string()];
        let steps = instructions("backport/4-to-release/1", &files, &[]);
        let body = conflict_comment("release/1", &files, &steps);
        assert_eq!(
            read_conflict_comment(&body),
            Some((files_list(&files), steps))
        );
        assert_eq!(read_conflict_comment("someone's note"), None);
    }

    #[test]
    fn a_section_reports_a_pull_request_by_its_whole_number() {
        let comment = results_comment(4, None, &[("release/1".into(), "#12 opened".into())]);
        assert!(reports(&comment, "release/1", 12));
        assert!(!reports(&comment, "release/1", 1));
        assert!(!reports(&comment, "release/2", 12));
    }

    #[test]
    fn shell_words_are_quoted() {
        assert_eq!(
            shell("backport/1-to-release/1.3"),
            "backport/1-to-release/1.3"
        );
        assert_eq!(shell("a b's"), "'a b'\\''s'");
    }
}
