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
        "branch `{0}` exists neither on origin nor locally; check the name (`NAME` or `origin/NAME`), and fetch it (actions/checkout with `fetch-depth: 0` fetches every branch)"
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
        Self::Git(GitError::from(e))
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
    /// else the local branch. `origin/NAME` is accepted for `NAME` (the spelling other tools
    /// suggest), unless GitHub really has a branch called `origin/NAME`.
    pub fn branch_tip(&self, branch: &str) -> Result<Tip, PromoteError> {
        // `origin/main` is accepted as well as `main`: both name the same branch.
        let spellings = [Some(branch), branch.strip_prefix("origin/")];
        for name in spellings.into_iter().flatten().filter(|n| !n.is_empty()) {
            if let Some(tip) = self.tip_of(name)? {
                return Ok(tip);
            }
        }
        Err(PromoteError::UnknownBranch(branch.to_string()))
    }

    fn tip_of(&self, branch: &str) -> Result<Option<Tip>, PromoteError> {
        for (name, kind) in [
            (format!("origin/{branch}"), BranchType::Remote),
            (branch.to_string(), BranchType::Local),
        ] {
            // A missing or malformed name is looked for elsewhere; a broken repository is not.
            let found = match self.repo.find_branch(&name, kind) {
                Ok(found) => found,
                Err(e) => match GitError::from(e) {
                    damaged @ GitError::Damaged(_) => return Err(damaged.into()),
                    _ => continue,
                },
            };
            // The branch exists, so a tip that cannot be read is damage, whatever libgit2 calls it.
            let commit = found
                .get()
                .peel_to_commit()
                .map_err(|e| GitError::Damaged(e.message().to_string()))?
                .id();
            return Ok(Some(Tip {
                branch: branch.to_string(),
                found_as: name,
                commit,
            }));
        }
        Ok(None)
    }

    /// Everything a promotion of `source` into `target` needs to know from history.
    pub fn promotion_range(&self, source: Oid, target: Oid) -> Result<Range, PromoteError> {
        if self.is_shallow() {
            return Err(PromoteError::Shallow);
        }
        let (commits, combined_trees) = self.range_commits(source, target)?;
        let target_only = self.target_only(source, target, &commits, &combined_trees)?;
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
    /// linked to the PR whose merge commit brought it in; and the trees of the range commits that
    /// combine several of its commits (one with a parent in the range), by tree.
    fn range_commits(
        &self,
        source: Oid,
        target: Oid,
    ) -> Result<(Vec<RangeCommit>, HashMap<Oid, String>), PromoteError> {
        let ids = self.walk(source, target)?;
        let in_range: HashSet<Oid> = ids.iter().copied().collect();
        let mut combined_trees = HashMap::new();
        let mut merged_pr: HashMap<Oid, u64> = HashMap::new();
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let commit = self.repo.find_commit(id)?;
            if commit.parent_ids().any(|p| in_range.contains(&p)) {
                combined_trees
                    .entry(commit.tree_id())
                    .or_insert_with(|| id.to_string());
            }
            let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
            let is_merge = commit.parent_count() > 1;
            if is_merge {
                if let Some(pr) = merged_pull_request(&message) {
                    self.link_merged(&commit, &[target], pr, &mut merged_pr)?;
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
        let commits = out
            .into_iter()
            .map(|(id, mut commit)| {
                commit.info.merged_pr = merged_pr.get(&id).copied();
                commit
            })
            .collect();
        Ok((commits, combined_trees))
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
        combined_trees: &HashMap<Oid, String>,
    ) -> Result<Vec<TargetOnly>, PromoteError> {
        let ids = self.walk(target, source)?;
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        // As `git cherry` does: the files a change touches are cheap to compare, its patch id is
        // not, so a source commit's patch id is computed only when it touches exactly the files
        // of some target-only commit.
        let mut target_patches: HashMap<Vec<Vec<u8>>, Vec<(usize, Oid)>> = HashMap::new();
        let mut out = Vec::with_capacity(ids.len());
        for (i, &id) in ids.iter().enumerate() {
            let commit = self.repo.find_commit(id)?;
            if let Some(diff) = self.change_of(&commit)? {
                target_patches
                    .entry(touched_paths(&diff))
                    .or_default()
                    .push((i, diff.patchid(None)?));
            }
            let subject = String::from_utf8_lossy(commit.message_bytes())
                .lines()
                .next()
                .unwrap_or_default()
                .to_string();
            let is_merge = commit.parent_count() > 1;
            out.push(TargetOnly {
                id: id.to_string(),
                subject,
                equivalent_on_source: false,
                is_merge,
                clean_merge: is_merge && self.is_clean_merge(&commit)?,
                same_tree_as: (!is_merge)
                    .then(|| combined_trees.get(&commit.tree_id()).cloned())
                    .flatten(),
            });
        }
        let path_sets: Vec<Vec<std::path::PathBuf>> = target_patches
            .keys()
            .map(|paths| paths.iter().map(|p| bytes_path(p)).collect())
            .collect();
        for commit in range.iter().filter(|c| !c.is_merge) {
            let commit = self.repo.find_commit(Oid::from_str(&commit.info.id)?)?;
            // Cheaper still: a tree lookup of the candidate paths before any diff.
            if !path_sets.iter().any(|paths| changes_all(&commit, paths)) {
                continue;
            }
            let Some(diff) = self.change_of(&commit)? else {
                continue;
            };
            let Some(candidates) = target_patches.get(&touched_paths(&diff)) else {
                continue;
            };
            let patch = diff.patchid(None)?;
            for &(i, _) in candidates.iter().filter(|(_, p)| *p == patch) {
                out[i].equivalent_on_source = true;
            }
        }
        Ok(out)
    }

    /// Whether a two-parent merge commit's tree is exactly what merging its parents gives, with
    /// no conflict: then every change it carries is one of its parents', and none is its own.
    /// Compared entry by entry, so nothing is written to the object database.
    fn is_clean_merge(&self, commit: &git2::Commit<'_>) -> Result<bool, git2::Error> {
        if commit.parent_count() != 2 {
            return Ok(false);
        }
        let index = self
            .repo
            .merge_commits(&commit.parent(0)?, &commit.parent(1)?, None)?;
        if index.has_conflicts() {
            return Ok(false);
        }
        let mut merged: Vec<(Vec<u8>, Oid, u32)> =
            index.iter().map(|e| (e.path, e.id, e.mode)).collect();
        let mut recorded: Vec<(Vec<u8>, Oid, u32)> = Vec::with_capacity(merged.len());
        commit
            .tree()?
            .walk(git2::TreeWalkMode::PreOrder, |folder, entry| {
                if entry.kind() != Some(git2::ObjectType::Tree) {
                    let mut path = folder.as_bytes().to_vec();
                    path.extend_from_slice(entry.name_bytes());
                    recorded.push((path, entry.id(), entry.filemode() as u32));
                }
                git2::TreeWalkResult::Ok
            })?;
        merged.sort();
        recorded.sort();
        Ok(merged == recorded)
    }

    /// The change a single-parent commit makes (`None` for merges, root and empty commits).
    pub(crate) fn change_of(
        &self,
        commit: &git2::Commit<'_>,
    ) -> Result<Option<git2::Diff<'_>>, git2::Error> {
        if commit.parent_count() != 1 {
            return Ok(None);
        }
        let parent = commit.parent(0)?.tree()?;
        let diff = self
            .repo
            .diff_tree_to_tree(Some(&parent), Some(&commit.tree()?), None)?;
        Ok((diff.deltas().len() > 0).then_some(diff))
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

/// The paths a change touches, in order: equal for the same change on another base.
pub(crate) fn touched_paths(diff: &git2::Diff<'_>) -> Vec<Vec<u8>> {
    diff.deltas()
        .filter_map(|d| {
            d.new_file()
                .path_bytes()
                .or_else(|| d.old_file().path_bytes())
        })
        .map(<[u8]>::to_vec)
        .collect()
}

pub(crate) fn bytes_path(bytes: &[u8]) -> std::path::PathBuf {
    std::path::PathBuf::from(String::from_utf8_lossy(bytes).into_owned())
}

/// Whether a single-parent commit changes every one of `paths` (added, removed or modified).
pub(crate) fn changes_all(commit: &git2::Commit<'_>, paths: &[std::path::PathBuf]) -> bool {
    let (Ok(tree), Ok(parent)) = (commit.tree(), commit.parent(0).and_then(|p| p.tree())) else {
        return false;
    };
    let id =
        |tree: &git2::Tree<'_>, path: &std::path::Path| tree.get_path(path).ok().map(|e| e.id());
    paths
        .iter()
        .all(|path| id(&tree, path) != id(&parent, path))
}
