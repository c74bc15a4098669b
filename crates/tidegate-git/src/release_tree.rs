//! The tree a release commit would have, computed in memory: the release PR's commit is made on
//! GitHub, and comparing its tree with this one tells whether the PR is already up to date
//! without writing anything or reading a file back. Nothing is written into the repository.

use git2::{FileMode, Oid, Repository, Tree};
use std::collections::BTreeMap;

use crate::{GitError, History};

/// A file of the release commit: its path, the mode it keeps (an executable stays executable)
/// and its new content.
#[derive(Clone, Debug)]
pub struct ReleaseFile {
    pub path: String,
    pub mode: i32,
    pub content: Vec<u8>,
}

impl History {
    /// The tree of `commit` with `files` (repository-relative paths and contents) written over it,
    /// and each file's mode. Objects go to an in-memory store, never to the repository.
    pub fn tree_with(
        &self,
        commit: Oid,
        files: &[(String, Vec<u8>)],
    ) -> Result<(Oid, Vec<ReleaseFile>), GitError> {
        let repo = Repository::open(self.repo.path())?;
        let odb = repo.odb()?;
        // The highest priority takes every write: blobs and trees stay in memory.
        let _mempack = odb.add_new_mempack_backend(1000)?;
        let base = repo.find_commit(commit)?.tree()?;
        let mut out = Vec::with_capacity(files.len());
        let mut entries = Vec::with_capacity(files.len());
        for (path, content) in files {
            let mode = base
                .get_path(std::path::Path::new(path))
                .ok()
                .map(|e| e.filemode())
                .filter(|m| *m == i32::from(FileMode::BlobExecutable))
                .unwrap_or(i32::from(FileMode::Blob));
            let blob = repo.blob(content)?;
            entries.push((path.split('/').collect::<Vec<_>>(), blob, mode));
            out.push(ReleaseFile {
                path: path.clone(),
                mode,
                content: content.clone(),
            });
        }
        let tree = write_over(&repo, Some(&base), &entries)?;
        Ok((tree, out))
    }
}

/// A file to write: its path's components, its blob and its mode.
type Placed<'p> = (Vec<&'p str>, Oid, i32);

/// `tree` with each `(components, blob, mode)` written at its path, building sub-trees as needed.
fn write_over(
    repo: &Repository,
    tree: Option<&Tree<'_>>,
    entries: &[Placed<'_>],
) -> Result<Oid, GitError> {
    let mut builder = repo.treebuilder(tree)?;
    let mut nested: BTreeMap<&str, Vec<Placed<'_>>> = BTreeMap::new();
    for (components, blob, mode) in entries {
        match components.as_slice() {
            [name] => {
                builder.insert(name, *blob, *mode)?;
            }
            [dir, rest @ ..] => nested
                .entry(dir)
                .or_default()
                .push((rest.to_vec(), *blob, *mode)),
            [] => {}
        }
    }
    for (dir, inner) in nested {
        let existing = tree
            .and_then(|t| t.get_name(dir))
            .filter(|e| e.kind() == Some(git2::ObjectType::Tree))
            .map(|e| repo.find_tree(e.id()))
            .transpose()?;
        let sub = write_over(repo, existing.as_ref(), &inner)?;
        builder.insert(dir, sub, i32::from(FileMode::Tree))?;
    }
    Ok(builder.write()?)
}
