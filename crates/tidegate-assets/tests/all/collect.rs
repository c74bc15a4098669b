use tempfile::TempDir;
use tidegate_assets::{Error, collect};

use crate::{strings, write};

fn names(dir: &TempDir, patterns: &[&str]) -> Vec<String> {
    collect(dir.path(), &strings(patterns))
        .expect("collects")
        .into_iter()
        .map(|asset| asset.name)
        .collect()
}

fn refusal(dir: &TempDir, patterns: &[&str]) -> String {
    collect(dir.path(), &strings(patterns))
        .expect_err("refused")
        .to_string()
}

#[test]
fn globs_expand_under_the_root_sorted_by_name_each_file_once_directories_skipped() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/b-linux.tar.gz", "b");
    write(dir.path(), "dist/a-macos.tar.gz", "a");
    write(
        dir.path(),
        "dist/folder.tar.gz/inside",
        "a directory named like an archive",
    );
    write(
        dir.path(),
        "dist/.hidden.tar.gz",
        "left out: * does not match a leading dot",
    );
    write(dir.path(), "docs/README.txt", "r");

    let assets = collect(
        dir.path(),
        &strings(&["dist/*.tar.gz", "dist/a-*", "docs/README.txt"]),
    )
    .expect("collects");

    let names: Vec<&str> = assets.iter().map(|a| a.name.as_str()).collect();
    assert_eq!(names, ["README.txt", "a-macos.tar.gz", "b-linux.tar.gz"]);
    assert_eq!(
        std::fs::read_to_string(&assets[1].path).expect("the path is the file"),
        "a"
    );
}

#[test]
fn a_root_with_glob_characters_is_a_folder_name_not_a_pattern() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "build [x86]/app.zip", "z");
    write(dir.path(), "build x/other.zip", "not under the root");
    let root = dir.path().join("build [x86]");

    let assets = collect(&root, &strings(&["*.zip"])).expect("collects");

    assert_eq!(assets.len(), 1);
    assert_eq!(assets[0].name, "app.zip");
}

#[test]
fn a_pattern_that_matches_no_file_is_named_with_the_root() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/app.zip", "z");

    let message = refusal(&dir, &["dist/*.zip", "dist/*.tar.gz"]);

    assert_eq!(
        message,
        format!(
            "--assets `dist/*.tar.gz` matches no file in {}; check the pattern and that the build wrote its files there",
            dir.path().display()
        )
    );
}

#[test]
fn a_pattern_that_matches_only_directories_says_to_match_the_files_inside() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/linux/app", "a");

    let message = refusal(&dir, &["dist/*"]);

    assert!(
        message.starts_with("--assets `dist/*` matches no file in "),
        "{message}"
    );
    assert!(message.contains("only directories"), "{message}");
    assert!(
        message.contains("dist/linux: match the files inside"),
        "{message}"
    );
}

#[test]
fn an_invalid_glob_is_refused() {
    let dir = TempDir::new().expect("temp");

    let error = collect(dir.path(), &strings(&["dist/[a"])).expect_err("refused");

    assert!(matches!(error, Error::BadPattern { .. }), "{error:?}");
    assert!(
        error
            .to_string()
            .starts_with("--assets `dist/[a` is not a valid glob ("),
        "{error}"
    );
}

#[test]
fn two_files_with_the_same_name_from_different_folders_are_refused() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "linux/app.zip", "l");
    write(dir.path(), "macos/app.zip", "m");

    let message = refusal(&dir, &["*/app.zip"]);

    assert!(
        message.starts_with("two assets are named `app.zip` ("),
        "{message}"
    );
    assert!(
        message.contains("linux/app.zip") && message.contains("macos/app.zip"),
        "{message}"
    );
}

#[test]
fn the_same_file_through_two_paths_is_one_asset() {
    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/app.zip", "z");

    assert_eq!(
        names(&dir, &["dist/app.zip", "dist/../dist/*.zip"]),
        ["app.zip"]
    );
}

#[test]
fn names_github_would_rename_are_refused_before_upload() {
    for (file, problem) in [
        ("My App.zip", "holds a space"),
        ("app(x64).msi", "holds `(`"),
        ("app-1.0.0+build.5.tar.gz", "holds `+`"),
        ("pkg-1~buster.deb", "holds `~`"),
        (".env", "starts or ends with a period"),
        ("app.", "starts or ends with a period"),
    ] {
        let dir = TempDir::new().expect("temp");
        write(dir.path(), file, "x");

        let message = refusal(&dir, &[file]);

        assert!(
            message.starts_with(&format!("asset name `{file}` (")),
            "{file}: {message}"
        );
        assert!(message.contains(problem), "{file}: {message}");
        assert!(
            message.ends_with("rename the file using only letters, digits, `.`, `-` and `_`"),
            "{message}"
        );
    }
}

#[test]
fn names_of_generated_files_are_refused_but_a_lone_asc_is_an_asset() {
    for (files, reserved) in [
        (&["app.zip", "SHA256SUMS"][..], "SHA256SUMS"),
        (&["app.zip", "SHA256SUMS.asc"][..], "SHA256SUMS.asc"),
        (&["app.zip", "app.zip.sha512"][..], "app.zip.sha512"),
        (&["app.zip", "app.zip.asc"][..], "app.zip.asc"),
    ] {
        let dir = TempDir::new().expect("temp");
        for file in files {
            write(dir.path(), &format!("dist/{file}"), "x");
        }

        let message = refusal(&dir, &["dist/*"]);

        assert!(
            message.contains(&format!(
                "is named like a file Tidegate generates (`{reserved}`)"
            )),
            "{message}"
        );
    }

    let dir = TempDir::new().expect("temp");
    write(dir.path(), "dist/app.zip", "x");
    write(dir.path(), "dist/KEYS.asc", "not the signature of an asset");
    assert_eq!(names(&dir, &["dist/*"]), ["KEYS.asc", "app.zip"]);
}
