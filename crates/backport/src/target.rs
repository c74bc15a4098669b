//! One target: found already made, already on the branch, or cherry-picked, written through the
//! API onto a new branch and opened as a pull request (a draft when it conflicts).

use crate::pick::{self, Picks, short};
use crate::text::{self, PickedLine};
use crate::{Cli, carried_labels};
use git2::{Oid, Repository};
use serde_json::{Value, json};
use tidegate_actions::{exit, warning};
use tidegate_core::markdown::{code_span, escape_inline};
use tidegate_github::backports::PullDetails;
use tidegate_github::pulls::NewPullRequest;
use tidegate_github::refs::Created as BranchCreated;
use tidegate_github::{Error, GitHub};

pub struct Context<'a> {
    pub cli: &'a Cli,
    pub repo: &'a Repository,
    pub gh: &'a GitHub,
    pub details: &'a PullDetails,
    pub merge: Oid,
    pub picks: &'a Picks,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Created,
    Exists,
    AlreadyOnTarget,
    Conflict,
    Failed,
}

impl Status {
    fn name(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Exists => "exists",
            Status::AlreadyOnTarget => "already-on-target",
            Status::Conflict => "conflict",
            Status::Failed => "failed",
        }
    }
}

pub struct TargetResult {
    pub target: String,
    pub status: Status,
    pub pr: Option<u64>,
    pub url: Option<String>,
    /// Made by this run (a conflict draft too).
    pub created: bool,
    /// One line for logs and `failed` results.
    pub message: String,
    /// The Markdown section for the result comment and the step summary.
    pub section: String,
    pub exit_code: u8,
    /// An open pull request an earlier run made: a result comment naming it stays as it is.
    pub earlier_open: bool,
}

impl TargetResult {
    pub fn json(&self) -> Value {
        json!({
            "target": self.target,
            "status": self.status.name(),
            "pr": self.pr,
            "url": self.url,
            "message": self.message,
        })
    }

    fn failed(target: &str, code: u8, message: String) -> Self {
        let section = format!(
            "❌ {}: failed: {}",
            code_span(target),
            escape_inline(&message)
        );
        Self {
            target: target.to_string(),
            status: Status::Failed,
            pr: None,
            url: None,
            created: false,
            message,
            section,
            exit_code: code,
            earlier_open: false,
        }
    }
}

pub fn branch_name(pr: u64, target: &str) -> String {
    format!("backport/{pr}-to-{target}")
}

/// Backports to one target; a failure is a result, so the other targets still run.
pub async fn backport_to(cx: &Context<'_>, target: &str, tip: Oid) -> TargetResult {
    match attempt(cx, target, tip).await {
        Ok(result) => result,
        // Said once, in the run's final error line, with the other failed targets.
        Err((code, message)) => TargetResult::failed(target, code, message),
    }
}

fn github(e: Error) -> (u8, String) {
    (e.exit_code().max(exit::FAILURE), e.to_string())
}

fn git(e: git2::Error) -> (u8, String) {
    (exit::FAILURE, format!("git: {}", e.message()))
}

fn lines_of(repo: &Repository, oids: &[Oid]) -> Vec<PickedLine> {
    oids.iter()
        .map(|oid| PickedLine {
            source: *oid,
            subject: repo
                .find_commit(*oid)
                .map(|c| pick::subject(&c))
                .unwrap_or_default(),
        })
        .collect()
}

async fn attempt(cx: &Context<'_>, target: &str, tip: Oid) -> Result<TargetResult, (u8, String)> {
    let pr = cx.details.number;
    let head = branch_name(pr, target);
    let gh = cx.gh;
    if let Some(found) = gh
        .find_pull_any_state(&head, target)
        .await
        .map_err(github)?
    {
        if found.state == "open" && found.draft {
            if let Some(result) = conflict_found(cx, target, &found).await? {
                return Ok(result);
            }
        }
        let state = if found.merged {
            "merged"
        } else if found.state == "open" && found.draft {
            "open, draft"
        } else {
            found.state.as_str()
        };
        return Ok(TargetResult {
            target: target.to_string(),
            status: Status::Exists,
            pr: Some(found.number),
            url: Some(found.html_url.clone()),
            created: false,
            message: format!("#{} already backports #{pr} ({state})", found.number),
            section: format!(
                "☑️ {}: #{} already backports it ({state})",
                code_span(target),
                found.number
            ),
            exit_code: 0,
            earlier_open: found.state == "open",
        });
    }
    if let Some(there) =
        pick::already_on_target(cx.repo, tip, cx.merge, &cx.picks.commits).map_err(git)?
    {
        let shas: Vec<String> = there.iter().map(|o| short(*o)).collect();
        return Ok(already(target, &shas.join(", ")));
    }
    let outcome = pick::cherry_pick(cx.repo, tip, &cx.picks.commits, target).map_err(git)?;
    if outcome.made.is_empty() {
        return Ok(already(target, "the same content (every change is there)"));
    }
    // Written through the API, each tree on the previous one; GitHub must build the same trees.
    let base = cx.repo.find_commit(tip).map_err(git)?;
    let mut parent_sha = tip.to_string();
    let mut parent_tree = base.tree_id().to_string();
    let mut messages = Vec::new();
    for made in &outcome.made {
        let tree = gh
            .create_tree(&parent_tree, &made.changes)
            .await
            .map_err(github)?;
        if tree != made.tree.to_string() {
            return Err((
                exit::FAILURE,
                format!(
                    "GitHub built tree {tree} where the checkout built {} for the pick of {}; is the checkout's `{target}` the same as GitHub's?",
                    made.tree,
                    short(made.source)
                ),
            ));
        }
        parent_sha = gh
            .create_commit(&made.message, &tree, &[parent_sha], Some(&made.author))
            .await
            .map_err(github)?
            .sha;
        parent_tree = tree;
        messages.push(made.message.trim_end().to_string());
    }
    match gh
        .create_branch_once(&head, &parent_sha)
        .await
        .map_err(github)?
    {
        BranchCreated::Created | BranchCreated::Existed => {}
        BranchCreated::Elsewhere(there) => {
            // A former run that stopped before its pull request made the same picks (the
            // commits differ only in their committer's date): take its branch as it is.
            let ahead = gh
                .commits_ahead(target, &head)
                .await
                .map_err(github)?
                .unwrap_or_default();
            let theirs: Vec<String> = ahead
                .iter()
                .map(|c| c.message.trim_end().to_string())
                .collect();
            if theirs != messages {
                return Err((
                    1,
                    format!(
                        "branch `{head}` exists (at {}) with commits this backport did not make; delete it, or finish the backport by hand",
                        there.get(..7).unwrap_or(&there)
                    ),
                ));
            }
        }
    }
    let conflict = outcome.conflict.as_ref();
    let picked: Vec<Oid> = outcome.made.iter().map(|m| m.source).collect();
    let picked_lines = lines_of(cx.repo, &picked);
    let empty_lines = lines_of(cx.repo, &outcome.empty);
    let remaining = conflict.map(|c| c.remaining.clone()).unwrap_or_default();
    let not_picked = lines_of(cx.repo, &remaining);
    let conflict_files = conflict.map(|c| c.files.clone()).unwrap_or_default();
    let title = text::title(target, &cx.details.title);
    let body = text::body(&text::Body {
        pr,
        original_title: &cx.details.title,
        target,
        method: cx.picks.method.name(),
        picked: &picked_lines,
        skipped_empty: &empty_lines,
        conflict_files: &conflict_files,
        not_picked: &not_picked,
    });
    let created = gh
        .create_pull(&NewPullRequest {
            title: &title,
            head: &head,
            base: target,
            body: &body,
            draft: conflict.is_some(),
        })
        .await
        .map_err(github)?;
    let number = created.pull.number;
    let labels = carried_labels(cx.cli, cx.details);
    let milestone = cx
        .cli
        .carry_milestone
        .then_some(cx.details.milestone)
        .flatten();
    let assignees: Vec<String> = if cx.cli.assign_author && !cx.details.author.is_empty() {
        vec![cx.details.author.clone()]
    } else {
        Vec::new()
    };
    if !labels.is_empty() || milestone.is_some() || !assignees.is_empty() {
        gh.dress_issue(number, &labels, milestone, &assignees)
            .await
            .map_err(github)?;
    }
    let url = created.pull.html_url.clone();
    let commits = picked
        .iter()
        .map(|o| short(*o))
        .collect::<Vec<_>>()
        .join(", ");
    let Some(conflict) = conflict else {
        return Ok(TargetResult {
            target: target.to_string(),
            status: Status::Created,
            pr: Some(number),
            url: Some(url),
            created: true,
            message: format!("#{number} opened"),
            section: format!(
                "✅ {}: #{number} opened ({} picked: {commits})",
                code_span(target),
                picked.len()
            ),
            exit_code: 0,
            earlier_open: false,
        });
    };
    let instructions = text::instructions(&head, &conflict.files, &conflict.remaining);
    gh.upsert_marked_comment(
        number,
        text::CONFLICT_MARKER,
        &text::conflict_comment(target, &conflict.files, &instructions),
    )
    .await
    .map_err(github)?;
    warning(&format!(
        "the backport of #{pr} to {target} conflicts in {}: opened draft #{number} with the conflict markers committed; finish it by hand",
        conflict.files.join(", ")
    ));
    Ok(TargetResult {
        target: target.to_string(),
        status: Status::Conflict,
        pr: Some(number),
        url: Some(url),
        created: true,
        message: format!(
            "draft #{number}: conflicts in {}",
            conflict.files.join(", ")
        ),
        section: text::conflict_section(
            target,
            number,
            &text::files_list(&conflict.files),
            &instructions,
        ),
        exit_code: 0,
        earlier_open: false,
    })
}

/// An open draft an earlier run made for a conflict is still a conflict: its files and the
/// commands to finish it are read back from its conflict comment (`None`: it has none).
async fn conflict_found(
    cx: &Context<'_>,
    target: &str,
    found: &PullDetails,
) -> Result<Option<TargetResult>, (u8, String)> {
    let comments = cx.gh.comments_of(found.number).await.map_err(github)?;
    let ours = cx
        .gh
        .marked_comment(&comments, text::CONFLICT_MARKER)
        .await
        .map_err(github)?;
    let Some((files, instructions)) = ours.and_then(|c| text::read_conflict_comment(&c.body))
    else {
        return Ok(None);
    };
    Ok(Some(TargetResult {
        target: target.to_string(),
        status: Status::Conflict,
        pr: Some(found.number),
        url: Some(found.html_url.clone()),
        created: false,
        message: format!(
            "draft #{} (made by an earlier run) still needs its conflicts resolved",
            found.number
        ),
        section: text::conflict_section(target, found.number, &files, &instructions),
        exit_code: 0,
        earlier_open: true,
    }))
}

fn already(target: &str, what: &str) -> TargetResult {
    TargetResult {
        target: target.to_string(),
        status: Status::AlreadyOnTarget,
        pr: None,
        url: None,
        created: false,
        message: format!("already on {target} as {what}"),
        section: format!(
            "☑️ {}: already there, as {}",
            code_span(target),
            escape_inline(what)
        ),
        exit_code: 0,
        earlier_open: false,
    }
}
