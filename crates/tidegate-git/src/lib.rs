//! Release history from the local checkout, through libgit2: release tags, the previous release,
//! and the commits of a range with the pull requests that brought them in.
//!
//! History comes from the checkout, not the API: no 250-commit compare limit, no paging, no rate
//! limit. A shallow checkout is detected and reported, never mistaken for a short history.

pub mod checkout;
mod graph;
pub mod pending;
pub mod promotion;
pub mod reach;
pub mod release_files;
pub mod release_tree;
pub mod safe_write;

pub use git2::Oid;
use git2::{Repository, Sort};
use semver::Version;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use tidegate_core::commit::{CommitInfo, is_merge_record, merged_pull_request};
use tidegate_core::tag::TagFormat;

#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("{0} is not inside a git repository; pass --repo with the path of a checkout")]
    NotARepository(PathBuf),
    #[error("the repository has no commits yet; commit something first")]
    Empty,
    #[error(
        "unknown revision `{0}`: no branch, tag or commit has that name (a branch that exists only on the remote is `origin/NAME`)"
    )]
    UnknownRevision(String),
    #[error(
        "this is a shallow clone whose history stops before the previous release; fetch the whole history (actions/checkout with `fetch-depth: 0`, or `git fetch --unshallow --tags`)"
    )]
    ShallowHistory,
    #[error("the repository is damaged: {0}; check it with `git fsck`, or clone it again")]
    Damaged(String),
    /// libgit2's message is the whole story, so it is the error's text and not also its source
    /// (which `{:#}` would print a second time).
    #[error("reading the repository failed: {}", .0.message())]
    Git(git2::Error),
    /// The commits ask for a version that cannot be made (a number past its largest).
    #[error(transparent)]
    Version(#[from] tidegate_core::UsageError),
}

impl From<git2::Error> for GitError {
    fn from(e: git2::Error) -> Self {
        if is_damage(&e) {
            Self::Damaged(e.message().to_string())
        } else {
            Self::Git(e)
        }
    }
}

/// Whether libgit2 failed because the repository's files are broken (an object that does not
/// inflate or hash, a reference file that is not a reference), rather than because a name is
/// missing.
fn is_damage(e: &git2::Error) -> bool {
    use git2::{ErrorClass, ErrorCode};
    !matches!(
        e.code(),
        ErrorCode::NotFound
            | ErrorCode::InvalidSpec
            | ErrorCode::Ambiguous
            | ErrorCode::UnbornBranch
    ) && matches!(
        e.class(),
        ErrorClass::Odb
            | ErrorClass::Object
            | ErrorClass::Reference
            | ErrorClass::Zlib
            | ErrorClass::Repository
            | ErrorClass::Index
            | ErrorClass::Sha1
            | ErrorClass::Tree
    )
}

impl GitError {
    /// Whether the user must change the arguments or the checkout (a usage error, not a git
    /// failure): a name that does not exist, or a shallow clone to deepen.
    pub fn is_usage(&self) -> bool {
        matches!(
            self,
            Self::UnknownRevision(_) | Self::ShallowHistory | Self::Version(_)
        )
    }

    /// The error for a revision libgit2 could not read: unknown when the name is missing or
    /// malformed, damage when the repository's files are broken.
    fn revision(revision: &str, e: git2::Error) -> Self {
        if is_damage(&e) {
            Self::Damaged(e.message().to_string())
        } else {
            Self::UnknownRevision(revision.to_string())
        }
    }
}

/// A release tag of one package.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReleaseTag {
    pub name: String,
    pub version: Version,
    /// The commit the tag points to (annotated tags peeled).
    pub commit: Oid,
}

/// The release tags of a package, and how many tags were not releases of it.
#[derive(Clone, Debug, Default)]
pub struct ReleaseTags {
    /// Sorted by version, lowest first; one tag per version.
    pub tags: Vec<ReleaseTag>,
    /// Tags that are not a semantic version in the package's tag format, or that `tag-pattern`
    /// or `ignore-tags` leave out.
    pub ignored: usize,
    /// Pre-release tags left out because the versioning strategy does not count them.
    pub prereleases_skipped: usize,
    /// Tags of the package that do not count: those pre-releases, and a second spelling of a
    /// version already tagged (`1.0.0` beside `v1.0.0`). Sorted by version.
    pub uncounted: Vec<ReleaseTag>,
    /// Releases whose notes `changelog --all` leaves out (`skip-tags`).
    pub notes_skipped: HashSet<String>,
}

impl ReleaseTags {
    /// Tags by the commit they point to.
    fn by_commit(&self) -> HashMap<Oid, Vec<usize>> {
        let mut map: HashMap<Oid, Vec<usize>> = HashMap::with_capacity(self.tags.len());
        for (i, tag) in self.tags.iter().enumerate() {
            map.entry(tag.commit).or_default().push(i);
        }
        map
    }

    /// The release tags of one package among all the repository's tags.
    pub fn select(
        all: &[(String, Option<Oid>)],
        format: &TagFormat,
        with_prereleases: bool,
    ) -> Self {
        // The expressions were checked when the configuration was read.
        let matcher = format.filter.compile().unwrap_or_default();
        let mut found = Self::default();
        for (name, commit) in all {
            let Some(version) = format.parse(name).filter(|_| matcher.admits(name)) else {
                found.ignored += 1;
                continue;
            };
            let Some(commit) = *commit else {
                found.ignored += 1;
                continue;
            };
            if matcher.skips(name) {
                found.notes_skipped.insert(name.clone());
            }
            let tag = ReleaseTag {
                name: name.clone(),
                version,
                commit,
            };
            if !tag.version.pre.is_empty() && !with_prereleases {
                found.prereleases_skipped += 1;
                found.uncounted.push(tag);
            } else {
                found.tags.push(tag);
            }
        }
        // The configured spelling first among tags of one version, then by name.
        let spelled = |t: &ReleaseTag| format.tag_name(&t.version) != t.name;
        found.tags.sort_by(|a, b| {
            a.version
                .cmp(&b.version)
                .then_with(|| spelled(a).cmp(&spelled(b)))
                .then_with(|| a.name.cmp(&b.name))
        });
        let mut kept: Vec<ReleaseTag> = Vec::with_capacity(found.tags.len());
        for tag in std::mem::take(&mut found.tags) {
            match kept.last() {
                Some(last) if last.version == tag.version => found.uncounted.push(tag),
                _ => kept.push(tag),
            }
        }
        found.tags = kept;
        found.uncounted.sort_by(|a, b| a.version.cmp(&b.version));
        found
    }

    /// A tag of the package by name, counted or not.
    pub fn find(&self, name: &str) -> Option<&ReleaseTag> {
        self.tags
            .iter()
            .chain(&self.uncounted)
            .find(|t| t.name == name)
    }

    /// The pre-releases of the final version `base` (its candidates: `1.4.0-rc.1`, `1.4.0-rc2`…),
    /// counted or not, lowest first.
    pub fn prereleases_of(&self, base: &Version) -> Vec<&ReleaseTag> {
        let mut found: Vec<&ReleaseTag> = self
            .tags
            .iter()
            .chain(&self.uncounted)
            .filter(|t| {
                !t.version.pre.is_empty()
                    && (t.version.major, t.version.minor, t.version.patch)
                        == (base.major, base.minor, base.patch)
            })
            .collect();
        found.sort_by(|a, b| a.version.cmp(&b.version));
        found
    }

    /// The package's tag of a version, counted or not, whatever its spelling.
    pub fn of_version(&self, version: &Version) -> Option<&ReleaseTag> {
        self.tags
            .iter()
            .chain(&self.uncounted)
            .find(|t| t.version == *version)
    }
}

/// Where a target's unreleased history starts. One rule serves `bump`, `changelog` (each mode)
/// and the release: a release's commits are those it contains that no earlier release it
/// contains already had.
#[derive(Clone, Debug, Default)]
pub struct Baseline<'t> {
    /// The previous release: of the release tags reachable from the target that no other is
    /// behind, the highest version (its version is the next one's base).
    pub tag: Option<&'t ReleaseTag>,
    /// The commits of every such release tag (a maintenance release merged back is one of them):
    /// what they reach is released already.
    pub frontier: Vec<Oid>,
}

/// What a walk of history found: commits newest first, merge records left out.
#[derive(Clone, Debug, Default)]
pub struct Commits {
    pub commits: Vec<CommitInfo>,
    /// Merge commits that only record a merge ("Merge pull request #1…", "Merge branch…").
    pub merge_records: usize,
}

pub struct History {
    repo: Repository,
    /// Commits whose parents a shallow clone does not have.
    shallow_boundary: HashSet<Oid>,
    /// The tagger's time of each tag read by [`History::all_tags`] (None: not an annotated tag, or
    /// one without a tagger), so that a tag's date costs no second read.
    tag_times: RefCell<HashMap<String, Option<i64>>>,
    overrides: Overrides,
    /// The oldest commit time read into a release so far: how far back overrides are needed.
    oldest_read: std::cell::Cell<Option<i64>>,
}

/// Messages that merged pull requests' bodies give their commits (`BEGIN_COMMIT_OVERRIDE`), read
/// from GitHub by the binaries that have a token.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// The message that replaces a commit's own: the PR's merge, squash or last rebased commit.
    pub messages: HashMap<Oid, String>,
    /// PRs whose override stands for every commit they merged: the commits a merge commit of
    /// theirs brought in are left out.
    pub pulls: HashSet<u64>,
}

impl Overrides {
    /// The overrides of merged PRs, given as (number, merge commit SHA, body): the PR's merge,
    /// squash or last rebased commit takes the text between `BEGIN_COMMIT_OVERRIDE` and
    /// `END_COMMIT_OVERRIDE`; a merge commit's override also stands for the commits it brought
    /// in. PRs without an override, or whose commit this repository does not have, are ignored.
    pub fn from_pulls(history: &History, pulls: &[(u64, String, String)]) -> Self {
        let mut out = Self::default();
        for (number, sha, body) in pulls {
            let Some(messages) = tidegate_core::release_pr::commit_override(body) else {
                continue;
            };
            let Some(commit) = Oid::from_str(sha)
                .ok()
                .and_then(|id| history.repo.find_commit(id).ok())
            else {
                continue;
            };
            if commit.parent_count() > 1 {
                out.pulls.insert(*number);
            }
            out.messages.insert(commit.id(), messages.join("\n\n"));
        }
        out
    }

    /// What a run without a token says once: overrides could not be known.
    pub fn unread_notice(token_env: &str) -> String {
        format!(
            "commit overrides (BEGIN_COMMIT_OVERRIDE in merged pull requests' bodies) are not read without a token: set {token_env} to apply them"
        )
    }

    /// The message a commit is read with, and whether it is an override.
    fn message(&self, id: Oid, own: String) -> (String, bool) {
        match self.messages.get(&id) {
            Some(text) => (text.clone(), true),
            None => (own, false),
        }
    }

    /// Leaves out the commits an overridden PR's merge commit brought in.
    fn drop_merged(
        &self,
        commits: Vec<CommitInfo>,
        overridden: &HashSet<String>,
    ) -> Vec<CommitInfo> {
        if self.pulls.is_empty() {
            return commits;
        }
        commits
            .into_iter()
            .filter(|c| {
                overridden.contains(&c.id)
                    || !c.merged_pr.is_some_and(|pr| self.pulls.contains(&pr))
            })
            .collect()
    }
}

impl History {
    /// Opens the repository that contains `path`.
    pub fn open(path: &Path) -> Result<Self, GitError> {
        let repo = Repository::open_ext(
            path,
            git2::RepositoryOpenFlags::empty(),
            std::iter::empty::<&std::ffi::OsStr>(),
        )
        .map_err(|e| match e.code() {
            git2::ErrorCode::NotFound => GitError::NotARepository(path.to_path_buf()),
            _ => GitError::from(e),
        })?;
        let shallow_boundary = std::fs::read_to_string(repo.path().join("shallow"))
            .map(|text| {
                text.lines()
                    .filter_map(|l| Oid::from_str(l.trim()).ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Self {
            repo,
            shallow_boundary,
            tag_times: RefCell::default(),
            overrides: Overrides::default(),
            oldest_read: std::cell::Cell::default(),
        })
    }

    /// The root of the working tree (or the repository folder when it is bare).
    pub fn root(&self) -> &Path {
        self.repo.workdir().unwrap_or_else(|| self.repo.path())
    }

    /// A repository without a working tree (`git clone --bare`).
    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    /// A file's text as committed at HEAD (None when HEAD has no such file or it is not text).
    pub fn file_at_head(&self, path: &Path) -> Option<String> {
        self.file_at(self.repo.head().ok()?.peel_to_commit().ok()?.id(), path)
    }

    /// Where a symbolic reference points (`refs/remotes/origin/HEAD` → the remote's default
    /// branch, as the clone recorded it).
    pub fn symbolic_target(&self, name: &str) -> Option<String> {
        self.repo
            .find_reference(name)
            .ok()?
            .symbolic_target()
            .map(str::to_string)
    }

    /// A UTF-8 file as `commit` holds it.
    pub fn file_at(&self, commit: Oid, path: &Path) -> Option<String> {
        let tree = self.repo.find_commit(commit).ok()?.tree().ok()?;
        let entry = tree.get_path(path).ok()?;
        let blob = entry.to_object(&self.repo).ok()?.peel_to_blob().ok()?;
        String::from_utf8(blob.content().to_vec()).ok()
    }

    /// Makes the lightweight tag `name` at `commit` in the checkout, as a fetch would bring it,
    /// unless a tag of that name exists (which is never moved). Returns whether it was made.
    pub fn tag_locally(&self, name: &str, commit: Oid) -> Result<bool, GitError> {
        if self.tag_exists(name)? {
            return Ok(false);
        }
        let object = self.repo.find_object(commit, None)?;
        match self.repo.tag_lightweight(name, &object, false) {
            Ok(_) => Ok(true),
            // Another run in the same checkout made it meanwhile (or holds its lock): the tag is
            // there or about to be; which run wrote it does not matter.
            Err(e) if matches!(e.code(), git2::ErrorCode::Exists | git2::ErrorCode::Locked) => {
                Ok(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// The parents of a commit.
    pub fn parents(&self, commit: Oid) -> Result<Vec<Oid>, GitError> {
        Ok(self.repo.find_commit(commit)?.parent_ids().collect())
    }

    /// The oldest commit time read into a release so far (None before any).
    pub fn oldest_read(&self) -> Option<i64> {
        self.oldest_read.get()
    }

    fn note_read(&self, commits: &Commits) {
        let oldest = commits.commits.iter().map(|c| c.time).min();
        self.oldest_read
            .set(match (self.oldest_read.get(), oldest) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            });
    }

    /// Reads commits with these messages from merged PRs in place of their own.
    pub fn set_overrides(&mut self, overrides: Overrides) {
        self.overrides = overrides;
    }

    /// The tree of a commit.
    pub fn tree_of(&self, commit: Oid) -> Result<Oid, GitError> {
        Ok(self.repo.find_commit(commit)?.tree_id())
    }

    /// The branch HEAD is on (`None` when detached).
    pub fn current_branch(&self) -> Option<String> {
        let head = self.repo.head().ok()?;
        head.is_branch()
            .then(|| head.shorthand().map(str::to_string))
            .flatten()
    }

    pub fn is_shallow(&self) -> bool {
        !self.shallow_boundary.is_empty()
    }

    /// The commit a revision names (`HEAD`, a branch, a tag, a SHA, `origin/main`…).
    pub fn resolve(&self, revision: &str) -> Result<Oid, GitError> {
        let unborn = |e: &git2::Error| e.code() == git2::ErrorCode::UnbornBranch;
        if revision == "HEAD" && self.repo.head().as_ref().is_err_and(unborn) {
            return Err(GitError::Empty);
        }
        let object = self
            .repo
            .revparse_single(revision)
            .map_err(|e| GitError::revision(revision, e))?;
        object
            .peel_to_commit()
            .map(|c| c.id())
            .map_err(|e| GitError::revision(revision, e))
    }

    /// Whether a tag of this name exists.
    pub fn tag_exists(&self, name: &str) -> Result<bool, GitError> {
        let reference = format!("refs/tags/{name}");
        // A name that cannot be a reference cannot be a tag either.
        if !git2::Reference::is_valid_name(&reference) {
            return Ok(false);
        }
        match self.repo.find_reference(&reference) {
            Ok(_) => Ok(true),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Whether `ancestor` is reachable from `descendant` (a commit is not its own ancestor).
    pub fn is_ancestor(&self, ancestor: Oid, descendant: Oid) -> Result<bool, GitError> {
        Ok(self.repo.graph_descendant_of(descendant, ancestor)?)
    }

    /// The URL of the `origin` remote, else of the only remote.
    pub fn remote_url(&self) -> Option<String> {
        let remote = self.repo.find_remote("origin").ok().or_else(|| {
            let names = self.repo.remotes().ok()?;
            let only = names.iter().flatten().next()?.to_string();
            self.repo.find_remote(&only).ok()
        })?;
        remote.url().map(str::to_string)
    }

    /// Every tag of the repository with the commit it points to, read once so that each package
    /// of a monorepo picks its own from memory. A tag of a tree or blob has no commit.
    pub fn all_tags(&self) -> Result<Vec<(String, Option<Oid>)>, GitError> {
        let mut tags = Vec::new();
        let mut times = self.tag_times.borrow_mut();
        let odb = self.repo.odb()?;
        for reference in self.repo.references_glob("refs/tags/*")? {
            let reference = reference?;
            let Some(name) = reference.shorthand().map(str::to_string) else {
                continue;
            };
            let (commit, tagger) = match reference.target() {
                Some(id) => self.peel_tag(&odb, id),
                // A symbolic reference under refs/tags: let libgit2 follow it.
                None => (reference.peel_to_commit().ok().map(|c| c.id()), None),
            };
            times.insert(name.clone(), tagger);
            tags.push((name, commit));
        }
        Ok(tags)
    }

    /// The commit a tag's target peels to, and the tagger's time when the target is an annotated
    /// tag object (the outermost one, as [`History::tag_time`] reads it). Each object is read once:
    /// an annotated tag names its target's type, so the commit itself is only looked up, not read.
    fn peel_tag(&self, odb: &git2::Odb<'_>, id: Oid) -> (Option<Oid>, Option<i64>) {
        let Ok(object) = self.repo.find_object(id, None) else {
            return (None, None);
        };
        let Some(tag) = object.as_tag() else {
            let commit = (object.kind() == Some(git2::ObjectType::Commit)).then_some(id);
            return (commit, None);
        };
        let tagger = tag.tagger().map(|t| t.when().seconds());
        let (mut target, mut kind) = (tag.target_id(), tag.target_type());
        // A tag of a tag: follow the chain (bounded, as a cycle cannot be built but is cheap to
        // guard against).
        for _ in 0..64 {
            match kind {
                Some(git2::ObjectType::Commit) => {
                    return (odb.exists(target).then_some(target), tagger);
                }
                Some(git2::ObjectType::Tag) => match self.repo.find_tag(target) {
                    Ok(inner) => (target, kind) = (inner.target_id(), inner.target_type()),
                    Err(_) => return (None, tagger),
                },
                _ => return (None, tagger),
            }
        }
        (None, tagger)
    }

    /// Every release tag of a package. Pre-release tags are kept only when `with_prereleases`.
    pub fn release_tags(
        &self,
        format: &TagFormat,
        with_prereleases: bool,
    ) -> Result<ReleaseTags, GitError> {
        Ok(ReleaseTags::select(
            &self.all_tags()?,
            format,
            with_prereleases,
        ))
    }

    /// Where `target`'s unreleased history starts (see [`Baseline`]): every release tag reachable
    /// from it that no other reachable release tag is behind. With `of_target`, the tags on
    /// `target` itself are passed over: the notes of the release tagged there are the commits no
    /// release on an earlier commit contains.
    pub fn baseline<'t>(
        &self,
        target: Oid,
        tags: &'t ReleaseTags,
        of_target: bool,
    ) -> Result<Baseline<'t>, GitError> {
        let by_commit = tags.by_commit();
        let mut queue = VecDeque::from([target]);
        let mut seen = HashSet::from([target]);
        let mut found = Baseline::default();
        let mut hit_boundary = false;
        while let Some(id) = queue.pop_front() {
            let here: Vec<&ReleaseTag> = by_commit
                .get(&id)
                .into_iter()
                .flatten()
                .map(|&i| &tags.tags[i])
                .filter(|_| !(of_target && id == target))
                .collect();
            if !here.is_empty() {
                found.frontier.push(id);
                for tag in here {
                    if found.tag.is_none_or(|b| tag.version > b.version) {
                        found.tag = Some(tag);
                    }
                }
                continue;
            }
            if self.shallow_boundary.contains(&id) {
                hit_boundary = true;
            }
            for parent in self.repo.find_commit(id)?.parent_ids() {
                if seen.insert(parent) {
                    queue.push_back(parent);
                }
            }
        }
        if found.tag.is_none() && hit_boundary {
            return Err(GitError::ShallowHistory);
        }
        Ok(found)
    }

    /// The commits a baseline leaves out: its releases' or, before the first release,
    /// `bootstrap-sha`'s ancestors.
    pub fn floor(
        &self,
        baseline: &Baseline<'_>,
        package: &tidegate_core::config::PackageConfig,
    ) -> Vec<Oid> {
        if baseline.frontier.is_empty() {
            self.bootstrap(package).into_iter().collect()
        } else {
            baseline.frontier.clone()
        }
    }

    fn bootstrap(&self, package: &tidegate_core::config::PackageConfig) -> Option<Oid> {
        let sha = package.bootstrap_sha.as_deref()?;
        self.resolve(sha).ok()
    }

    /// The commits reachable from `target` and not from `since`, newest first, each linked to the
    /// pull request whose merge commit brought it in.
    pub fn commits(&self, target: Oid, since: Option<Oid>) -> Result<Commits, GitError> {
        self.commits_hiding(target, since.as_slice())
    }

    /// The commits reachable from `target` and from none of `hidden`, newest first.
    pub fn commits_hiding(&self, target: Oid, hidden: &[Oid]) -> Result<Commits, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
        walk.push(target)?;
        for &id in hidden {
            walk.hide(id)?;
        }
        let ids: Vec<Oid> = walk.collect::<Result<_, _>>()?;
        self.read_commits(&ids, hidden)
    }

    /// The commits a branch carries beyond `hidden`, as a reviewer judges them: the commits of
    /// HEAD's first-parent chain, where a merge whose message is conventional (its own, or the PR
    /// title GitHub puts under "Merge pull request #N") stands for everything it brought in, and
    /// any other merge is judged by the commits it brought in. Newest first: (id, message, author).
    pub fn first_parent_changes(
        &self,
        head: Oid,
        hidden: &[Oid],
    ) -> Result<Vec<(String, String, String)>, GitError> {
        let mut walk = self.repo.revwalk()?;
        walk.simplify_first_parent()?;
        walk.push(head)?;
        for &id in hidden {
            walk.hide(id)?;
        }
        let mut out = Vec::new();
        let entry = |commit: &git2::Commit<'_>| {
            (
                commit.id().to_string(),
                String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
            )
        };
        for id in walk {
            let commit = self.repo.find_commit(id?)?;
            let message = String::from_utf8_lossy(commit.message_bytes()).into_owned();
            let conventional =
                !tidegate_core::conventional::parse_commit_message(&message).is_empty();
            if commit.parent_count() < 2 || conventional {
                out.push(entry(&commit));
                continue;
            }
            let mut brought = self.repo.revwalk()?;
            brought.set_sorting(Sort::TOPOLOGICAL | Sort::TIME)?;
            for parent in commit.parent_ids().skip(1) {
                brought.push(parent)?;
            }
            brought.hide(commit.parent_id(0)?)?;
            for &id in hidden {
                brought.hide(id)?;
            }
            for inner in brought {
                let inner = self.repo.find_commit(inner?)?;
                out.push(entry(&inner));
            }
        }
        Ok(out)
    }

    /// Reads the given commits (in the given order), leaving out merge records and linking the
    /// commits each "Merge pull request #N" merge brought in to PR N.
    pub(crate) fn read_commits(&self, ids: &[Oid], hidden: &[Oid]) -> Result<Commits, GitError> {
        let mut merged_pr: HashMap<Oid, u64> = HashMap::new();
        let mut out = Commits::default();
        let mut read = Vec::with_capacity(ids.len());
        let mut overridden = HashSet::new();
        for &id in ids {
            let commit = self.repo.find_commit(id)?;
            let own = String::from_utf8_lossy(commit.message_bytes()).into_owned();
            if commit.parent_count() > 1 {
                if let Some(pr) = merged_pull_request(&own) {
                    self.link_merged(&commit, hidden, pr, &mut merged_pr)?;
                }
            }
            let (message, is_override) = self.overrides.message(id, own);
            if is_override {
                overridden.insert(id.to_string());
            } else if is_merge_record(&message) {
                out.merge_records += 1;
                continue;
            }
            let author = commit.author();
            let author = String::from_utf8_lossy(author.name_bytes()).into_owned();
            let info = CommitInfo {
                id: id.to_string(),
                message,
                author,
                time: commit.time().seconds(),
                merged_pr: None,
            };
            read.push((id, info));
        }
        // Merges come before the commits they brought in, so links are set once all are known.
        let infos = read
            .into_iter()
            .map(|(id, info)| CommitInfo {
                merged_pr: merged_pr.get(&id).copied(),
                ..info
            })
            .collect();
        out.commits = self.overrides.drop_merged(infos, &overridden);
        self.note_read(&out);
        Ok(out)
    }

    /// Marks the commits a merge brought in (reachable from its second parent, not its first).
    /// The newest merge wins: walks run newest first, and an earlier link is kept.
    fn link_merged(
        &self,
        merge: &git2::Commit<'_>,
        hidden: &[Oid],
        pr: u64,
        merged_pr: &mut HashMap<Oid, u64>,
    ) -> Result<(), GitError> {
        let mut walk = self.repo.revwalk()?;
        for parent in merge.parent_ids().skip(1) {
            walk.push(parent)?;
        }
        walk.hide(merge.parent_id(0)?)?;
        for &id in hidden {
            walk.hide(id)?;
        }
        for id in walk {
            merged_pr.entry(id?).or_insert(pr);
        }
        Ok(())
    }

    /// Every release reachable from `target`, ancestors first, each with its previous release (as
    /// [`History::baseline`] finds it) and the commits it was the first release to contain
    /// (newest first). Each commit belongs to one release commit, so a whole changelog lists every
    /// commit once, under the release that shipped it (releases tagged on one commit share it).
    ///
    /// The history below `target` is read once into memory (each commit object once); the
    /// releases' ranges, previous releases and the pull requests' merged commits are then found
    /// by integer walks.
    pub fn releases<'t>(
        &self,
        target: Oid,
        tags: &'t ReleaseTags,
    ) -> Result<Vec<ReleaseWithPrevious<'t>>, GitError> {
        let mut graph = Loaded::load(self, target)?;
        // Ancestors first, so that each commit goes to the earliest release that has it.
        let reachable = graph.reachable_tags(tags);
        let mut tagged: HashMap<usize, Vec<&ReleaseTag>> = HashMap::new();
        for &tag in &reachable {
            tagged
                .entry(graph.index[&tag.commit])
                .or_default()
                .push(tag);
        }
        let mut stamp = vec![0u32; graph.nodes.len()];
        let mut seen = vec![false; graph.nodes.len()];
        let mut paint = Paint::new(graph.nodes.len());
        let mut out = Vec::with_capacity(reachable.len());
        // Releases tagged on one commit are one release under several names: the same notes.
        let mut done: HashMap<usize, usize> = HashMap::new();
        for tag in reachable {
            let start = graph.index[&tag.commit];
            if let Some(&first) = done.get(&start) {
                let (_, previous, commits): &ReleaseWithPrevious<'t> = &out[first];
                let (previous, commits) = (*previous, commits.clone());
                out.push((tag, previous, commits));
                continue;
            }
            done.insert(start, out.len());
            // (commit time, discovery order, index): sorted newest first, ties in walk order.
            let mut found = Vec::new();
            let mut queue = VecDeque::new();
            if !seen[start] {
                seen[start] = true;
                queue.push_back(start);
            }
            while let Some(i) = queue.pop_front() {
                let node = &graph.nodes[i];
                if node.boundary {
                    return Err(GitError::ShallowHistory);
                }
                found.push((node.time, found.len(), i));
                for &parent in &node.parents {
                    if !seen[parent] {
                        seen[parent] = true;
                        queue.push_back(parent);
                    }
                }
            }
            found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let ordered: Vec<usize> = found.into_iter().map(|(_, _, i)| i).collect();
            let previous = graph.previous_of(start, &tagged, &mut stamp, out.len());
            let commits = graph.read_commits(&ordered, &mut paint, &self.overrides);
            self.note_read(&commits);
            out.push((tag, previous, commits));
        }
        Ok(out)
    }

    /// The date of a tag, seconds since the epoch: the tagger's for an annotated tag, else the
    /// commit's.
    pub fn tag_time(&self, tag: &ReleaseTag) -> Result<i64, GitError> {
        // Tags read by `all_tags` have their tagger's time at hand.
        match self.tag_times.borrow().get(&tag.name) {
            Some(Some(seconds)) => return Ok(*seconds),
            Some(None) => return Ok(self.repo.find_commit(tag.commit)?.time().seconds()),
            None => {}
        }
        if let Ok(reference) = self.repo.find_reference(&format!("refs/tags/{}", tag.name)) {
            if let Ok(annotated) = reference.peel_to_tag() {
                if let Some(tagger) = annotated.tagger() {
                    return Ok(tagger.when().seconds());
                }
            }
        }
        Ok(self.repo.find_commit(tag.commit)?.time().seconds())
    }
}

/// A release, the release its notes are compared with, and its commits.
pub type ReleaseWithPrevious<'t> = (&'t ReleaseTag, Option<&'t ReleaseTag>, Commits);

/// One commit of the history below a target, as [`History::releases`] needs it.
struct Node {
    id: Oid,
    time: i64,
    /// Indexes of the parents (none for a shallow clone's boundary commit).
    parents: Vec<usize>,
    /// Whether a shallow clone cut this commit's parents off.
    boundary: bool,
    /// How many parents the commit object names.
    parent_count: usize,
    /// The longest path to a root, plus one: a commit can reach only commits of lower generation.
    generation: u32,
    /// Taken when the commit is read into a release.
    message: String,
    author: String,
}

/// The history reachable from a target, each commit read once, in the order libgit2's default
/// walk lists them (newest commit time first; equal times in the order they were reached).
struct Loaded {
    nodes: Vec<Node>,
    index: HashMap<Oid, usize>,
}

impl Loaded {
    fn load(history: &History, target: Oid) -> Result<Self, GitError> {
        let mut nodes: Vec<Node> = Vec::new();
        let mut index: HashMap<Oid, usize> = HashMap::new();
        let mut parent_ids: Vec<Vec<Oid>> = Vec::new();
        // (time, -order reached, id): the newest first, then the first reached. A commit read to
        // queue it waits in `waiting`, at its order reached, until it is taken.
        let mut queue = std::collections::BinaryHeap::new();
        let mut queued: HashSet<Oid> = HashSet::from([target]);
        let first = history.repo.find_commit(target)?;
        queue.push((first.time().seconds(), std::cmp::Reverse(0usize), target));
        let mut waiting = vec![Some(first)];
        while let Some((time, std::cmp::Reverse(reached), id)) = queue.pop() {
            let commit = waiting[reached]
                .take()
                .ok_or_else(|| git2::Error::from_str("commit left the walk"))?;
            let boundary = history.shallow_boundary.contains(&id);
            let parents: Vec<Oid> = if boundary {
                Vec::new()
            } else {
                commit.parent_ids().collect()
            };
            for &parent in &parents {
                if queued.insert(parent) {
                    let read = history.repo.find_commit(parent)?;
                    queue.push((
                        read.time().seconds(),
                        std::cmp::Reverse(waiting.len()),
                        parent,
                    ));
                    waiting.push(Some(read));
                }
            }
            index.insert(id, nodes.len());
            nodes.push(Node {
                id,
                time,
                parents: Vec::new(),
                boundary,
                parent_count: commit.parent_count(),
                generation: 0,
                message: String::from_utf8_lossy(commit.message_bytes()).into_owned(),
                author: String::from_utf8_lossy(commit.author().name_bytes()).into_owned(),
            });
            parent_ids.push(parents);
        }
        for (node, parents) in nodes.iter_mut().zip(parent_ids) {
            node.parents = parents
                .iter()
                .filter_map(|p| index.get(p).copied())
                .collect();
        }
        let mut graph = Self { nodes, index };
        graph.number_generations();
        Ok(graph)
    }

    /// Sets each commit's generation, parents before children (an explicit stack: histories are
    /// deeper than the call stack).
    fn number_generations(&mut self) {
        let mut stack: Vec<(usize, bool)> =
            (0..self.nodes.len()).rev().map(|i| (i, false)).collect();
        while let Some((i, parents_done)) = stack.pop() {
            if self.nodes[i].generation != 0 {
                continue;
            }
            if parents_done {
                let highest = self.nodes[i]
                    .parents
                    .iter()
                    .map(|&p| self.nodes[p].generation)
                    .max()
                    .unwrap_or(0);
                self.nodes[i].generation = highest + 1;
                continue;
            }
            stack.push((i, true));
            for &p in &self.nodes[i].parents {
                if self.nodes[p].generation == 0 {
                    stack.push((p, false));
                }
            }
        }
    }

    /// The highest release on an earlier commit that the commit at `start` contains without
    /// another release in between ([`History::baseline`] on loaded commits). `stamp` marks what
    /// this walk saw (`round` + 1), so it is never cleared between walks.
    fn previous_of<'t>(
        &self,
        start: usize,
        tagged: &HashMap<usize, Vec<&'t ReleaseTag>>,
        stamp: &mut [u32],
        round: usize,
    ) -> Option<&'t ReleaseTag> {
        let mark = u32::try_from(round + 1).unwrap_or(u32::MAX);
        let mut best: Option<&ReleaseTag> = None;
        let mut queue = VecDeque::from([start]);
        stamp[start] = mark;
        while let Some(i) = queue.pop_front() {
            let lower = tagged
                .get(&i)
                .into_iter()
                .flatten()
                .filter(|_| i != start)
                .max_by(|a, b| a.version.cmp(&b.version));
            if let Some(tag) = lower {
                if best.is_none_or(|b| tag.version > b.version) {
                    best = Some(tag);
                }
                continue;
            }
            for &parent in &self.nodes[i].parents {
                if stamp[parent] != mark {
                    stamp[parent] = mark;
                    queue.push_back(parent);
                }
            }
        }
        best
    }

    /// Release tags whose commits are reachable, ancestors before descendants (by generation),
    /// then lowest version first.
    fn reachable_tags<'t>(&self, tags: &'t ReleaseTags) -> Vec<&'t ReleaseTag> {
        let by_commit = tags.by_commit();
        let mut reachable = Vec::new();
        for node in &self.nodes {
            if let Some(indexes) = by_commit.get(&node.id) {
                reachable.extend(indexes.iter().map(|&i| &tags.tags[i]));
            }
        }
        let generation = |t: &ReleaseTag| self.nodes[self.index[&t.commit]].generation;
        reachable.sort_by(|a, b| {
            generation(a)
                .cmp(&generation(b))
                .then_with(|| a.version.cmp(&b.version))
        });
        reachable
    }

    /// [`History::read_commits`] over loaded commits (each taken, so read once).
    fn read_commits(
        &mut self,
        ordered: &[usize],
        paint: &mut Paint,
        overrides: &Overrides,
    ) -> Commits {
        let mut merged_pr: HashMap<Oid, u64> = HashMap::new();
        let mut out = Commits::default();
        let mut read = Vec::with_capacity(ordered.len());
        let mut overridden = HashSet::new();
        for &i in ordered {
            let own = std::mem::take(&mut self.nodes[i].message);
            if self.nodes[i].parent_count > 1 {
                if let Some(pr) = merged_pull_request(&own) {
                    for brought in paint.brought_in(&self.nodes, i) {
                        merged_pr.entry(self.nodes[brought].id).or_insert(pr);
                    }
                }
            }
            let (message, is_override) = overrides.message(self.nodes[i].id, own);
            if is_override {
                overridden.insert(self.nodes[i].id.to_string());
            } else if is_merge_record(&message) {
                out.merge_records += 1;
                continue;
            }
            let node = &mut self.nodes[i];
            read.push((
                node.id,
                CommitInfo {
                    id: node.id.to_string(),
                    message,
                    author: std::mem::take(&mut node.author),
                    time: node.time,
                    merged_pr: None,
                },
            ));
        }
        // Merges come before the commits they brought in, so links are set once all are known.
        let infos = read
            .into_iter()
            .map(|(id, info)| CommitInfo {
                merged_pr: merged_pr.get(&id).copied(),
                ..info
            })
            .collect();
        out.commits = overrides.drop_merged(infos, &overridden);
        out
    }
}

/// Finds what a merge brought in: the commits reachable from its other parents and not from its
/// first. Walks highest generation first, so a commit's colour is settled when it is taken, and
/// stops as soon as no commit in the queue is reachable from the other parents only.
struct Paint {
    /// Bit 1: reachable from the other parents; bit 2: from the first parent.
    marks: Vec<u8>,
    touched: Vec<usize>,
}

impl Paint {
    const SIDE: u8 = 1;
    const FIRST: u8 = 2;

    fn new(len: usize) -> Self {
        Self {
            marks: vec![0; len],
            touched: Vec::new(),
        }
    }

    fn brought_in(&mut self, nodes: &[Node], merge: usize) -> Vec<usize> {
        let mut queue = std::collections::BinaryHeap::new();
        let mut side_only = 0usize;
        let mut found = Vec::new();
        let parents = &nodes[merge].parents;
        // A boundary merge has no loaded parents; a parent outside the loaded history cannot
        // happen otherwise (every parent of a loaded commit is loaded).
        for (n, &p) in parents.iter().enumerate() {
            let mark = if n == 0 { Self::FIRST } else { Self::SIDE };
            self.mark(nodes, p, mark, &mut queue, &mut side_only);
        }
        while side_only > 0 {
            let Some((_, i)) = queue.pop() else { break };
            let mark = self.marks[i];
            if mark == Self::SIDE {
                side_only -= 1;
                found.push(i);
            }
            for &p in &nodes[i].parents {
                self.mark(nodes, p, mark, &mut queue, &mut side_only);
            }
        }
        for i in self.touched.drain(..) {
            self.marks[i] = 0;
        }
        found
    }

    fn mark(
        &mut self,
        nodes: &[Node],
        i: usize,
        mark: u8,
        queue: &mut std::collections::BinaryHeap<(u32, usize)>,
        side_only: &mut usize,
    ) {
        let before = self.marks[i];
        let after = before | mark;
        if after == before {
            return;
        }
        self.marks[i] = after;
        if before == 0 {
            self.touched.push(i);
            queue.push((nodes[i].generation, i));
        }
        match (before == Self::SIDE, after == Self::SIDE) {
            (false, true) => *side_only += 1,
            (true, false) => *side_only -= 1,
            _ => {}
        }
    }
}

/// The exit code for an error from reading a checkout (see DESIGN.md): 2 for what the user can fix
/// in the arguments or configuration, 3 for a failure reading git.
pub fn exit_code(error: &(dyn std::error::Error + 'static)) -> u8 {
    let mut current = Some(error);
    while let Some(e) = current {
        if let Some(git) = e.downcast_ref::<GitError>() {
            return if git.is_usage() { 2 } else { 3 };
        }
        if let Some(release) = e.downcast_ref::<release_files::ReleaseError>() {
            match release {
                release_files::ReleaseError::Git(git) => current = Some(git),
                release_files::ReleaseError::Write(write) => return write.exit_code(),
                _ if release.is_usage() => return 2,
                _ => return 3,
            }
            continue;
        }
        if let Some(write) = e.downcast_ref::<safe_write::WriteError>() {
            return write.exit_code();
        }
        if e.is::<checkout::LoadError>()
            || e.is::<tidegate_core::UsageError>()
            || e.is::<tidegate_core::config::ConfigError>()
            || e.is::<tidegate_core::template::TemplateError>()
        {
            return 2;
        }
        current = e.source();
    }
    3
}
