use tidegate_assets::{
    Error, PromotedAsset, PromotionAction, final_name, promote_checksum_file, promotion_plan,
};

use crate::strings;

#[test]
fn the_candidate_version_in_a_name_becomes_the_final_version() {
    for (name, expected) in [
        ("app-1.4.0-rc.2-linux.tar.gz", "app-1.4.0-linux.tar.gz"),
        ("app-v1.4.0-rc.2-linux.tar.gz", "app-v1.4.0-linux.tar.gz"),
        ("app_1.4.0-rc.2.zip", "app_1.4.0.zip"),
        ("1.4.0-rc.2", "1.4.0"),
        ("app-1.4.0-rc.2", "app-1.4.0"),
        ("app-1.4.0-rc.2.tar.gz.asc", "app-1.4.0.tar.gz.asc"),
        (
            "app-1.4.0-rc.2-and-1.4.0-rc.2.txt",
            "app-1.4.0-and-1.4.0.txt",
        ),
        // No partial match inside a longer version.
        (
            "app-1.4.0-rc.21-linux.tar.gz",
            "app-1.4.0-rc.21-linux.tar.gz",
        ),
        ("app-1.4.0-rc.2.1.tar.gz", "app-1.4.0-rc.2.1.tar.gz"),
        ("app-11.4.0-rc.2.tar.gz", "app-11.4.0-rc.2.tar.gz"),
        ("app-2.1.4.0-rc.2.tar.gz", "app-2.1.4.0-rc.2.tar.gz"),
        ("app-1.4.0-rc.2a.tar.gz", "app-1.4.0-rc.2a.tar.gz"),
        (
            "app-1.4.0-rc.21-and-1.4.0-rc.2.zip",
            "app-1.4.0-rc.21-and-1.4.0.zip",
        ),
        // Names without the version stay.
        ("app-linux.tar.gz", "app-linux.tar.gz"),
        ("SHA256SUMS", "SHA256SUMS"),
    ] {
        assert_eq!(final_name(name, "1.4.0-rc.2", "1.4.0"), expected, "{name}");
    }
    assert_eq!(
        final_name("app-1.4.0-rc.2.zip", "v1.4.0-rc.2", "v1.4.0"),
        "app-1.4.0.zip",
        "tags given for versions"
    );
}

fn plan(names: &[&str], can_sign: bool) -> Result<Vec<(String, String, PromotionAction)>, Error> {
    Ok(
        promotion_plan(&strings(names), "v1.4.0-rc.2", "v1.4.0", can_sign)?
            .into_iter()
            .map(
                |PromotedAsset {
                     candidate_name,
                     final_name,
                     action,
                 }| (candidate_name, final_name, action),
            )
            .collect(),
    )
}

fn step(
    candidate: &str,
    final_name: &str,
    action: PromotionAction,
) -> (String, String, PromotionAction) {
    (candidate.to_string(), final_name.to_string(), action)
}

#[test]
fn renamed_assets_keep_their_signatures_and_get_new_checksum_files() {
    use PromotionAction::{Regenerate, Resign, Reuse};
    let candidate = [
        "SHA256SUMS",
        "SHA256SUMS.asc",
        "app-1.4.0-rc.2.tar.gz",
        "app-1.4.0-rc.2.tar.gz.asc",
        "app-1.4.0-rc.2.tar.gz.sha512",
        "NOTICE.txt",
        "NOTICE.txt.asc",
        "NOTICE.txt.sha512",
    ];

    let steps = plan(&candidate, true).expect("plans");

    assert_eq!(
        steps,
        [
            step("NOTICE.txt", "NOTICE.txt", Reuse),
            step("NOTICE.txt.asc", "NOTICE.txt.asc", Reuse),
            step("NOTICE.txt.sha512", "NOTICE.txt.sha512", Reuse),
            step("SHA256SUMS", "SHA256SUMS", Regenerate),
            step("SHA256SUMS.asc", "SHA256SUMS.asc", Resign),
            step("app-1.4.0-rc.2.tar.gz", "app-1.4.0.tar.gz", Reuse),
            step("app-1.4.0-rc.2.tar.gz.asc", "app-1.4.0.tar.gz.asc", Reuse),
            step(
                "app-1.4.0-rc.2.tar.gz.sha512",
                "app-1.4.0.tar.gz.sha512",
                Regenerate
            ),
        ]
    );
}

#[test]
fn without_renamed_names_everything_is_reused_and_no_key_is_needed() {
    let candidate = [
        "SHA256SUMS",
        "SHA256SUMS.asc",
        "app.tar.gz",
        "app.tar.gz.asc",
        "app.tar.gz.sha512",
    ];

    let steps = plan(&candidate, false).expect("plans");

    assert!(
        steps
            .iter()
            .all(|(from, to, action)| from == to && *action == PromotionAction::Reuse),
        "{steps:?}"
    );
}

#[test]
fn a_signature_to_make_again_without_a_key_is_refused_and_says_to_give_one() {
    let candidate = ["SHA256SUMS", "SHA256SUMS.asc", "app-1.4.0-rc.2.zip"];

    let error = plan(&candidate, false).expect_err("needs the key");

    assert_eq!(
        error.to_string(),
        "`SHA256SUMS.asc` must be signed again: asset names change from v1.4.0-rc.2 to v1.4.0, so the file it signs is rewritten; give the signing key (--signing-key-env and --signing-passphrase-env)"
    );
    assert!(
        plan(&["SHA256SUMS", "app-1.4.0-rc.2.zip"], false).is_ok(),
        "nothing to sign"
    );
}

#[test]
fn two_candidate_assets_that_would_get_one_name_are_refused() {
    let error = plan(&["app-1.4.0-rc.2.zip", "app-1.4.0.zip"], true).expect_err("clash");

    assert_eq!(
        error.to_string(),
        "the candidate's assets `app-1.4.0-rc.2.zip` and `app-1.4.0.zip` would both be named `app-1.4.0.zip` in the final release; delete one from the candidate release"
    );
}

#[test]
fn a_candidates_checksum_file_is_rewritten_with_the_final_names_and_the_same_digests() {
    let (a, b) = ("a".repeat(64), "b".repeat(64));
    let candidate = format!("{b}  app-1.4.0-rc.2-linux.tar.gz\n{a}  NOTICE.txt\n");

    let promoted =
        promote_checksum_file("SHA256SUMS", &candidate, "1.4.0-rc.2", "1.4.0").expect("rewrites");

    assert_eq!(
        promoted,
        format!("{a}  NOTICE.txt\n{b}  app-1.4.0-linux.tar.gz\n")
    );
    let sha512 = format!("{}  app-1.4.0-rc.2.zip\n", "c".repeat(128));
    assert_eq!(
        promote_checksum_file("app-1.4.0-rc.2.zip.sha512", &sha512, "1.4.0-rc.2", "1.4.0")
            .expect("rewrites"),
        format!("{}  app-1.4.0.zip\n", "c".repeat(128))
    );
    let broken = promote_checksum_file("SHA256SUMS", "not a checksum\n", "1.4.0-rc.2", "1.4.0");
    assert!(
        broken
            .expect_err("refused")
            .to_string()
            .starts_with("SHA256SUMS line 1: ")
    );
}
