//! Release notes in release-please's layout, escaping, templates and prepending.

use tidegate_core::changelog::{ReleaseHeading, build, prepend, render_markdown};
use tidegate_core::commit::{Change, CommitInfo, DEFAULT_TYPES, classify};
use tidegate_core::config::Config;
use tidegate_core::links::Links;

fn commit(n: u8, message: &str) -> Vec<Change> {
    let info = CommitInfo {
        id: format!("{n:02x}{}", "ab".repeat(19)),
        message: message.into(),
        author: "Ada".into(),
        time: 0,
        merged_pr: None,
    };
    classify(&info, DEFAULT_TYPES).changes
}

fn heading(previous: Option<&str>) -> ReleaseHeading {
    ReleaseHeading {
        version: "1.3.0".into(),
        tag: Some("v1.3.0".into()),
        previous_tag: previous.map(str::to_string),
        date: "2026-11-21".into(),
    }
}

fn notes(messages: &[&str], links: Option<&Links>, previous: Option<&str>) -> String {
    let config = Config::defaults();
    let changes: Vec<Change> = messages
        .iter()
        .enumerate()
        .flat_map(|(i, m)| commit(u8::try_from(i).expect("few"), m))
        .collect();
    render_markdown(&build(
        heading(previous),
        &changes,
        messages.len(),
        &config.packages[0],
        links,
    ))
}

#[test]
fn release_please_layout_with_links() {
    let links = Links::from_remote("git@github.com:octo/repo.git").expect("remote");
    let text = notes(
        &[
            "fix: stop dropping the last page (#102)",
            "feat(api): add the widgets endpoint (#101)",
            "feat!: rename the flag\n\nBREAKING CHANGE: `--to` is now `--target`",
            "docs: hidden",
            "feat: another feature",
        ],
        Some(&links),
        Some("v1.2.3"),
    );
    let c = "https://github.com/octo/repo/commit/";
    let expected = format!(
        "## [1.3.0](https://github.com/octo/repo/compare/v1.2.3...v1.3.0) (2026-11-21)\n\
\n\
\n\
### ⚠ BREAKING CHANGES\n\
\n\
* `--to` is now `--target`\n\
\n\
### Features\n\
\n\
* another feature ([04ababa]({c}04{ab}))\n\
* **api:** add the widgets endpoint ([#101](https://github.com/octo/repo/issues/101)) ([01ababa]({c}01{ab}))\n\
* rename the flag ([02ababa]({c}02{ab}))\n\
\n\
\n\
### Bug Fixes\n\
\n\
* stop dropping the last page ([#102](https://github.com/octo/repo/issues/102)) ([00ababa]({c}00{ab}))\n",
        ab = "ab".repeat(19)
    );
    assert_eq!(text, expected);
}

#[test]
fn breaking_notes_and_footer_references_as_release_please_writes_them() {
    let links = Links::from_remote("https://github.com/octo/repo").expect("remote");
    let text = notes(
        &[
            "feat(cli)!: drop the --to flag (#110)",
            "fix: keep the last page (#111)\n\nCloses #7\nFixes #111\nRefs: #8\n",
        ],
        Some(&links),
        Some("v1.2.3"),
    );
    let issues = "https://github.com/octo/repo/issues/";
    let c = "https://github.com/octo/repo/commit/";
    let ab = "ab".repeat(19);
    // The note is the `!` header's description with its PR linked, and no commit link.
    assert!(
        text.contains(&format!(
            "### ⚠ BREAKING CHANGES\n\n* **cli:** drop the --to flag ([#110]({issues}110))\n"
        )),
        "{text}"
    );
    // Footer references follow the links as `refs` (a reference already shown is not repeated).
    assert!(
        text.contains(&format!(
            "* keep the last page ([#111]({issues}111)) ([01ababa]({c}01{ab})), refs [#7]({issues}7) [#8]({issues}8)\n"
        )),
        "{text}"
    );
}

#[test]
fn a_breaking_change_of_a_type_without_a_section_is_listed_under_its_type() {
    let text = notes(&["fix: a", "deps!: use gcf-utils 14"], None, Some("v1.2.3"));
    assert_eq!(
        text,
        "## 1.3.0 (2026-11-21)\n\n\n### ⚠ BREAKING CHANGES\n\n* use gcf-utils 14\n\n### deps\n\n* use gcf-utils 14 (01ababa)\n\n\n### Bug Fixes\n\n* a (00ababa)\n"
    );
}

#[test]
fn the_sentence_case_plugin_capitalises_descriptions_but_not_notes() {
    use tidegate_core::release::Analysis;
    let config = Config::from_release_please(
        "release-please-config.json",
        r#"{"release-type": "simple", "plugins": ["sentence-case"]}"#,
        None,
    )
    .expect("valid");
    let package = &config.packages[0];
    let commits: Vec<CommitInfo> = [
        "fix: don't iterate ESM & CJS",
        "feat!: use global `URL`",
        "fix: npm",
    ]
    .iter()
    .enumerate()
    .map(|(i, m)| CommitInfo {
        id: format!("{i:02x}{}", "ef".repeat(19)),
        message: (*m).into(),
        ..Default::default()
    })
    .collect();
    let analysis = Analysis::of(&commits, package);
    let text = render_markdown(&build(
        heading(Some("v1.2.3")),
        &analysis.changes,
        3,
        package,
        None,
    ));
    assert!(
        text.contains("* use global `URL`\n"),
        "the note keeps its case: {text}"
    );
    assert!(text.contains("* Use global `URL` (01efefe)"), "{text}");
    assert!(
        text.contains("* Don't iterate ESM & CJS (00efefe)"),
        "{text}"
    );
    assert!(
        text.contains("* npm (02efefe)"),
        "a special word stays: {text}"
    );
}

#[test]
fn a_change_and_its_revert_in_the_same_release_cancel_out() {
    use tidegate_core::release::Analysis;
    let config = Config::defaults();
    let info = |n: u8, message: &str| CommitInfo {
        id: format!("{n:02x}{}", "cd".repeat(19)),
        message: message.into(),
        ..Default::default()
    };
    let feature = info(1, "feat: widgets");
    let revert_id = &feature.id[..12];
    // Newest first: the revert (GitHub's revert button), then the feature, then a fix.
    let commits = vec![
        info(
            3,
            &format!("Revert \"feat: widgets\" (#9)\n\nThis reverts commit {revert_id}."),
        ),
        info(2, "fix: the last page"),
        feature.clone(),
    ];
    let analysis = Analysis::of(&commits, &config.packages[0]);
    let kinds: Vec<&str> = analysis.changes.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(
        kinds,
        vec!["fix"],
        "the feature and its revert are both gone"
    );
    let previous = semver::Version::new(1, 2, 3);
    let decision = analysis
        .decide(Some(&previous), &config.packages[0])
        .expect("a version");
    assert_eq!(decision.next, Some(semver::Version::new(1, 2, 4)));

    // A revert of a revert brings the change back.
    let first_revert = info(
        3,
        &format!("revert: widgets\n\nThis reverts commit {revert_id}."),
    );
    let again = info(
        4,
        &format!(
            "Revert \"revert: widgets\"\n\nThis reverts commit {}.",
            &first_revert.id[..10]
        ),
    );
    let analysis = Analysis::of(&[again, first_revert, feature.clone()], &config.packages[0]);
    let kinds: Vec<&str> = analysis.changes.iter().map(|c| c.kind.as_str()).collect();
    assert_eq!(kinds, vec!["feat"]);

    // A revert of a change released earlier (not in the range) stays, under Reverts.
    let only_revert = info(
        5,
        "revert: widgets (#12)\n\nThis reverts commit 0123456789.",
    );
    let analysis = Analysis::of(&[only_revert], &config.packages[0]);
    let notes = render_markdown(&build(
        heading(Some("v1.2.3")),
        &analysis.changes,
        1,
        &config.packages[0],
        None,
    ));
    assert!(notes.contains("### Reverts\n\n* widgets (#12)"), "{notes}");
}

#[test]
fn without_a_remote_or_previous_release_links_are_plain_text() {
    let text = notes(&["fix: a bug (#7)"], None, None);
    assert_eq!(
        text,
        "## 1.3.0 (2026-11-21)\n\n\n### Bug Fixes\n\n* a bug (#7) (00ababa)\n"
    );
}

#[test]
fn commit_text_cannot_ping_inject_html_or_close_issues() {
    let text = notes(
        &["fix: thanks @octocat, closes #5 <script>alert(1)</script> [x](http://evil)"],
        None,
        None,
    );
    let line = text
        .lines()
        .find(|l| l.starts_with("* "))
        .expect("an entry");
    assert_eq!(
        line,
        "* thanks `@octocat`, refs #5 &lt;script&gt;alert(1)&lt;/script&gt; \\[x\\](http://evil) (00ababa)"
    );
}

#[test]
fn prepend_keeps_everything_else_byte_for_byte() {
    let existing = "# Changelog\n\nSome intro kept as is.\n\n## [1.2.3](x) (2026-01-01)\n\n\n### Bug Fixes\n\n* old ([abc1234](y))\n";
    let section = "## 1.3.0 (2026-11-21)\n\n\n### Features\n\n* new (def5678)\n";
    let updated = prepend(existing, section, "1.3.0");
    assert_eq!(
        updated,
        format!(
            "# Changelog\n\nSome intro kept as is.\n\n{section}\n## [1.2.3](x) (2026-01-01)\n\n\n### Bug Fixes\n\n* old ([abc1234](y))\n"
        )
    );
    // Running again with the same version replaces that section instead of adding a second one.
    let again = prepend(&updated, &section.replace("new", "newer"), "1.3.0");
    assert_eq!(again.matches("## 1.3.0").count(), 1);
    assert!(again.contains("* newer (def5678)") && again.contains("## [1.2.3](x)"));
    // A missing or empty file gets a title.
    assert_eq!(
        prepend("", section, "1.3.0"),
        format!("# Changelog\n\n{section}")
    );
}

#[test]
fn prepend_goes_below_the_title_and_keeps_crlf() {
    let section = "## 1.3.0 (2026-11-21)\n\n\n### Features\n\n* new\n";
    let old = "## 1.2.3 (2026-01-01)\n\n* old\n";
    // Anything above the title (markdownlint comments, a BOM) stays above it.
    for head in [
        "<!-- markdownlint-disable MD024 MD041 -->\n# Changelog\n\n",
        "\u{feff}# Changelog\n\nIntro.\n\n",
        "<!-- a comment, no title -->\n\n",
    ] {
        assert_eq!(
            prepend(&format!("{head}{old}"), section, "1.3.0"),
            format!("{head}{section}\n{old}"),
            "{head:?}"
        );
    }
    // A CRLF file gets CRLF lines, and a second run converges.
    let crlf = |text: &str| text.replace('\n', "\r\n");
    let existing = crlf(&format!("# Changelog\n{old}"));
    let updated = prepend(&existing, section, "1.3.0");
    assert_eq!(updated, crlf(&format!("# Changelog\n\n{section}\n{old}")));
    assert_eq!(prepend(&updated, section, "1.3.0"), updated);
}

#[test]
fn templates_see_the_notes() {
    let config = Config::defaults();
    let notes = build(
        heading(None),
        &commit(1, "feat(ui): dark mode"),
        1,
        &config.packages[0],
        None,
    );
    let template = "v{{ version }} on {{ date }}\n{% for s in sections %}{{ s.title }}:{% for e in s.entries %} {{ e.scope }}/{{ e.description_md }}{% endfor %}\n{% endfor %}";
    let out = tidegate_core::template::render("notes.j2", template, &notes).expect("renders");
    assert_eq!(out, "v1.3.0 on 2026-11-21\nFeatures: ui/dark mode\n");
    let err = tidegate_core::template::render("bad.j2", "line one\n{{ nope }", &notes)
        .expect_err("syntax");
    assert!(err.to_string().starts_with("template bad.j2:2: "), "{err}");
    let err = tidegate_core::template::render("bad.j2", "{{ missing.field }}", &notes)
        .expect_err("undefined");
    assert!(err.to_string().contains("bad.j2"), "{err}");
}

#[test]
fn prepend_goes_above_the_first_release_heading_as_release_please_finds_it() {
    let section = "## [17.3.0](x) (2026-11-21)\n\n\n### Features\n\n* new\n";
    // lerna's old `# [1.5.0]` entries sit between the title and release-please's `##` ones.
    let existing = "# Changelog\n\nAll notable changes.\n\n# [1.5.0](y) (2019-05-01)\n\n* lerna\n\n## [17.2.0](z) (2026-10-01)\n\n* old\n";
    assert_eq!(
        prepend(existing, section, "17.3.0"),
        format!(
            "# Changelog\n\nAll notable changes.\n\n# [1.5.0](y) (2019-05-01)\n\n* lerna\n\n{section}\n## [17.2.0](z) (2026-10-01)\n\n* old\n"
        )
    );
    // A heading that names no version (an "Unreleased" list) stays above the new release.
    let unreleased =
        "# Changelog\n\n## Unreleased\n\n* soon\n\n### [1.2.4](x) (2026-01-01)\n\n* fix\n";
    let updated = prepend(unreleased, section, "17.3.0");
    assert!(
        updated.starts_with("# Changelog\n\n## Unreleased\n\n* soon\n\n## [17.3.0]"),
        "{updated}"
    );
}
