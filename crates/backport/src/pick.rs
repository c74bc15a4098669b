//! The local half: which commits a merged pull request brought, whether the target has them
//! already (by patch id), and the cherry-picks made in memory onto the target's tip.

use git2::{Commit, Diff, DiffOptions, MergeFileOptions, Oid, Repository, Sort};
use std::collections::HashMap;
use tidegate_github::gitdata::{Person, TreeFile};

/// How the pull request was merged, as its merge commit shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Merge,
    Squash,
    Rebase,
}

impl Method {
    pub fn name(self) -> &'static str {
        match self {
            Method::Merge => "merge commit",
            Method::Squash => "squash",
            Method::Rebase => "rebase",
        }
    }
}

/// What to cherry-pick, oldest first.
pub struct Picks {
    pub method: Method,
    pub commits: Vec<Oid>,
    /// Said when the merge looked like a rebase but its commits did not match the pull request's.
    pub warning: Option<String>,
}

pub fn subject(commit: &Commit<'_>) -> String {
    String::from_utf8_lossy(commit.message_bytes())
        .lines()
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The commits the pull request merged: its own commits after a merge commit (`merge^1..merge^2`,
/// merges skipped), the `count` rebased commits ending at `merge` when their subjects match the
/// pull request's, else the one (squash) commit.
pub fn picks(
    repo: &Repository,
    merge: Oid,
    count: usize,
    pr_subjects: &[String],
) -> Result<Picks, git2::Error> {
    let tip = repo.find_commit(merge)?;
    if tip.parent_count() == 2 {
        let mut walk = repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(tip.parent_id(1)?)?;
        walk.hide(tip.parent_id(0)?)?;
        let mut commits = Vec::new();
        for oid in walk {
            let oid = oid?;
            if repo.find_commit(oid)?.parent_count() <= 1 {
                commits.push(oid);
            }
        }
        return Ok(Picks {
            method: Method::Merge,
            commits,
            warning: None,
        });
    }
    let squash = Picks {
        method: Method::Squash,
        commits: vec![merge],
        warning: None,
    };
    if count <= 1 || pr_subjects.len() != count {
        return Ok(squash);
    }
    // The last `count` commits by first parent, newest first.
    let mut chain = Vec::new();
    let mut at = Some(tip);
    while let Some(commit) = at.take() {
        if chain.len() == count || commit.parent_count() > 1 {
            break;
        }
        at = commit.parent(0).ok();
        chain.push(commit);
    }
    chain.reverse();
    let subjects: Vec<String> = chain.iter().map(subject).collect();
    if subjects == pr_subjects {
        return Ok(Picks {
            method: Method::Rebase,
            commits: chain.iter().map(Commit::id).collect(),
            warning: None,
        });
    }
    let last_matches = pr_subjects.last() == subjects.last();
    Ok(Picks {
        warning: last_matches.then(|| {
            format!(
                "the {count} commits ending at {} do not match the pull request's commits; backporting {} alone, as a squash",
                short(merge),
                short(merge)
            )
        }),
        ..squash
    })
}

pub fn short(oid: Oid) -> String {
    oid.to_string()[..7].to_string()
}

fn first_parent_diff<'r>(
    repo: &'r Repository,
    commit: &Commit<'_>,
) -> Result<Diff<'r>, git2::Error> {
    let parent_tree = match commit.parent(0) {
        Ok(p) => Some(p.tree()?),
        Err(_) => None,
    };
    repo.diff_tree_to_tree(
        parent_tree.as_ref(),
        Some(&commit.tree()?),
        Some(&mut DiffOptions::new()),
    )
}

/// The patch id of a commit's change (`None` for an empty change).
fn patch_id(repo: &Repository, commit: &Commit<'_>) -> Result<Option<Oid>, git2::Error> {
    let diff = first_parent_diff(repo, commit)?;
    if diff.deltas().len() == 0 {
        return Ok(None);
    }
    diff.patchid(None).map(Some)
}

/// When every pick's change is already on the target (the same patch id among the target's
/// commits since it parted from `merge`), the target commits that carry them.
pub fn already_on_target(
    repo: &Repository,
    target_tip: Oid,
    merge: Oid,
    picks: &[Oid],
) -> Result<Option<Vec<Oid>>, git2::Error> {
    let mut walk = repo.revwalk()?;
    walk.push(target_tip)?;
    if let Ok(base) = repo.merge_base(target_tip, merge) {
        walk.hide(base)?;
    }
    let mut on_target: HashMap<Oid, Oid> = HashMap::new();
    for oid in walk {
        let commit = repo.find_commit(oid?)?;
        if commit.parent_count() > 1 {
            continue;
        }
        if let Some(id) = patch_id(repo, &commit)? {
            on_target.entry(id).or_insert(commit.id());
        }
    }
    let mut found = Vec::new();
    for pick in picks {
        if let Some(id) = patch_id(repo, &repo.find_commit(*pick)?)? {
            match on_target.get(&id) {
                Some(there) => found.push(*there),
                None => return Ok(None),
            }
        }
    }
    Ok((!found.is_empty()).then_some(found))
}

/// One cherry-pick, made locally, to be written through the API.
pub struct Made {
    pub source: Oid,
    pub message: String,
    pub author: Person,
    /// The tree's SHA (GitHub must build the same one).
    pub tree: Oid,
    /// What changes from the parent's tree.
    pub changes: Vec<TreeFile>,
}

/// The cherry-picks, up to and including the first that conflicts.
pub struct Outcome {
    pub made: Vec<Made>,
    /// The picks whose change was already there (nothing to commit).
    pub empty: Vec<Oid>,
    pub conflict: Option<Conflict>,
}

pub struct Conflict {
    pub files: Vec<String>,
    /// Picks not attempted after the conflict.
    pub remaining: Vec<Oid>,
}

/// The message `git cherry-pick -x` writes: the original, then the trailer (after a blank line
/// unless the message already ends in trailers).
pub fn with_trailer(message: &str, source: Oid) -> String {
    let message = message.trim_end();
    let last_paragraph = message.rsplit("\n\n").next().unwrap_or_default();
    let is_trailer = |line: &str| {
        line.starts_with("(cherry picked from commit ")
            || line
                .split_once(": ")
                .is_some_and(|(key, _)| !key.is_empty() && !key.contains(' '))
    };
    let ends_in_trailers = message.contains("\n\n") && last_paragraph.lines().all(is_trailer);
    let gap = if ends_in_trailers { "\n" } else { "\n\n" };
    format!("{message}{gap}(cherry picked from commit {source})\n")
}

fn iso_time(time: git2::Time) -> String {
    let offset = time.offset_minutes();
    let local = time.seconds() + i64::from(offset) * 60;
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let sign = if offset < 0 { '-' } else { '+' };
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60,
        offset.abs() / 60,
        offset.abs() % 60
    )
}

fn person(commit: &Commit<'_>) -> Person {
    let author = commit.author();
    Person {
        name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        date: iso_time(author.when()),
    }
}

/// Cherry-picks `picks` in order onto `onto`, in memory (objects are written to the checkout's
/// object store, no ref or work tree is touched). A conflicting pick is committed with its
/// conflict markers (diff3 style) and the picks stop there.
pub fn cherry_pick(
    repo: &Repository,
    onto: Oid,
    picks: &[Oid],
    target: &str,
) -> Result<Outcome, git2::Error> {
    let mut parent = repo.find_commit(onto)?;
    let mut outcome = Outcome {
        made: Vec::new(),
        empty: Vec::new(),
        conflict: None,
    };
    for (i, source) in picks.iter().enumerate() {
        let commit = repo.find_commit(*source)?;
        let mut index = repo.cherrypick_commit(&commit, &parent, 0, None)?;
        let mut conflicted = Vec::new();
        if index.has_conflicts() {
            conflicted = mark_conflicts(repo, &mut index, target, *source)?;
        }
        let tree = repo.find_tree(index.write_tree_to(repo)?)?;
        if tree.id() == parent.tree_id() && conflicted.is_empty() {
            outcome.empty.push(*source);
            continue;
        }
        let message = with_trailer(&String::from_utf8_lossy(commit.message_bytes()), *source);
        let author = commit.author();
        let local = repo.commit(None, &author, &author, &message, &tree, &[&parent])?;
        let changes = changes(repo, &parent.tree()?, &tree)?;
        outcome.made.push(Made {
            source: *source,
            message,
            author: person(&commit),
            tree: tree.id(),
            changes,
        });
        parent = repo.find_commit(local)?;
        if !conflicted.is_empty() {
            outcome.conflict = Some(Conflict {
                files: conflicted,
                remaining: picks[i + 1..].to_vec(),
            });
            break;
        }
    }
    Ok(outcome)
}

/// Replaces each conflict of `index` by one file holding the conflict markers (or the side that
/// still has the file, when the other deleted it); returns the conflicting paths.
fn mark_conflicts(
    repo: &Repository,
    index: &mut git2::Index,
    target: &str,
    source: Oid,
) -> Result<Vec<String>, git2::Error> {
    let conflicts: Vec<_> = index.conflicts()?.collect::<Result<_, _>>()?;
    let mut paths = Vec::new();
    for conflict in conflicts {
        let any = conflict
            .our
            .as_ref()
            .or(conflict.their.as_ref())
            .or(conflict.ancestor.as_ref())
            .map(copy_entry)
            .ok_or_else(|| git2::Error::from_str("an empty conflict"))?;
        let path = String::from_utf8_lossy(&any.path).into_owned();
        let their_label = format!(
            "{} ({})",
            short(source),
            subject(&repo.find_commit(source)?)
        );
        let content: Vec<u8> = match (&conflict.ancestor, &conflict.our, &conflict.their) {
            (Some(base), Some(ours), Some(theirs)) => {
                let mut opts = MergeFileOptions::new();
                opts.style_diff3(true)
                    .our_label(target)
                    .their_label(their_label.as_str())
                    .ancestor_label("base");
                repo.merge_file_from_index(base, ours, theirs, Some(&mut opts))?
                    .content()
                    .to_vec()
            }
            (None, Some(ours), Some(theirs)) => {
                let mut text = format!("<<<<<<< {target}\n").into_bytes();
                text.extend_from_slice(repo.find_blob(ours.id)?.content());
                text.extend_from_slice(b"=======\n");
                text.extend_from_slice(repo.find_blob(theirs.id)?.content());
                text.extend_from_slice(format!(">>>>>>> {their_label}\n").as_bytes());
                text
            }
            // Deleted on one side, changed on the other: the changed file stays for a person to
            // decide.
            (_, Some(kept), None) | (_, None, Some(kept)) => {
                repo.find_blob(kept.id)?.content().to_vec()
            }
            _ => Vec::new(),
        };
        let blob = repo.blob(&content)?;
        index.conflict_remove(std::path::Path::new(&path))?;
        let mut entry = any;
        entry.id = blob;
        entry.flags &= !0x3000; // stage 0
        entry.file_size = u32::try_from(content.len()).unwrap_or(u32::MAX);
        index.add(&entry)?;
        paths.push(path);
    }
    Ok(paths)
}

fn copy_entry(e: &git2::IndexEntry) -> git2::IndexEntry {
    git2::IndexEntry {
        ctime: e.ctime,
        mtime: e.mtime,
        dev: e.dev,
        ino: e.ino,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        file_size: e.file_size,
        id: e.id,
        flags: e.flags,
        flags_extended: e.flags_extended,
        path: e.path.clone(),
    }
}

/// The files that differ between two trees, as tree entries to write over the first.
fn changes(
    repo: &Repository,
    from: &git2::Tree<'_>,
    to: &git2::Tree<'_>,
) -> Result<Vec<TreeFile>, git2::Error> {
    let diff = repo.diff_tree_to_tree(Some(from), Some(to), None)?;
    let mut out = Vec::new();
    for delta in diff.deltas() {
        let new = delta.new_file();
        let old = delta.old_file();
        let path = new
            .path()
            .or(old.path())
            .map(|p| p.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        if delta.status() == git2::Delta::Deleted {
            out.push(TreeFile {
                path,
                mode: format!("{:o}", u32::from(old.mode())),
                content: None,
            });
            continue;
        }
        let mode = u32::from(new.mode());
        if mode == 0o160000 {
            return Err(git2::Error::from_str(&format!(
                "`{path}` is a submodule; submodule changes are not backported through the API"
            )));
        }
        out.push(TreeFile {
            path,
            mode: format!("{mode:o}"),
            content: Some(repo.find_blob(new.id())?.content().to_vec()),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trailers_follow_git_cherry_pick_x() {
        let sha = Oid::from_str("0123456789abcdef0123456789abcdef01234567").expect("oid");
        assert_eq!(
            with_trailer("fix: a\n", sha),
            format!("fix: a\n\n(cherry picked from commit {sha})\n")
        );
        assert_eq!(
            with_trailer("fix: a\n\nSigned-off-by: A <a@b>\n", sha),
            format!("fix: a\n\nSigned-off-by: A <a@b>\n(cherry picked from commit {sha})\n")
        );
    }

    #[test]
    fn dates_are_iso_8601_with_the_offset() {
        assert_eq!(
            iso_time(git2::Time::new(1_700_000_000, 120)),
            "2023-11-15T00:13:20+02:00"
        );
        assert_eq!(
            iso_time(git2::Time::new(0, -330)),
            "1969-12-31T18:30:00-05:30"
        );
    }
}
