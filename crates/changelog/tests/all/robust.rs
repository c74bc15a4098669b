//! Bad input to `changelog`: one line that names what is wrong, the documented exit code, and no
//! panic or backtrace (`RUST_BACKTRACE=1` is set, as in the reported runs).

use crate::{changelog, failure, project};

/// Exit `code` and one `error:` line containing `text`.
fn fails_with(cmd: &mut assert_cmd::Command, code: i32, text: &str) -> String {
    cmd.env("RUST_BACKTRACE", "1");
    let (actual, stderr) = failure(cmd);
    assert_eq!(actual, code, "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(
        stderr.starts_with("error: ") && stderr.contains(text),
        "`{text}` not in {stderr}"
    );
    stderr
}

#[test]
fn a_damaged_repository_exits_3_and_says_so_once() {
    let repo = project();
    std::fs::write(repo.path().join(".git/HEAD"), "garbage\n").expect("write");
    fails_with(
        &mut changelog(&repo),
        3,
        "the repository is damaged: corrupted loose reference file: HEAD; check it with `git fsck`",
    );

    let repo = project();
    let objects = repo.path().join(".git/objects");
    for dir in std::fs::read_dir(&objects).expect("objects").flatten() {
        if dir.file_name().len() == 2 {
            for object in std::fs::read_dir(dir.path()).expect("dir").flatten() {
                let mut permissions = std::fs::metadata(object.path())
                    .expect("meta")
                    .permissions();
                #[allow(clippy::permissions_set_readonly_false)]
                permissions.set_readonly(false);
                std::fs::set_permissions(object.path(), permissions).expect("chmod");
                std::fs::write(object.path(), "junk").expect("corrupt");
            }
        }
    }
    let stderr = fails_with(&mut changelog(&repo), 3, "the repository is damaged: ");
    // libgit2's message is printed once, not once more as the error's cause.
    let cause = stderr
        .trim_end()
        .trim_start_matches("error: the repository is damaged: ")
        .split("; check it")
        .next()
        .unwrap_or_default()
        .to_string();
    assert!(!cause.is_empty());
    assert_eq!(stderr.matches(&cause).count(), 1, "{stderr}");
}

#[test]
fn output_and_environment_errors_name_the_variable_and_the_path() {
    let repo = project();
    fails_with(
        changelog(&repo).env("GITHUB_OUTPUT", "/nonexistent/folder/out"),
        3,
        "cannot write to GITHUB_OUTPUT (/nonexistent/folder/out): no such file or folder",
    );
    fails_with(
        changelog(&repo).env("SOURCE_DATE_EPOCH", "2026-01-01"),
        2,
        "SOURCE_DATE_EPOCH is `2026-01-01`, not a number of seconds since 1970-01-01",
    );
}

#[test]
fn unreadable_files_are_named_with_the_reason_in_words() {
    let repo = project();
    fails_with(
        changelog(&repo).args(["--template", "missing.j2"]),
        2,
        "cannot read template missing.j2: no such file or folder",
    );
    let binary = repo.path().join("latin1.j2");
    std::fs::write(&binary, b"caf\xe9 {{ version }}").expect("write");
    fails_with(
        changelog(&repo).arg("--template").arg(&binary),
        2,
        "it is not UTF-8 text",
    );
    fails_with(
        changelog(&repo).args(["--config", "nope.toml"]),
        2,
        "nope.toml: no such file; check the path given to --config",
    );
}

#[test]
fn a_template_error_names_the_undefined_name() {
    let repo = project();
    let template = repo.path().join("notes.j2");
    std::fs::write(
        &template,
        "{{ version }}\n{% for s in sections %}{{ s.heading }}{% endfor %}",
    )
    .expect("write");
    fails_with(
        changelog(&repo).arg("--template").arg(&template),
        2,
        "notes.j2:2: `heading` is not defined here (the names here are entries, title)",
    );
}

#[test]
fn usage_errors_and_odd_paths_stay_on_one_line() {
    let repo = project();
    fails_with(
        changelog(&repo).args(["--tag", "v1.0.0", "--all"]),
        2,
        "the argument '--tag <TAG>' cannot be used with '--all'; usage: changelog --repo <REPO> --tag <TAG> (see --help)",
    );
    let odd = tempfile::tempdir().expect("temp dir");
    let folder = odd.path().join("two\nlines");
    std::fs::create_dir(&folder).expect("mkdir");
    let mut cmd = assert_cmd::Command::cargo_bin("changelog").expect("binary");
    cmd.arg("--repo").arg(&folder).env_remove("GITHUB_ACTIONS");
    fails_with(&mut cmd, 3, "two\\nlines is not inside a git repository");
}

#[test]
fn bad_revisions_config_values_and_templates_are_refused_in_one_line() {
    let repo = project();
    let dir = tempfile::tempdir().expect("temp dir");
    let file = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).expect("write");
        path.display().to_string()
    };
    let bad_pattern = file("pattern.toml", "tag-pattern = \"(\"\n");
    let bad_type = file("type.toml", "[[changelog-sections]]\ntype = 3\n");
    let bad_field = file("field.j2", "{% for x in range(3) %}{{ x.y.z }}{% endfor %}");
    let rows: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--tag", "nope"],
            "there is no tag `nope`; the nearest release tags are",
        ),
        (
            vec!["--from", "nope"],
            "unknown revision `nope`: no branch, tag or commit has that name",
        ),
        (
            vec!["--config", &bad_pattern],
            "`tag-pattern` is not a valid regular expression",
        ),
        (
            vec!["--config", &bad_type],
            "type.toml:2: invalid type: integer `3`, expected a string",
        ),
        (
            vec!["--template", &bad_field],
            "field.j2:1: a value used here is not defined",
        ),
    ];
    for (args, words) in rows {
        eprintln!("row: {args:?}");
        fails_with(changelog(&repo).args(&args), 2, words);
    }
}
