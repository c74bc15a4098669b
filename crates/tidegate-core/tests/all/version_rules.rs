//! release-please's version rules, as a table: previous version, options, commits → next.

use crate::changes;
use semver::Version;
use tidegate_core::commit::Change;
use tidegate_core::config::Config;
use tidegate_core::version::{Bump, Strategy, VersionRules, decide};

fn rules(strategy: Strategy) -> VersionRules {
    VersionRules {
        strategy,
        ..VersionRules::default()
    }
}

fn visible(kind: &str) -> bool {
    tidegate_core::config::default_sections()
        .iter()
        .any(|s| s.kind == kind && !s.hidden)
}

fn next(previous: Option<&str>, messages: &[&str], rules: &VersionRules) -> Option<String> {
    let previous = previous.map(|p| Version::parse(p).expect("valid previous"));
    let all: Vec<Change> = messages.iter().flat_map(|m| changes(m)).collect();
    decide(previous.as_ref(), &all, rules, visible)
        .expect("a version")
        .next
        .map(|v| v.to_string())
}

const FEAT: &str = "feat: a feature";
const FIX: &str = "fix: a fix";
const BREAKING: &str = "feat!: a breaking change";
const BREAKING_FOOTER: &str = "fix: quiet\n\nBREAKING CHANGE: the API changed";

#[test]
fn default_strategy_table() {
    let default = rules(Strategy::Default);
    let minor_pre = VersionRules {
        bump_minor_pre_major: true,
        ..default.clone()
    };
    let both_pre = VersionRules {
        bump_minor_pre_major: true,
        bump_patch_for_minor_pre_major: true,
        ..default.clone()
    };
    let table: &[(&str, &VersionRules, &str, &str)] = &[
        ("1.2.3", &default, FEAT, "1.3.0"),
        ("1.2.3", &default, FIX, "1.2.4"),
        ("1.2.3", &default, "perf: faster", "1.2.4"),
        ("1.2.3", &default, "feature: old spelling", "1.3.0"),
        ("1.2.3", &default, BREAKING, "2.0.0"),
        ("1.2.3", &default, BREAKING_FOOTER, "2.0.0"),
        ("0.2.3", &default, BREAKING, "1.0.0"),
        ("0.2.3", &minor_pre, BREAKING, "0.3.0"),
        ("0.2.3", &minor_pre, FEAT, "0.3.0"),
        ("0.2.3", &both_pre, FEAT, "0.2.4"),
        ("0.2.3", &both_pre, BREAKING, "0.3.0"),
        ("0.2.3", &both_pre, FIX, "0.2.4"),
        // The default strategy keeps a pre-release label as it is.
        ("1.0.0-beta.1", &default, FEAT, "1.1.0-beta.1"),
        ("1.0.0-beta.1", &default, BREAKING, "2.0.0-beta.1"),
    ];
    for (previous, rules, message, expected) in table {
        assert_eq!(
            next(Some(previous), &[message], rules).as_deref(),
            Some(*expected),
            "{previous} + {message:?}"
        );
    }
}

#[test]
fn always_bump_strategies_ignore_the_commits_kind() {
    let cases = [
        (Strategy::AlwaysBumpPatch, BREAKING, "1.2.4"),
        (Strategy::AlwaysBumpMinor, FIX, "1.3.0"),
        (Strategy::AlwaysBumpMajor, FIX, "2.0.0"),
    ];
    for (strategy, message, expected) in cases {
        assert_eq!(
            next(Some("1.2.3"), &[message], &rules(strategy)).as_deref(),
            Some(expected)
        );
    }
}

#[test]
fn prerelease_strategy_table() {
    let on = |label: Option<&str>| VersionRules {
        strategy: Strategy::Prerelease,
        prerelease: Some(true),
        prerelease_type: label.map(str::to_string),
        ..VersionRules::default()
    };
    let beta = on(Some("beta"));
    let table: &[(&str, &str, &str)] = &[
        ("1.2.3", FEAT, "1.3.0-beta"),
        ("1.2.3", FIX, "1.2.4-beta"),
        ("1.2.3", BREAKING, "2.0.0-beta"),
        ("1.0.0-beta09", FIX, "1.0.0-beta10"),
        ("1.0.0-beta99", FIX, "1.0.0-beta100"),
        ("1.0.0-beta", FIX, "1.0.0-beta.1"),
        ("1.0.0-beta.1", FEAT, "1.0.0-beta.2"),
        ("1.0.0-beta.1", BREAKING, "1.0.0-beta.2"),
        ("1.2.0-beta.1", BREAKING, "2.0.0-beta.1"),
        ("1.2.3-beta.1", FEAT, "1.3.0-beta.1"),
        ("1.2.3-beta.1", FIX, "1.2.3-beta.2"),
        // An existing label is never relabelled.
        ("1.0.0-alpha.2", FIX, "1.0.0-alpha.3"),
    ];
    for (previous, message, expected) in table {
        assert_eq!(
            next(Some(previous), &[message], &beta).as_deref(),
            Some(*expected),
            "{previous} + {message:?}"
        );
    }
    // Without a label, a new line has none.
    assert_eq!(
        next(Some("1.2.3"), &[FIX], &on(None)).as_deref(),
        Some("1.2.4")
    );
}

#[test]
fn prerelease_false_graduates() {
    let off = VersionRules {
        strategy: Strategy::Prerelease,
        prerelease: Some(false),
        prerelease_type: Some("beta".into()),
        ..VersionRules::default()
    };
    assert_eq!(
        next(Some("1.0.0-beta.3"), &[FIX], &off).as_deref(),
        Some("1.0.0")
    );
    assert_eq!(
        next(Some("1.2.3-beta.1"), &[FEAT], &off).as_deref(),
        Some("1.3.0")
    );
    assert_eq!(next(Some("1.2.3"), &[FIX], &off).as_deref(), Some("1.2.4"));
}

#[test]
fn release_as_wins_config_first_then_newest_footer() {
    let footer_old = "fix: a\n\nRelease-As: 3.0.0";
    let footer_new = "chore: b\n\nrelease-as: v4.0.0";
    let default = rules(Strategy::Default);
    // Newest first: footer_new is the newest commit.
    assert_eq!(
        next(Some("1.2.3"), &[footer_new, footer_old], &default).as_deref(),
        Some("4.0.0")
    );
    let configured = VersionRules {
        release_as: Some(Version::new(9, 0, 0)),
        ..default.clone()
    };
    assert_eq!(
        next(Some("1.2.3"), &[footer_new], &configured).as_deref(),
        Some("9.0.0")
    );
    // Release-As works with hidden types, and before any release.
    assert_eq!(
        next(None, &["chore: x\n\nRELEASE-AS: 0.5.0"], &default).as_deref(),
        Some("0.5.0")
    );
    // A configured release-as that is already released is not released again.
    let done = VersionRules {
        release_as: Some(Version::new(1, 2, 3)),
        ..default
    };
    assert_eq!(next(Some("1.2.3"), &[FIX], &done), None);
}

#[test]
fn first_release_by_release_type_and_initial_version() {
    let config = |text: &str| Config::from_toml("tidegate.toml", text).expect("valid config");
    for (text, expected) in [
        ("release-type = \"rust\"", "0.1.0"),
        ("release-type = \"python\"", "0.1.0"),
        ("release-type = \"node\"", "1.0.0"),
        ("", "1.0.0"),
        (
            "release-type = \"rust\"\ninitial-version = \"0.0.1\"",
            "0.0.1",
        ),
    ] {
        let config = config(text);
        let package = &config.packages[0];
        let decision = decide(None, &changes(FIX), &package.rules, visible).expect("a version");
        assert_eq!(
            decision.next.map(|v| v.to_string()).as_deref(),
            Some(expected),
            "{text}"
        );
        assert_eq!(decision.bump, Bump::Initial);
    }
}

#[test]
fn only_hidden_types_make_no_release() {
    let default = rules(Strategy::Default);
    assert_eq!(
        next(
            Some("1.2.3"),
            &["docs: a", "chore: b", "ci: c", "refactor: d"],
            &default
        ),
        None
    );
    assert_eq!(next(Some("1.2.3"), &["Update README.md"], &default), None);
    assert_eq!(next(Some("1.2.3"), &[], &default), None);
    // A breaking change of a hidden type still releases.
    assert_eq!(
        next(Some("1.2.3"), &["chore!: drop node 16"], &default).as_deref(),
        Some("2.0.0")
    );
    // One visible change among hidden ones is enough.
    assert_eq!(
        next(Some("1.2.3"), &["docs: a", FIX], &default).as_deref(),
        Some("1.2.4")
    );
}

#[test]
fn a_version_at_the_largest_number_is_refused_not_wrapped() {
    let max = u64::MAX;
    for (previous, message, part) in [
        (format!("{max}.0.0"), "feat!: drop the old API", "major"),
        (format!("1.{max}.0"), FEAT, "minor"),
        (format!("1.2.{max}"), "fix: a bug", "patch"),
    ] {
        let previous = Version::parse(&previous).expect("valid");
        let error = decide(
            Some(&previous),
            &changes(message),
            &VersionRules::default(),
            visible,
        )
        .expect_err("no wrap to 0");
        let text = error.to_string();
        assert!(
            text.contains(&format!("{previous} cannot take a {part} bump"))
                && text.contains("release-as")
                && !text.contains('\n'),
            "{text}"
        );
    }
    // The pre-release strategy bumps the same numbers.
    let rules = VersionRules {
        strategy: Strategy::Prerelease,
        ..VersionRules::default()
    };
    let previous = Version::parse(&format!("1.{max}.0")).expect("valid");
    assert!(decide(Some(&previous), &changes(FEAT), &rules, visible).is_err());
}
