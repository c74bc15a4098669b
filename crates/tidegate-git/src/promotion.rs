//! The facts of a promotion from the local checkout: which branch tips GitHub will merge, the
//! commits the source has and the target lacks, the commits only the target has (and which of them
//! the source already carries as an equivalent patch), and a trial merge.

use crate::{GitError, History};
use git2::{BranchType, MergeOptions, Oid, Sort};
use std::collections::{HashMap, HashSet};
use tidegate_core::commit::{CommitInfo, merged_pull_request};
use tidegate_core::promotion::{RangeCommit, TargetOnly};

#[derive(Debug, thiserror::Error)]
pub enum PromoteError {
    #[error(
        "branch `{0}` exists neither as origin/{0} nor locally; check the name, and fetch it (actions/checkout with `fetch-depth: 0` fetches every branch)"
    )]
    UnknownBranch(String),
    #[error(
        "this checkout is shallow, so the commits to promote cannot be listed; check out the whole history (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow`)"
    )]
    Shallow,
    #[error(transparent)]
    Git(#[from] GitError),
}

impl From<git2::Error> for PromoteError {
    fn from(e: git2::Error) -> Self {
        Self::Git(GitError::Git(e))
    }
}

impl PromoteError {
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::UnknownBranch(_) | Self::Shallow => 2,
            Self::Git(e) if e.is_usage() => 2,
            Self::Git(_) => 3,
        }
    }
}

/// A branch as found in the checkout.
#[derive(Clone, Debug)]
pub struct Tip {
    /// The name given (`main`).
    pub branch: String,
    /// Where it was found (`origin/main`, or `main` when there is no remote-tracking branch).
    pub found_as: String,
    pub commit: Oid,
}

/// The range, the divergence and the trial merge of a promotion.
#[derive(Clone, Debug)]
pub struct Range {
    pub commits: Vec<RangeCommit>,
    pub target_only: Vec<TargetOnly>,
    pub conflicts: Vec<String>,
    /// The target is an ancestor of the source: the target can simply move.
    pub fast_forward: bool,
}

impl History {
    /// A branch as GitHub will see it: `origin/NAME` when the checkout has it (after
    /// `actions/checkout` only the triggering branch is local, and a local branch may be stale),
    /// else the local branch.
    pub fn branch_tip(&self, branch: &str) -> Result<Tip, PromoteError> {
        let found = [
            (format!("origin/{branch}"), BranchType::Remote),
            (branch.to_string(), BranchType::Local),
        ]
        .into_iter()
        .find_map(|(name, kind)| {
            let found = self.repo.find_branch(&name, kind).ok()?;
            let commit = found.get().peel_to_commit().ok()?.id();
            Some(Tip {
                branch: branch.to_string(),
                found_as: name,
                commit,
            })
        });
        found.ok_or_else(|| PromoteError::UnknownBranch(branch.to_string()))
    }

    /// Everything a promotion of `source` into `target` needs to know from history.
    pub fn promotion_range(&self, source: Oid, target: Oid) -> Result<Range, PromoteError> {
        if self.is_shallow() {
            return Err(PromoteError::Shallow);
        }
        let commits = self.range_commits(source, target)?;
        let target_only = self.target_only(source, target, &commits)?;
        let fast_forward = source == target || self.repo.graph_descendant_of(source, target)?;
        let conflicts = if fast_forward {
            Vec::new()
        } else {
            self.trial_merge(source, target)?
        };
        Ok(Range {
            commits,
            target_only,
            conflicts,
            fast_forward,
        })
    }

    /// Commits reachable from `source` and not from `target`, newest first, merges included, each
    /// linked to the PR whose merge commit brought it in.
    fn range_commits(&self, source: Oid, target: Oid) -> Result<Vec<RangeCommit>, PromoteError> {
        let ids = self.walk(source, target)?;
        let mut merged_pr: HashMap<Oid, u64> = HashMap::new();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let commit = self.repo.find_commit(id)?;
            let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
            let is_merge = commit.parent_count() > 1;
            if is_merge {
                if let Some(pr) = merged_pull_request(&message) {
                    self.link_merged(&commit, Some(target), pr, &mut merged_pr)?;
                }
            }
            let author = commit.author();
            out.push((
                id,
                RangeCommit {
                    info: CommitInfo {
                        id: id.to_string(),
                        message,
                        author: String::from_utf8_lossy(author.name_bytes()).into_owned(),
                        time: commit.time().seconds(),
                        merged_pr: None,
                    },
                    email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
                    is_merge,
                },
            ));
        }
        // Merges come before the commits they brought in, so links are set once all are known.
        Ok(out
            .into_iter()
            .map(|(id, mut commit)| {
                commit.info.merged_pr = merged_pr.get(&id).copied();
                commit
            })
            .collect())
    }

    fn walk(&self, from: Oid, hide: Oid) -> Result<Vec<Oid>, git2::Error> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(from)?;
        walk.hide(hide)?;
        walk.collect()
    }

    /// Commits only the target has, each marked when the source already has the same patch.
    fn target_only(
        &self,
        source: Oid,
        target: Oid,
        range: &[RangeCommit],
    ) -> Result<Vec<TargetOnly>, PromoteError> {
        let ids = self.walk(target, source)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // Patch ids of the source side, computed only when there is something to compare.
        let mut source_patches = HashSet::new();
        for commit in range.iter().filter(|c| !c.is_merge) {
            if let Some(id) = self.patch_id(Oid::from_str(&commit.info.id)?)? {
                source_patches.insert(id);
            }
        }
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let commit = self.repo.find_commit(id)?;
            let equivalent = commit.parent_count() == 1
                && self
                    .patch_id(id)?
                    .is_some_and(|p| source_patches.contains(&p));
            let subject = String::from_utf8_lossy(commit.message_bytes())
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            out.push(TargetOnly {
                id: id.to_string(),
                subject,
                equivalent_on_source: equivalent,
            });
        }
        Ok(out)
    }

    /// The patch id of a single-parent commit's change (`git patch-id`): equal for the same change
    /// applied on another base.
    fn patch_id(&self, id: Oid) -> Result<Option<Oid>, git2::Error> {
        let commit = self.repo.find_commit(id)?;
        if commit.parent_count() != 1 {
            return Ok(None);
        }
        let parent = commit.parent(0)?.tree()?;
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&parent), Some(&commit.tree()?), None)?;
        if diff.deltas().len() == 0 {
            return Ok(None);
        }
        diff.patchid(None).map(Some)
    }

    /// The files a merge of `source` into `target` would conflict on, found in memory without
    /// touching the working tree.
    fn trial_merge(&self, source: Oid, target: Oid) -> Result<Vec<String>, PromoteError> {
        let ours = self.repo.find_commit(target)?;
        let theirs = self.repo.find_commit(source)?;
        let index = self
            .repo
            .merge_commits(&ours, &theirs, Some(&MergeOptions::new()))?;
        if !index.has_conflicts() {
            return Ok(Vec::new());
        }
        let mut files: Vec<String> = Vec::new();
        for conflict in index.conflicts()? {
            let conflict = conflict?;
            let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
            if let Some(entry) = entry {
                let path = String::from_utf8_lossy(&entry.path).into_owned();
                if !files.contains(&path) {
                    files.push(path);
                }
            }
        }
        files.sort();
        Ok(files)
    }
}
