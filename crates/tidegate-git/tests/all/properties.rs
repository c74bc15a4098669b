//! Property tests over what the history reader takes from outside: commit messages (the PR
//! number of a squash commit) and the SHA a user passes (`where --commit`).

use proptest::prelude::*;
use testkit::TestRepo;
use tidegate_git::History;
use tidegate_git::reach::squash_pull_request;

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// A squash commit's PR number is read only from a subject ending `(#N)`, N digits.
    #[test]
    fn a_squash_pr_number_is_read_only_from_its_suffix(
        message in "([a-z :]{0,8}|\\(#|\\)|\\+|-|[0-9]{1,22}|\\n|\\PC){0,10}"
    ) {
        if let Some(n) = squash_pull_request(&message) {
            let subject = message.lines().next().unwrap_or_default().trim_end();
            prop_assert!(subject.ends_with(&format!("(#{n})")), "{subject:?} read as {n}");
        }
    }
}

#[test]
fn any_sha_a_user_gives_is_found_or_not_without_panic() {
    let repo = TestRepo::new();
    let head = repo.commit("feat: one");
    let history = History::open(repo.path()).expect("opens");
    assert!(history.find_commit_id(&head[..7]).is_some());
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 500,
        ..ProptestConfig::default()
    });
    runner
        .run(
            &"([0-9a-f]{0,40}|HEAD|@\\{|\\^|~|:|\\.\\.|\\PC){0,4}",
            |sha| {
                if let Some(found) = history.find_commit_id(&sha) {
                    prop_assert!(head.starts_with(sha.trim()), "{sha:?} found {found}");
                }
                Ok(())
            },
        )
        .expect("no panic, nothing but a prefix of a SHA found");
}
