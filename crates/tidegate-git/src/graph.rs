//! The commit graph below a target, held in memory so that every package of a monorepo can find
//! its previous release and its range with integer walks instead of re-reading git objects, and
//! which packages a commit touches, found by comparing trees only where their ids differ.

use crate::{Baseline, GitError, History, ReleaseTag, ReleaseTags};
use git2::{ObjectType, Oid, Sort, Tree};
use std::collections::{HashMap, HashSet, VecDeque};

pub(crate) struct Graph {
    /// Newest first (topological, then by time), as `git log` lists them.
    pub ids: Vec<Oid>,
    parents: Vec<Vec<usize>>,
    index: HashMap<Oid, usize>,
    /// Commits whose parents a shallow clone does not have.
    boundary: Vec<bool>,
}

impl Graph {
    pub fn load(history: &History, target: Oid) -> Result<Self, GitError> {
        let mut walk = history.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(target)?;
        let ids: Vec<Oid> = walk.collect::<Result<_, _>>()?;
        let index: HashMap<Oid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
        let mut parents = Vec::with_capacity(ids.len());
        let mut boundary = Vec::with_capacity(ids.len());
        for id in &ids {
            let commit = history.repo.find_commit(*id)?;
            parents.push(
                commit
                    .parent_ids()
                    .filter_map(|p| index.get(&p).copied())
                    .collect(),
            );
            boundary.push(history.shallow_boundary.contains(id));
        }
        Ok(Self {
            ids,
            parents,
            index,
            boundary,
        })
    }

    /// Where the target's unreleased history starts for one package (see [`History::baseline`]).
    pub fn baseline<'t>(&self, tags: &'t ReleaseTags) -> Result<Baseline<'t>, GitError> {
        let mut tagged: HashMap<usize, Vec<&ReleaseTag>> = HashMap::new();
        for tag in &tags.tags {
            if let Some(&i) = self.index.get(&tag.commit) {
                tagged.entry(i).or_default().push(tag);
            }
        }
        let mut found = Baseline::default();
        if self.ids.is_empty() {
            return Ok(found);
        }
        let mut hit_boundary = false;
        let mut seen = vec![false; self.ids.len()];
        let mut queue = VecDeque::from([0]);
        seen[0] = true;
        while let Some(i) = queue.pop_front() {
            if let Some(here) = tagged.get(&i) {
                found.frontier.push(self.ids[i]);
                for tag in here {
                    if found.tag.is_none_or(|b| tag.version > b.version) {
                        found.tag = Some(tag);
                    }
                }
                continue;
            }
            hit_boundary |= self.boundary[i];
            for &p in &self.parents[i] {
                if !seen[p] {
                    seen[p] = true;
                    queue.push_back(p);
                }
            }
        }
        if found.tag.is_none() && hit_boundary {
            return Err(GitError::ShallowHistory);
        }
        Ok(found)
    }

    /// Which commits are new (reachable from none of `hidden`), by position.
    pub fn range(&self, hidden: &[Oid]) -> Vec<bool> {
        let mut new = vec![true; self.ids.len()];
        let mut stack: Vec<usize> = hidden
            .iter()
            .filter_map(|id| self.index.get(id).copied())
            .collect();
        for &i in &stack {
            new[i] = false;
        }
        while let Some(i) = stack.pop() {
            for &p in &self.parents[i] {
                if new[p] {
                    new[p] = false;
                    stack.push(p);
                }
            }
        }
        new
    }
}

/// Package paths as a tree of folders, to find which packages a change touches: a file belongs
/// to the package whose path is its longest prefix, else to the root package (".") if any.
pub(crate) struct Owners {
    root: Node,
    packages: usize,
    /// release-please's rule for a manifest's root package: every commit is its own.
    root_takes_all: bool,
}

#[derive(Default)]
struct Node {
    /// The package whose path is exactly this folder.
    package: Option<usize>,
    children: HashMap<String, Node>,
}

impl Owners {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>, root_takes_all: bool) -> Self {
        let mut root = Node::default();
        let mut packages = 0;
        for (i, path) in paths.into_iter().enumerate() {
            packages = i + 1;
            let mut node = &mut root;
            for part in path.split('/').filter(|p| !p.is_empty() && *p != ".") {
                node = node.children.entry(part.to_string()).or_default();
            }
            node.package.get_or_insert(i);
        }
        Self {
            root,
            packages,
            root_takes_all,
        }
    }

    /// The packages a commit touches, compared with its first parent (a root commit with
    /// nothing). A commit touching nothing at all (an empty commit, such as the
    /// `--allow-empty` commit release-please documents for `Release-As:`) belongs to every
    /// package, as release-please splits commits.
    pub fn touched(&self, history: &History, id: Oid) -> Result<HashSet<usize>, GitError> {
        let commit = history.repo.find_commit(id)?;
        let tree = commit.tree()?;
        let parent_tree = match commit.parent_ids().next() {
            // A shallow clone's boundary commit has no parent object: compare with nothing.
            Some(parent) => match history.repo.find_commit(parent) {
                Ok(parent) => Some(parent.tree()?),
                Err(_) => None,
            },
            None => None,
        };
        let mut out = HashSet::new();
        if parent_tree.as_ref().map(Tree::id) == Some(tree.id()) {
            out.extend(0..self.packages);
            return Ok(out);
        }
        if self.root_takes_all {
            out.extend(self.root.package);
        }
        compare(
            history,
            Some(&tree),
            parent_tree.as_ref(),
            &self.root,
            self.root.package,
            &mut out,
        )?;
        Ok(out)
    }
}

/// Marks the owners of every entry that differs between two versions of a folder, descending
/// only into folders that lead to a package.
fn compare(
    history: &History,
    new: Option<&Tree<'_>>,
    old: Option<&Tree<'_>>,
    node: &Node,
    owner: Option<usize>,
    out: &mut HashSet<usize>,
) -> Result<(), GitError> {
    let owner = node.package.or(owner);
    type Entry = (Oid, Option<ObjectType>);
    let entry = |tree: Option<&Tree<'_>>, name: &[u8]| -> Option<Entry> {
        tree.and_then(|t| t.get_name_bytes(name).map(|e| (e.id(), e.kind())))
    };
    // Entries of the new folder (changed or added), then those only in the old one (removed).
    let mut differing: Vec<(Vec<u8>, Option<Entry>, Option<Entry>)> = Vec::new();
    for e in new.into_iter().flat_map(|t| t.iter()) {
        let before = entry(old, e.name_bytes());
        if before.map(|b| b.0) != Some(e.id()) {
            differing.push((e.name_bytes().to_vec(), Some((e.id(), e.kind())), before));
        }
    }
    for e in old.into_iter().flat_map(|t| t.iter()) {
        if entry(new, e.name_bytes()).is_none() {
            differing.push((e.name_bytes().to_vec(), None, Some((e.id(), e.kind()))));
        }
    }
    for (name, a, b) in differing {
        let child = std::str::from_utf8(&name)
            .ok()
            .and_then(|n| node.children.get(n));
        let Some(child) = child else {
            out.extend(owner);
            continue;
        };
        let subtree = |e: Option<Entry>| -> Result<Option<Tree<'_>>, GitError> {
            match e {
                Some((id, Some(ObjectType::Tree))) => Ok(Some(history.repo.find_tree(id)?)),
                _ => Ok(None),
            }
        };
        let (sa, sb) = (subtree(a)?, subtree(b)?);
        // A file where a package folder was (or the reverse) touches that package.
        if a.is_some() && sa.is_none() || b.is_some() && sb.is_none() {
            out.extend(child.package.or(owner));
        }
        compare(history, sa.as_ref(), sb.as_ref(), child, owner, out)?;
    }
    Ok(())
}
