//! Where a change has reached, from the checkout alone: which branches hold it (as the commit
//! itself, or as the same patch cherry-picked), the first-parent commit that brought it into a
//! branch, the first tag holding it, and a pull request's commit found by its message.

use crate::promotion::{bytes_path, changes_all, touched_paths};
use crate::{GitError, History};
use git2::{BranchType, Oid, Sort};
use std::collections::BTreeSet;
use tidegate_core::commit::merged_pull_request;

/// Commits are not compared with anything older than their own date minus this much, so a
/// skewed clock on one machine does not hide a change (git's `--contains` allows a day too).
const CLOCK_SLOP: i64 = 86_400;

/// How a branch holds a change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// The commit itself is in the branch's history.
    Commit,
    /// A commit with the same patch, or one whose message says it was cherry-picked from it.
    Patch(Oid),
}

impl Held {
    /// The commit of the branch that carries the change.
    pub fn carrier(self, commit: Oid) -> Oid {
        match self {
            Self::Commit => commit,
            Self::Patch(copy) => copy,
        }
    }
}

/// The commit on a branch's first-parent line that brought a change in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub commit: Oid,
    /// A merge (a promotion, or a PR's merge commit) rather than the change itself.
    pub is_merge: bool,
    /// The PR it merged, from its message (`Merge pull request #N`, or a subject ending `(#N)`).
    pub pr: Option<u64>,
    /// Its committer time, in seconds since the epoch.
    pub time: i64,
}

impl History {
    /// A commit's first line.
    pub fn subject(&self, commit: Oid) -> Result<String, GitError> {
        let commit = self.repo.find_commit(commit)?;
        Ok(String::from_utf8_lossy(commit.message_bytes())
            .lines()
            .next()
            .unwrap_or_default()
            .to_string())
    }

    /// A commit's committer time.
    pub fn commit_time(&self, commit: Oid) -> Result<i64, GitError> {
        Ok(self.repo.find_commit(commit)?.time().seconds())
    }

    /// The files a commit changed against its first parent: for a merge, what the merged branch
    /// brought.
    pub fn changed_files(&self, commit: Oid) -> Result<Vec<String>, GitError> {
        let commit = self.repo.find_commit(commit)?;
        let parent = match commit.parent(0) {
            Ok(p) => Some(p.tree()?),
            Err(_) => None,
        };
        let diff = self
            .repo
            .diff_tree_to_tree(parent.as_ref(), Some(&commit.tree()?), None)?;
        Ok(touched_paths(&diff)
            .iter()
            .map(|p| String::from_utf8_lossy(p).into_owned())
            .collect())
    }

    /// The commit a full or abbreviated SHA names, only when it is a commit of this repository.
    pub fn find_commit_id(&self, sha: &str) -> Option<Oid> {
        let sha = sha.trim();
        if sha.len() < 4 || !sha.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        let object = self.repo.revparse_single(sha).ok()?;
        object.peel_to_commit().ok().map(|c| c.id())
    }

    /// Whether `tip`'s history holds `commit` (a commit holds itself).
    pub fn holds(&self, tip: Oid, commit: Oid) -> Result<bool, GitError> {
        Ok(tip == commit || self.repo.graph_descendant_of(tip, commit)?)
    }

    /// How the branch at `tip` holds `commit`: the commit itself, else a commit with the same
    /// patch or a `(cherry picked from commit …)` line naming it, searched only among the commits
    /// the branch has since its merge base with the commit.
    pub fn held_by(&self, tip: Oid, commit: Oid) -> Result<Option<Held>, GitError> {
        if self.holds(tip, commit)? {
            return Ok(Some(Held::Commit));
        }
        let original = self.repo.find_commit(commit)?;
        let trailer = format!("(cherry picked from commit {commit}");
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL)?;
        walk.push(tip)?;
        if let Ok(base) = self.repo.merge_base(tip, commit) {
            walk.hide(base)?;
        }
        // The patch is computed only when a candidate touches the same files (as `git cherry`).
        let change = self.change_of(&original)?;
        let paths: Option<Vec<Vec<u8>>> = change.as_ref().map(touched_paths);
        let path_list: Vec<std::path::PathBuf> =
            paths.iter().flatten().map(|p| bytes_path(p)).collect();
        let mut patch: Option<Oid> = None;
        for id in walk {
            let id = id?;
            let candidate = self.repo.find_commit(id)?;
            if candidate.parent_count() > 1 {
                continue;
            }
            if String::from_utf8_lossy(candidate.message_bytes()).contains(&trailer) {
                return Ok(Some(Held::Patch(id)));
            }
            let (Some(change), Some(paths)) = (&change, &paths) else {
                continue;
            };
            if !changes_all(&candidate, &path_list) {
                continue;
            }
            let Some(diff) = self.change_of(&candidate)? else {
                continue;
            };
            if touched_paths(&diff) != *paths {
                continue;
            }
            let wanted = match patch {
                Some(p) => p,
                None => *patch.insert(change.patchid(None)?),
            };
            if diff.patchid(None)? == wanted {
                return Ok(Some(Held::Patch(id)));
            }
        }
        Ok(None)
    }

    /// The commit of `tip`'s first-parent line that brought `carrier` in: the oldest one whose
    /// history holds it (the carrier itself when it was committed or squashed there). `None`
    /// when the branch does not hold it.
    pub fn arrival(&self, tip: Oid, carrier: Oid) -> Result<Option<Arrival>, GitError> {
        if !self.holds(tip, carrier)? {
            return Ok(None);
        }
        let since = self.commit_time(carrier)? - CLOCK_SLOP;
        // The first-parent line back to the carrier's date: holding it is true up to one commit
        // and false past it, so a binary search finds that commit in a few reachability checks.
        let mut line = vec![tip];
        let mut current = self.repo.find_commit(tip)?;
        while current.id() != carrier {
            let Ok(parent) = current.parent(0) else { break };
            let old = parent.time().seconds() < since;
            line.push(parent.id());
            current = parent;
            // Past the carrier's date, one commit that does not hold it ends the line.
            if old && !self.holds(current.id(), carrier)? {
                break;
            }
        }
        let (mut low, mut high) = (0usize, line.len()); // line[low] holds it; line[high..] do not
        while high - low > 1 {
            let middle = (low + high) / 2;
            if self.holds(line[middle], carrier)? {
                low = middle;
            } else {
                high = middle;
            }
        }
        let commit = self.repo.find_commit(line[low])?;
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        let is_merge = commit.parent_count() > 1;
        Ok(Some(Arrival {
            commit: commit.id(),
            is_merge,
            pr: merged_pull_request(&message).or_else(|| squash_pull_request(&message)),
            time: commit.time().seconds(),
        }))
    }

    /// The commit that merged or squashed pull request `pr` on a first-parent line from one of
    /// `tips`, found by its message: a squash subject ending `(#N)`, or `Merge pull request #N`.
    pub fn pull_request_commit(&self, tips: &[Oid], pr: u64) -> Result<Option<Oid>, GitError> {
        for &tip in tips {
            let mut walk = self.repo.revwalk()?;
            walk.simplify_first_parent()?;
            walk.push(tip)?;
            for id in walk {
                let id = id?;
                let commit = self.repo.find_commit(id)?;
                let message = String::from_utf8_lossy(commit.message_bytes());
                if merged_pull_request(&message) == Some(pr)
                    || squash_pull_request(&message) == Some(pr)
                {
                    return Ok(Some(id));
                }
            }
        }
        Ok(None)
    }

    /// Branch names starting with `prefix` (`release/`), local or on origin, each once.
    pub fn branches_named(&self, prefix: &str) -> Result<Vec<String>, GitError> {
        let mut names = BTreeSet::new();
        for branch in self.repo.branches(None)? {
            let (branch, kind) = branch?;
            let Ok(Some(name)) = branch.name() else {
                continue;
            };
            let name = match kind {
                BranchType::Local => name,
                BranchType::Remote => match name.strip_prefix("origin/") {
                    Some(rest) => rest,
                    None => continue,
                },
            };
            if name.starts_with(prefix) && name != "HEAD" {
                names.insert(name.to_string());
            }
        }
        Ok(names.into_iter().collect())
    }

    /// The first of `tags` (in the order given) whose commit holds one of `carriers`. A tag
    /// older than every carrier by more than a day is passed over without a reachability check.
    pub fn first_holding<'t, T>(
        &self,
        tags: impl IntoIterator<Item = (&'t T, Oid)>,
        carriers: &[Oid],
    ) -> Result<Option<&'t T>, GitError> {
        let mut oldest = i64::MAX;
        for &c in carriers {
            oldest = oldest.min(self.commit_time(c)?);
        }
        for (tag, commit) in tags {
            if self.commit_time(commit)? < oldest.saturating_sub(CLOCK_SLOP) {
                continue;
            }
            for &carrier in carriers {
                if self.holds(commit, carrier)? {
                    return Ok(Some(tag));
                }
            }
        }
        Ok(None)
    }

    /// The commits `from` has and `to` lacks, merges left out, newest first (`git log --no-merges
    /// to..from`).
    pub fn waiting(&self, from: Oid, to: Oid) -> Result<Vec<Oid>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(from)?;
        walk.hide(to)?;
        let mut out = Vec::new();
        for id in walk {
            let id = id?;
            if self.repo.find_commit(id)?.parent_count() <= 1 {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// The pull requests the commits `from` has and `to` lacks name, with the commit naming
    /// each, newest first, each once: a squash subject ending `(#N)`, or a `Merge pull request
    /// #N` merge. `to` `None`: every commit of `from`.
    pub fn waiting_pull_requests(
        &self,
        from: Oid,
        to: Option<Oid>,
    ) -> Result<Vec<(u64, Oid)>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(from)?;
        if let Some(to) = to {
            walk.hide(to)?;
        }
        let mut out: Vec<(u64, Oid)> = Vec::new();
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            let message = String::from_utf8_lossy(commit.message_bytes());
            let pr = merged_pull_request(&message).or_else(|| squash_pull_request(&message));
            if let Some(pr) = pr.filter(|pr| !out.iter().any(|(n, _)| n == pr)) {
                out.push((pr, commit.id()));
            }
        }
        Ok(out)
    }

    /// The last promotion of `from` into `to`: the newest merge on `to`'s first-parent line whose
    /// second parent `from` holds. Only the stretch of `to` since the two branches' merge base
    /// (minus a day of clock slop) is read, so the cost does not grow with the history. `None`
    /// when there is none there (never promoted, or promoted by fast-forward).
    pub fn last_promotion(&self, from: Oid, to: Oid) -> Result<Option<Arrival>, GitError> {
        let Ok(base) = self.repo.merge_base(from, to) else {
            return Ok(None);
        };
        let since = self.commit_time(base)? - CLOCK_SLOP;
        let mut walk = self.repo.revwalk()?;
        walk.simplify_first_parent()?;
        walk.push(to)?;
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            if commit.time().seconds() < since {
                break;
            }
            let Ok(brought) = commit.parent_id(1) else {
                continue;
            };
            if self.holds(from, brought)? {
                let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
                return Ok(Some(Arrival {
                    commit: commit.id(),
                    is_merge: true,
                    pr: merged_pull_request(&message).or_else(|| squash_pull_request(&message)),
                    time: commit.time().seconds(),
                }));
            }
        }
        Ok(None)
    }

    /// The full message of a commit.
    pub fn message(&self, commit: Oid) -> Result<String, GitError> {
        Ok(String::from_utf8_lossy(self.repo.find_commit(commit)?.message_bytes()).into_owned())
    }

    /// The tip of `branch` on the remote `remote` (`refs/remotes/REMOTE/BRANCH`), if fetched.
    pub fn remote_branch(&self, remote: &str, branch: &str) -> Option<Oid> {
        self.repo
            .find_reference(&format!("refs/remotes/{remote}/{branch}"))
            .ok()?
            .peel_to_commit()
            .ok()
            .map(|c| c.id())
    }
}

/// The PR number of a squash-merge subject (`fix: the thing (#42)`).
pub fn squash_pull_request(message: &str) -> Option<u64> {
    let subject = message.lines().next()?.trim_end();
    let inner = subject.strip_suffix(')')?;
    let start = inner.rfind("(#")?;
    let digits = &inner[start + 2..];
    // Digits only, as GitHub writes a number: `parse` alone would take `(#+5)` and `(#05)`.
    if digits.starts_with('0') || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}
