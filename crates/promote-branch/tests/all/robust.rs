//! Secrets, crashes and messages: a bad token, a password in the API URL, a repository name that
//! walks the API path, usage errors, a merge into a branch GitHub lacks, a damaged checkout.
//! Each ends with one line and the documented exit code, with `RUST_BACKTRACE=1` set.

use crate::{Run, World};

fn run(world: &World, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = world.command(args);
    cmd.env("RUST_BACKTRACE", "1").envs(env.iter().copied());
    Run::of(&mut cmd)
}

const PROMOTE: &[&str] = &["--from", "main", "--to", "stable"];

#[test]
fn a_token_with_a_newline_is_refused_without_printing_it() {
    let world = World::new();
    for token in [
        "ghp_first\nghp_second",
        "ghp_first\r\nx",
        "ghp_\u{1b}[31mred",
    ] {
        let run = run(&world, PROMOTE, &[("GITHUB_TOKEN", token)]);
        run.fails_with(
            2,
            "the token in GITHUB_TOKEN holds a line break or another control character",
        );
        assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
        assert!(!run.stderr.contains("ghp_"), "{}", run.stderr);
    }
    assert_eq!(world.fake.total_requests(), 0);
}

#[test]
fn a_password_in_the_api_url_is_never_printed() {
    let world = World::new();
    let with_password = world
        .fake
        .api_url()
        .replace("http://", "http://user:hunter2@");
    let run = run(&world, PROMOTE, &[("GITHUB_API_URL", &with_password)]);
    run.fails_with(2, "holds a user or password; remove it");
    assert!(
        run.stderr.contains("http://***@127.0.0.1"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    // Not on localhost: refused as plain http, still without the password.
    let run = self::run(
        &world,
        PROMOTE,
        &[("GITHUB_API_URL", "http://user:hunter2@api.example")],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
    assert_eq!(world.fake.total_requests(), 0);
}

#[test]
fn a_repository_name_of_dots_is_refused_even_in_a_dry_run() {
    let world = World::new();
    for name in ["../..", "acme/..", "./widgets"] {
        run(
            &world,
            &[PROMOTE, &["--github-repo", name, "--dry-run"]].concat(),
            &[],
        )
        .fails_with(
            2,
            &format!("`{name}` is not a repository: write it as OWNER/NAME"),
        );
    }
}

#[test]
fn usage_errors_are_one_line() {
    let world = World::new();
    let missing = run(&world, &["--from", "main"], &[]);
    missing.fails_with(
        2,
        "the following required arguments were not provided: --to <DST>; usage: promote-branch --from <SRC> --to <DST> (see --help)",
    );
    assert_eq!(missing.stderr.lines().count(), 1);
    let run = run(&world, &[PROMOTE, &["--mode", "rebase"]].concat(), &[]);
    run.fails_with(2, "invalid value 'rebase' for '--mode <MODE>'");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_path_with_a_newline_stays_on_one_line() {
    let world = World::new();
    let outside = tempfile::tempdir().expect("temp dir");
    let odd = outside.path().join("a\nb");
    std::fs::create_dir(&odd).expect("mkdir");
    let run = run(
        &world,
        &[PROMOTE, &["--repo", &odd.display().to_string()]].concat(),
        &[],
    );
    run.fails_with(3, "a\\nb is not inside a git repository");
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn a_merge_into_a_branch_github_lacks_names_the_branch_not_the_repository() {
    let world = World::new();
    // `release` exists in the checkout only; GitHub answers the merge with 404 "Base does not
    // exist", which is not a missing repository.
    world.checkout.git(&["branch", "release", "origin/stable"]);
    let run = run(
        &world,
        &["--from", "main", "--to", "release", "--mode", "merge"],
        &[],
    );
    run.fails_with(
        3,
        "GitHub refused to merge the branches (404 Not Found: Base does not exist)",
    );
    assert!(!run.stderr.contains("was not found"), "{}", run.stderr);
}

#[test]
fn a_damaged_checkout_is_a_git_failure() {
    let world = World::new();
    let main = world.checkout.git(&["rev-parse", "origin/main"]);
    let object = world
        .checkout
        .path()
        .join(".git/objects")
        .join(&main[..2])
        .join(&main[2..]);
    let mut permissions = std::fs::metadata(&object)
        .expect("loose object")
        .permissions();
    #[allow(clippy::permissions_set_readonly_false)]
    permissions.set_readonly(false);
    std::fs::set_permissions(&object, permissions).expect("chmod");
    std::fs::write(&object, "junk").expect("corrupt");
    run(&world, &[PROMOTE, &["--dry-run"]].concat(), &[])
        .fails_with(3, "the repository is damaged: ");
}
