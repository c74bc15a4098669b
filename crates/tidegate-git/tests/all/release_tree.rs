//! The release commit's tree, computed in memory: the same tree git makes, and nothing written.

use testkit::TestRepo;
use tidegate_git::History;

fn objects(repo: &TestRepo) -> usize {
    walk(&repo.path().join(".git/objects"))
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| {
                    let path = e.path();
                    if path.is_dir() { walk(&path) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[test]
fn the_tree_is_the_one_git_commits_and_nothing_is_written() {
    let repo = TestRepo::new();
    repo.write("package.json", "{\"version\": \"1.0.0\"}\n");
    repo.write("tools/run.sh", "#!/bin/sh\n");
    let script = repo.path().join("tools/run.sh");
    let mut perms = std::fs::metadata(&script).expect("stat").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&script, perms).expect("chmod");
    repo.commit_all("feat: first");
    let history = History::open(repo.path()).expect("opens");
    let head = history.resolve("HEAD").expect("head");
    let before = objects(&repo);
    let files = vec![
        (
            "package.json".to_string(),
            b"{\"version\": \"1.1.0\"}\n".to_vec(),
        ),
        (
            "tools/run.sh".to_string(),
            b"#!/bin/sh\necho 1.1.0\n".to_vec(),
        ),
        (
            "docs/new/CHANGELOG.md".to_string(),
            b"# Changelog\n".to_vec(),
        ),
    ];
    let (tree, written) = history.tree_with(head, &files).expect("tree");
    assert_eq!(objects(&repo), before, "nothing is written into .git");
    // The executable stays executable; new files are plain.
    let modes: Vec<i32> = written.iter().map(|f| f.mode).collect();
    assert_eq!(modes, [0o100644, 0o100755, 0o100644]);
    // git, writing the same files, makes the same tree.
    for (path, content) in &files {
        std::fs::create_dir_all(repo.path().join(path).parent().expect("parent")).expect("mkdir");
        std::fs::write(repo.path().join(path), content).expect("write");
    }
    repo.git(&["add", "-A"]);
    assert_eq!(repo.git(&["write-tree"]), tree.to_string());
}

#[test]
fn a_dynamic_python_version_is_read_from_the_packages_version_attribute() {
    let repo = TestRepo::new();
    repo.write(
        "pyproject.toml",
        "[project]\nname = \"widgets\"\ndynamic = [\"version\"]\n",
    );
    repo.write("widgets/__init__.py", "__version__ = \"2.4.1\"\n");
    repo.commit_all("feat: first");
    let history = History::open(repo.path()).expect("opens");
    let python = Some(tidegate_core::config::ReleaseType::Python);
    let config = tidegate_git::checkout::load_config(&history, None, python).expect("config");
    let held = tidegate_git::release_files::held_versions(&history, &config).expect("read");
    let held = held[0].as_ref().expect("a version");
    assert_eq!(held.version.to_string(), "2.4.1");
    assert_eq!(held.file, "widgets/__init__.py");
}
