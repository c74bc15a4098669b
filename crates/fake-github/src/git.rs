//! The git side of the fake: every repository is a real bare repository, and branches, commits,
//! comparisons and merges are read from and written to it with libgit2.

use std::path::Path;

use git2::{
    Delta, DiffFindOptions, ObjectType, Oid, Patch, Repository, RepositoryInitOptions, Signature,
    Sort,
};

/// Creates a bare repository whose HEAD is `refs/heads/main`.
pub(crate) fn init_bare(path: &Path) -> Result<(), git2::Error> {
    let mut opts = RepositoryInitOptions::new();
    opts.bare(true).initial_head("main");
    Repository::init_opts(path, &opts).map(|_| ())
}

pub(crate) fn open(path: &Path) -> Result<Repository, git2::Error> {
    Repository::open_bare(path)
}

/// The tip of `refs/heads/{name}`.
pub(crate) fn branch_tip(repo: &Repository, name: &str) -> Option<Oid> {
    repo.refname_to_id(&format!("refs/heads/{name}")).ok()
}

/// A commit named by branch, tag, full ref name or (abbreviated) SHA, as GitHub accepts in
/// `commits/{ref}` and `compare/{basehead}`.
pub(crate) fn resolve_commit(repo: &Repository, spec: &str) -> Option<Oid> {
    if spec.is_empty() {
        return None;
    }
    let mut candidates = vec![format!("refs/heads/{spec}"), format!("refs/tags/{spec}")];
    if spec.starts_with("refs/") {
        candidates.insert(0, spec.to_string());
    } else if spec.starts_with("heads/") || spec.starts_with("tags/") {
        candidates.push(format!("refs/{spec}"));
    }
    for name in candidates {
        if let Ok(r) = repo.find_reference(&name) {
            if let Ok(c) = r.peel_to_commit() {
                return Some(c.id());
            }
        }
    }
    if (4..=40).contains(&spec.len()) && spec.bytes().all(|b| b.is_ascii_hexdigit()) {
        return repo
            .revparse_single(spec)
            .ok()
            .and_then(|o| o.peel_to_commit().ok())
            .map(|c| c.id());
    }
    None
}

/// An object named by a full or abbreviated SHA, if it exists.
pub(crate) fn find_object(repo: &Repository, sha: &str) -> Option<Oid> {
    if !(4..=40).contains(&sha.len()) || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    repo.revparse_single(sha).ok().map(|o| o.id())
}

/// What the API shows of a commit.
#[derive(Clone, Debug)]
pub(crate) struct CommitInfo {
    pub sha: String,
    pub message: String,
    pub author_name: String,
    pub author_email: String,
    pub author_time: i64,
    pub committer_name: String,
    pub committer_email: String,
    pub committer_time: i64,
    pub tree: String,
    pub parents: Vec<String>,
}

pub(crate) fn commit_info(repo: &Repository, oid: Oid) -> Option<CommitInfo> {
    let c = repo.find_commit(oid).ok()?;
    let author = c.author();
    let committer = c.committer();
    Some(CommitInfo {
        sha: oid.to_string(),
        message: String::from_utf8_lossy(c.message_bytes()).into_owned(),
        author_name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
        author_email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
        author_time: author.when().seconds(),
        committer_name: String::from_utf8_lossy(committer.name_bytes()).into_owned(),
        committer_email: String::from_utf8_lossy(committer.email_bytes()).into_owned(),
        committer_time: committer.when().seconds(),
        tree: c.tree_id().to_string(),
        parents: c.parent_ids().map(|p| p.to_string()).collect(),
    })
}

/// Commits reachable from `head` and not from `base`, oldest first (`git log --reverse base..head`).
pub(crate) fn commits_between(repo: &Repository, base: Option<Oid>, head: Oid) -> Vec<Oid> {
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE).is_err() || walk.push(head).is_err() {
        return Vec::new();
    }
    if let Some(base) = base {
        if walk.hide(base).is_err() {
            return Vec::new();
        }
    }
    walk.filter_map(Result::ok).collect()
}

/// Commits reachable from `head`, newest first, at most `limit`, optionally only those touching
/// `path` (compared with their first parent).
pub(crate) fn log(repo: &Repository, head: Oid, path: Option<&str>, limit: usize) -> Vec<Oid> {
    let Ok(mut walk) = repo.revwalk() else {
        return Vec::new();
    };
    if walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME).is_err() || walk.push(head).is_err() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for oid in walk.filter_map(Result::ok) {
        if out.len() >= limit {
            break;
        }
        if let Some(path) = path {
            let parent = repo
                .find_commit(oid)
                .ok()
                .and_then(|c| c.parent_ids().next());
            let touches = diff(repo, parent, oid)
                .iter()
                .any(|f| f.filename == path || f.filename.starts_with(&format!("{path}/")));
            if !touches {
                continue;
            }
        }
        out.push(oid);
    }
    out
}

/// `(ahead, behind)`: commits in `head` not in `base`, and in `base` not in `head`.
pub(crate) fn ahead_behind(repo: &Repository, head: Oid, base: Oid) -> (usize, usize) {
    repo.graph_ahead_behind(head, base).unwrap_or((0, 0))
}

/// Whether `ancestor` is reachable from `descendant` (or is it).
pub(crate) fn contains(repo: &Repository, descendant: Oid, ancestor: Oid) -> bool {
    descendant == ancestor
        || repo
            .graph_descendant_of(descendant, ancestor)
            .unwrap_or(false)
}

pub(crate) fn merge_base(repo: &Repository, a: Oid, b: Oid) -> Option<Oid> {
    repo.merge_base(a, b).ok()
}

/// One changed file of a diff.
#[derive(Clone, Debug)]
pub(crate) struct FileChange {
    pub filename: String,
    pub previous_filename: Option<String>,
    pub status: &'static str,
    pub additions: usize,
    pub deletions: usize,
    /// The new blob (the old one for a removed file).
    pub sha: String,
}

/// The files changed between two commits (`from` None: the empty tree), renames detected.
pub(crate) fn diff(repo: &Repository, from: Option<Oid>, to: Oid) -> Vec<FileChange> {
    let tree_of = |oid: Oid| repo.find_commit(oid).and_then(|c| c.tree()).ok();
    let Some(new_tree) = tree_of(to) else {
        return Vec::new();
    };
    let old_tree = from.and_then(tree_of);
    let Ok(mut d) = repo.diff_tree_to_tree(old_tree.as_ref(), Some(&new_tree), None) else {
        return Vec::new();
    };
    let mut find = DiffFindOptions::new();
    find.renames(true);
    // Without rename detection the files are still right, only reported as remove + add.
    let _ = d.find_similar(Some(&mut find));
    let mut out = Vec::new();
    for idx in 0..d.deltas().len() {
        let Some(delta) = d.get_delta(idx) else {
            continue;
        };
        let (additions, deletions) = Patch::from_diff(&d, idx)
            .ok()
            .flatten()
            .and_then(|p| p.line_stats().ok())
            .map(|(_, a, r)| (a, r))
            .unwrap_or((0, 0));
        let path = |f: git2::DiffFile<'_>| {
            f.path()
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let status = match delta.status() {
            Delta::Added => "added",
            Delta::Deleted => "removed",
            Delta::Renamed => "renamed",
            Delta::Copied => "copied",
            Delta::Unmodified => "unchanged",
            Delta::Modified => "modified",
            _ => "changed",
        };
        let (filename, sha) = if delta.status() == Delta::Deleted {
            (path(delta.old_file()), delta.old_file().id())
        } else {
            (path(delta.new_file()), delta.new_file().id())
        };
        out.push(FileChange {
            filename,
            previous_filename: (delta.status() == Delta::Renamed).then(|| path(delta.old_file())),
            status,
            additions,
            deletions,
            sha: sha.to_string(),
        });
    }
    out
}

/// Why a merge could not be made.
#[derive(Debug)]
pub(crate) enum MergeError {
    Conflict,
    Git(git2::Error),
}

impl From<git2::Error> for MergeError {
    fn from(e: git2::Error) -> Self {
        MergeError::Git(e)
    }
}

/// The signature of commits GitHub makes on someone's behalf.
pub(crate) fn github_signature(
    login: &str,
) -> Result<(Signature<'static>, Signature<'static>), git2::Error> {
    let author = Signature::now(login, &format!("{login}@users.noreply.github.com"))?;
    let committer = Signature::now("GitHub", "noreply@github.com")?;
    Ok((author, committer))
}

fn merged_tree(repo: &Repository, base: Oid, head: Oid) -> Result<Oid, MergeError> {
    let ours = repo.find_commit(base)?;
    let theirs = repo.find_commit(head)?;
    let mut index = repo.merge_commits(&ours, &theirs, None)?;
    if index.has_conflicts() {
        return Err(MergeError::Conflict);
    }
    Ok(index.write_tree_to(repo)?)
}

/// Whether `head` merges into `base` without conflicts.
pub(crate) fn mergeable(repo: &Repository, base: Oid, head: Oid) -> bool {
    merged_tree(repo, base, head).is_ok()
}

/// A merge commit of `head` into `base` (not yet on any branch).
pub(crate) fn merge_commit(
    repo: &Repository,
    base: Oid,
    head: Oid,
    message: &str,
    login: &str,
) -> Result<Oid, MergeError> {
    let tree = repo.find_tree(merged_tree(repo, base, head)?)?;
    let (author, committer) = github_signature(login)?;
    let parents = [&repo.find_commit(base)?, &repo.find_commit(head)?];
    Ok(repo.commit(None, &author, &committer, message, &tree, &parents)?)
}

/// A single commit on top of `base` with the result of merging `head` (a squash merge).
pub(crate) fn squash_commit(
    repo: &Repository,
    base: Oid,
    head: Oid,
    message: &str,
    login: &str,
) -> Result<Oid, MergeError> {
    let tree = repo.find_tree(merged_tree(repo, base, head)?)?;
    let (author, committer) = github_signature(login)?;
    let parent = repo.find_commit(base)?;
    Ok(repo.commit(None, &author, &committer, message, &tree, &[&parent])?)
}

/// Replays the commits of `head` that `base` lacks onto `base`, keeping their authors (a rebase
/// merge). Merge commits in the range are skipped, as a linear replay does.
pub(crate) fn rebase_commits(
    repo: &Repository,
    base: Oid,
    head: Oid,
    login: &str,
) -> Result<Oid, MergeError> {
    let (_, committer) = github_signature(login)?;
    let mut onto = repo.find_commit(base)?;
    for oid in commits_between(repo, Some(base), head) {
        let commit = repo.find_commit(oid)?;
        if commit.parent_count() > 1 {
            continue;
        }
        let mut index = repo.cherrypick_commit(&commit, &onto, 0, None)?;
        if index.has_conflicts() {
            return Err(MergeError::Conflict);
        }
        let tree = repo.find_tree(index.write_tree_to(repo)?)?;
        let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
        let new = repo.commit(
            None,
            &commit.author(),
            &committer,
            &message,
            &tree,
            &[&onto],
        )?;
        onto = repo.find_commit(new)?;
    }
    Ok(onto.id())
}

/// Moves `refs/heads/{branch}` from `expected` to `new` (fails if someone moved it meanwhile).
pub(crate) fn move_branch(
    repo: &Repository,
    branch: &str,
    new: Oid,
    expected: Oid,
) -> Result<(), git2::Error> {
    repo.reference_matching(
        &format!("refs/heads/{branch}"),
        new,
        true,
        expected,
        "fake-github: update",
    )
    .map(|_| ())
}

/// A reference as the git refs API shows it.
#[derive(Clone, Debug)]
pub(crate) struct RefInfo {
    pub name: String,
    pub target: Oid,
    /// `commit`, or `tag` for an annotated tag.
    pub kind: &'static str,
}

fn ref_info(r: &git2::Reference<'_>, repo: &Repository) -> Option<RefInfo> {
    let name = r.name()?.to_string();
    let target = r.resolve().ok()?.target()?;
    let kind = match repo.find_object(target, None).ok()?.kind() {
        Some(ObjectType::Tag) => "tag",
        Some(ObjectType::Tree) => "tree",
        Some(ObjectType::Blob) => "blob",
        _ => "commit",
    };
    Some(RefInfo { name, target, kind })
}

/// The reference with this full name (`refs/heads/main`).
pub(crate) fn find_ref(repo: &Repository, full: &str) -> Option<RefInfo> {
    let r = repo.find_reference(full).ok()?;
    if full == "HEAD" || r.name().is_none_or(|n| n != full) {
        return None;
    }
    ref_info(&r, repo)
}

/// Every reference whose full name starts with `prefix`, sorted by name.
pub(crate) fn refs_with_prefix(repo: &Repository, prefix: &str) -> Vec<RefInfo> {
    let Ok(refs) = repo.references() else {
        return Vec::new();
    };
    let mut out: Vec<RefInfo> = refs
        .filter_map(Result::ok)
        .filter(|r| {
            r.name()
                .is_some_and(|n| n.starts_with(prefix) && n.starts_with("refs/"))
        })
        .filter_map(|r| ref_info(&r, repo))
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Tags with the commit each points at, newest name first (as GitHub lists them).
pub(crate) fn tags(repo: &Repository) -> Vec<(String, Oid)> {
    let mut out: Vec<(String, Oid)> = refs_with_prefix(repo, "refs/tags/")
        .into_iter()
        .filter_map(|r| {
            let name = r.name.strip_prefix("refs/tags/")?.to_string();
            let commit = repo
                .find_object(r.target, None)
                .ok()?
                .peel_to_commit()
                .ok()?
                .id();
            Some((name, commit))
        })
        .collect();
    out.reverse();
    out
}

/// An entry of a directory listing.
#[derive(Clone, Debug)]
pub(crate) struct DirEntry {
    pub name: String,
    pub kind: &'static str,
    pub sha: String,
    pub size: usize,
}

/// What `contents/{path}` finds at a commit.
#[derive(Clone, Debug)]
pub(crate) enum Content {
    File { sha: String, data: Vec<u8> },
    Dir(Vec<DirEntry>),
}

pub(crate) fn contents(repo: &Repository, commit: Oid, path: &str) -> Option<Content> {
    let tree = repo.find_commit(commit).ok()?.tree().ok()?;
    let path = path.trim_matches('/');
    let object = if path.is_empty() {
        tree.into_object()
    } else {
        tree.get_path(Path::new(path)).ok()?.to_object(repo).ok()?
    };
    if let Some(blob) = object.as_blob() {
        return Some(Content::File {
            sha: blob.id().to_string(),
            data: blob.content().to_vec(),
        });
    }
    let dir = object.as_tree()?;
    let mut entries = Vec::new();
    for e in dir.iter() {
        let (kind, size) = match e.kind() {
            Some(ObjectType::Tree) => ("dir", 0),
            Some(ObjectType::Commit) => ("submodule", 0),
            _ => {
                let size = repo.find_blob(e.id()).map(|b| b.size()).unwrap_or(0);
                if e.filemode() == 0o120_000 {
                    ("symlink", size)
                } else {
                    ("file", size)
                }
            }
        };
        entries.push(DirEntry {
            name: e.name().unwrap_or_default().to_string(),
            kind,
            sha: e.id().to_string(),
            size,
        });
    }
    Some(Content::Dir(entries))
}

/// Writes `tree` with the blob at `parts` (creating subtrees), returning the new tree.
fn put_path(
    repo: &Repository,
    tree: Option<&git2::Tree<'_>>,
    parts: &[&str],
    blob: Oid,
) -> Result<Oid, git2::Error> {
    let mut builder = repo.treebuilder(tree)?;
    match parts {
        [] => return Err(git2::Error::from_str("empty path")),
        [name] => {
            builder.insert(name, blob, 0o100_644)?;
        }
        [dir, rest @ ..] => {
            let sub = tree
                .and_then(|t| t.get_name(dir))
                .filter(|e| e.kind() == Some(ObjectType::Tree))
                .map(|e| repo.find_tree(e.id()))
                .transpose()?;
            let id = put_path(repo, sub.as_ref(), rest, blob)?;
            builder.insert(dir, id, 0o040_000)?;
        }
    }
    builder.write()
}

/// Commits one file onto `branch` (creating the branch if needed) and returns the new commit.
pub(crate) fn commit_file(
    repo: &Repository,
    branch: &str,
    path: &str,
    content: &[u8],
    message: &str,
) -> Result<Oid, git2::Error> {
    let parent = branch_tip(repo, branch)
        .map(|oid| repo.find_commit(oid))
        .transpose()?;
    let blob = repo.blob(content)?;
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    let base = parent.as_ref().map(|p| p.tree()).transpose()?;
    let tree = repo.find_tree(put_path(repo, base.as_ref(), &parts, blob)?)?;
    let sig = Signature::now("Fake GitHub", "fake-github@example.com")?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = repo.commit(None, &sig, &sig, message, &tree, &parents)?;
    repo.reference(
        &format!("refs/heads/{branch}"),
        oid,
        true,
        "fake-github: commit_file",
    )?;
    Ok(oid)
}

/// One change to a tree: the entry at `path` set to `(object, file mode)`, or removed (`None`).
#[derive(Clone, Debug)]
pub(crate) struct TreeEdit {
    pub path: Vec<String>,
    pub entry: Option<(Oid, i32)>,
}

/// `base` (or the empty tree) with `edits` applied: sub-trees are built for nested paths and
/// dropped once empty, as git (and GitHub's tree API) does.
pub(crate) fn edit_tree(
    repo: &Repository,
    base: Option<&git2::Tree<'_>>,
    edits: &[TreeEdit],
) -> Result<Oid, git2::Error> {
    let mut builder = repo.treebuilder(base)?;
    let mut dirs: std::collections::BTreeMap<&str, Vec<TreeEdit>> = Default::default();
    for edit in edits {
        match edit.path.as_slice() {
            [] => return Err(git2::Error::from_str("empty path")),
            [name] => match edit.entry {
                Some((oid, mode)) => {
                    builder.insert(name, oid, mode)?;
                }
                None => {
                    if builder.get(name)?.is_some() {
                        builder.remove(name)?;
                    }
                }
            },
            [dir, rest @ ..] => dirs.entry(dir).or_default().push(TreeEdit {
                path: rest.to_vec(),
                entry: edit.entry,
            }),
        }
    }
    for (dir, sub_edits) in dirs {
        let sub_id = builder
            .get(dir)?
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .map(|e| e.id());
        let sub = sub_id.map(|id| repo.find_tree(id)).transpose()?;
        let id = edit_tree(repo, sub.as_ref(), &sub_edits)?;
        if repo.find_tree(id)?.is_empty() {
            if builder.get(dir)?.is_some() {
                builder.remove(dir)?;
            }
        } else {
            builder.insert(dir, id, 0o040_000)?;
        }
    }
    builder.write()
}

/// Commits several files onto `branch` (creating it): `Some(content)` writes a file, `None`
/// removes it. Returns the new commit.
pub(crate) fn commit_files(
    repo: &Repository,
    branch: &str,
    files: &[(&str, Option<&str>)],
    message: &str,
) -> Result<Oid, git2::Error> {
    let parent = branch_tip(repo, branch)
        .map(|oid| repo.find_commit(oid))
        .transpose()?;
    let mut edits = Vec::new();
    for (path, content) in files {
        let entry = match content {
            Some(text) => Some((repo.blob(text.as_bytes())?, 0o100_644)),
            None => None,
        };
        edits.push(TreeEdit {
            path: path
                .split('/')
                .filter(|p| !p.is_empty())
                .map(str::to_string)
                .collect(),
            entry,
        });
    }
    let base = parent.as_ref().map(|p| p.tree()).transpose()?;
    let tree = repo.find_tree(edit_tree(repo, base.as_ref(), &edits)?)?;
    let sig = Signature::now("Fake GitHub", "fake-github@example.com")?;
    let parents: Vec<&git2::Commit<'_>> = parent.iter().collect();
    let oid = repo.commit(None, &sig, &sig, message, &tree, &parents)?;
    repo.reference(
        &format!("refs/heads/{branch}"),
        oid,
        true,
        "fake-github: commit_files",
    )?;
    Ok(oid)
}
