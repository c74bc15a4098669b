//! Property tests over every parser of outside text in the core: the Markdown escaper's
//! guarantees for any input, user templates, configuration files, tag names, commit messages and
//! release-line labels. Case counts are kept so the whole crate's properties run in a few
//! seconds on a debug build (README, "Property tests").

use proptest::prelude::*;
use semver::Version;
use tidegate_core::changelog::{ReleaseHeading, ReleaseNotes, build};
use tidegate_core::config::Config;
use tidegate_core::markdown::{code_span, escape_inline, link_issue_refs, qualify_issue_refs};
use tidegate_core::tag::TagFormat;

/// Text a hostile commit subject, PR title or comment is made of: the pieces each guarantee is
/// about, mixed with arbitrary characters.
fn hostile() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("@ada".to_string()),
            Just("@org/team".to_string()),
            Just("`".to_string()),
            Just("``".to_string()),
            Just("\\".to_string()),
            Just("<img src=x>".to_string()),
            Just("</b>".to_string()),
            Just("<".to_string()),
            Just("&lt;".to_string()),
            Just("&#60;".to_string()),
            Just("&".to_string()),
            Just("fixes #12".to_string()),
            Just("Closes: owner/repo#3".to_string()),
            Just("resolved https://github.com/o/r/issues/4".to_string()),
            Just("#".to_string()),
            Just("::set-output name=x::y".to_string()),
            Just("::add-mask::".to_string()),
            Just("::stop-commands::tok".to_string()),
            Just("%0A::error::".to_string()),
            Just("##[set-output name=x;]y".to_string()),
            Just("*".to_string()),
            Just("_".to_string()),
            Just("[".to_string()),
            Just("](x)".to_string()),
            Just(" ".to_string()),
            Just("\n".to_string()),
            Just("\r".to_string()),
            Just(":".to_string()),
            "[a-z0-9]{1,6}",
            "\\PC{1,3}",
            any::<char>().prop_map(String::from),
        ],
        0..24,
    )
    .prop_map(|parts| parts.concat())
}

/// The parts of rendered Markdown inline text that are not code spans, read as CommonMark reads
/// them: a backslash escapes the next ASCII punctuation character, a backtick run opens a code
/// span only when a run of the same length closes it. Returned with escapes removed.
fn text_outside_code(markdown: &str) -> Vec<String> {
    let chars: Vec<char> = markdown.chars().collect();
    let mut parts = vec![String::new()];
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && chars.get(i + 1).is_some_and(char::is_ascii_punctuation) {
            parts.last_mut().expect("a part").push(chars[i + 1]);
            i += 2;
            continue;
        }
        if c == '`' {
            let run = chars[i..].iter().take_while(|&&c| c == '`').count();
            let mut j = i + run;
            let mut closed = None;
            while j < chars.len() {
                if chars[j] == '`' {
                    let other = chars[j..].iter().take_while(|&&c| c == '`').count();
                    if other == run {
                        closed = Some(j + other);
                        break;
                    }
                    j += other;
                } else {
                    j += 1;
                }
            }
            match closed {
                Some(end) => {
                    parts.push(String::new());
                    i = end;
                }
                None => {
                    parts
                        .last_mut()
                        .expect("a part")
                        .extend(std::iter::repeat_n('`', run));
                    i += run;
                }
            }
            continue;
        }
        parts.last_mut().expect("a part").push(c);
        i += 1;
    }
    parts
}

/// A `@name` GitHub would read as a mention: `@` then a letter or digit, not after a letter or
/// digit (an e-mail address).
fn has_mention(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        c == '@'
            && chars.get(i + 1).is_some_and(char::is_ascii_alphanumeric)
            && (i == 0 || !chars[i - 1].is_alphanumeric())
    })
}

fn closing_reference() -> regex_lite::Regex {
    regex_lite::Regex::new(
        r"(?i)(^|[^A-Za-z0-9])(close[sd]?|fix(e[sd])?|resolve[sd]?):?\s+((\S+/\S+)?#\d|https?://\S+/issues/\d)",
    )
    .expect("valid regex")
}

/// A line the Actions runner would read as a workflow command (it trims leading space).
fn is_workflow_command(line: &str) -> bool {
    line.trim_start().starts_with("::")
}

fn notes() -> ReleaseNotes {
    let config = Config::defaults();
    build(
        ReleaseHeading {
            version: "1.3.0".into(),
            tag: Some("v1.3.0".into()),
            previous_tag: Some("v1.2.3".into()),
            date: "2026-11-21".into(),
        },
        &crate::changes("feat(ui)!: dark mode @ada <b> (#4)\n\nBREAKING CHANGE: closes #1"),
        1,
        &config.packages[0],
        None,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// Whatever a commit says, its escaped text is one line that mentions nobody, holds no HTML,
    /// closes no issue and cannot start a workflow command.
    #[test]
    fn escaped_text_keeps_its_guarantees_for_any_input(text in hostile()) {
        let escaped = escape_inline(&text);
        prop_assert!(!escaped.contains(['\n', '\r']), "one line: {escaped:?}");
        prop_assert!(!is_workflow_command(&escaped), "a workflow command: {escaped:?}");
        let closing = closing_reference();
        for part in text_outside_code(&escaped) {
            prop_assert!(!part.contains('<'), "HTML in {escaped:?}");
            prop_assert!(!has_mention(&part), "a mention in {escaped:?} ({part:?})");
            prop_assert!(!closing.is_match(&part), "a closing keyword in {escaped:?} ({part:?})");
            // Only the escaper's own entities: `&#60;` written in a commit stays text.
            for (at, _) in part.match_indices('&') {
                let rest = &part[at..];
                let entity = regex_lite::Regex::new(r"^&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
                    .expect("valid regex");
                if let Some(m) = entity.find(rest) {
                    prop_assert!(["&lt;", "&gt;", "&amp;"].contains(&m.as_str()), "{escaped:?}");
                }
            }
        }
        // Linking or qualifying issue references afterwards adds no mention, HTML or line.
        let linked = link_issue_refs(&escaped, |n| format!("https://x/issues/{n}"));
        let qualified = qualify_issue_refs(&escaped, "acme/widgets");
        for out in [linked, qualified] {
            prop_assert!(!out.contains(['\n', '\r']) && !is_workflow_command(&out));
            for part in text_outside_code(&out) {
                prop_assert!(!part.contains('<') && !has_mention(&part), "{out:?}");
                prop_assert!(!closing.is_match(&part), "{out:?}");
            }
        }
    }

    /// A name shown in a code span stays inside it, whatever backticks it holds.
    #[test]
    fn a_code_span_holds_any_name(text in hostile()) {
        let span = code_span(&text);
        // An empty name is an empty pair of backticks, which GitHub shows as they are.
        prop_assume!(!text.trim().is_empty());
        prop_assert!(!span.contains(['\n', '\r']));
        let parts = text_outside_code(&span);
        prop_assert!(parts.iter().all(String::is_empty), "{span:?} leaks {parts:?}");
    }
}

/// Template source built from minijinja's syntax and the names a template sees.
fn template_source() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{{ ".to_string()),
            Just(" }}".to_string()),
            Just("{% ".to_string()),
            Just(" %}".to_string()),
            Just("{# ".to_string()),
            Just(" #}".to_string()),
            Just("for s in sections".to_string()),
            Just("for e in s.entries".to_string()),
            Just("endfor".to_string()),
            Just("if breaking".to_string()),
            Just("else".to_string()),
            Just("endif".to_string()),
            Just("version".to_string()),
            Just("e.description".to_string()),
            Just("s.title".to_string()),
            Just("loop.index".to_string()),
            Just("range(100000)".to_string()),
            Just("| upper".to_string()),
            Just("| join(\",\")".to_string()),
            Just("| length".to_string()),
            Just(" ~ ".to_string()),
            Just(" * ".to_string()),
            Just(" / 0".to_string()),
            Just("set x = ".to_string()),
            Just("macro m()".to_string()),
            Just("m()".to_string()),
            Just("endmacro".to_string()),
            Just("\"".to_string()),
            Just("(".to_string()),
            Just(")".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just("\n".to_string()),
            "[a-z0-9 .]{1,5}",
            "\\PC{1,2}",
        ],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// A user's template renders or fails with one line naming the template; it never panics.
    #[test]
    fn any_template_renders_or_says_why_in_one_line(source in template_source()) {
        let notes = notes();
        if let Err(e) = tidegate_core::template::render("notes.j2", &source, &notes) {
            let message = e.to_string();
            prop_assert!(message.starts_with("template notes.j2"), "{message}");
            prop_assert!(!message.contains('\n'), "one line: {message:?}");
        }
    }
}

/// TOML shaped like tidegate.toml, with the keys it knows and arbitrary values.
fn toml_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("release-type = ".to_string()),
            Just("tag-separator = ".to_string()),
            Just("include-v-in-tag = ".to_string()),
            Just("component = ".to_string()),
            Just("changelog-path = ".to_string()),
            Just("versioning = ".to_string()),
            Just("release-as = ".to_string()),
            Just("tag-pattern = ".to_string()),
            Just("extra-files = ".to_string()),
            Just("[packages.\"api\"]\n".to_string()),
            Just("[packages.\"../x\"]\n".to_string()),
            Just("[packages.\".\"]\n".to_string()),
            Just("[release-lines]\n".to_string()),
            Just("[river]\n".to_string()),
            Just("branches = ".to_string()),
            Just("environments = ".to_string()),
            Just("[river.downstream]\nrepo = ".to_string()),
            Just("[gates.x]\n".to_string()),
            Just("[[changelog-sections]]\n".to_string()),
            Just("type = ".to_string()),
            Just("\"node\"".to_string()),
            Just("\"1.2.3\"".to_string()),
            Just("\"(\"".to_string()),
            Just("[\"main\", \"stable\"]".to_string()),
            Just("true".to_string()),
            Just("12".to_string()),
            Just("{ a = 1 }".to_string()),
            Just("\n".to_string()),
            "\\PC{1,4}",
        ],
        0..20,
    )
    .prop_map(|parts| parts.concat())
}

/// JSON shaped like release-please-config.json.
fn json_text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just("{".to_string()),
            Just("}".to_string()),
            Just("[".to_string()),
            Just("]".to_string()),
            Just(",".to_string()),
            Just(":".to_string()),
            Just("\"packages\"".to_string()),
            Just("\"release-type\"".to_string()),
            Just("\"component\"".to_string()),
            Just("\"extra-files\"".to_string()),
            Just("\"changelog-sections\"".to_string()),
            Just("\"plugins\"".to_string()),
            Just("\"linked-versions\"".to_string()),
            Just("\"node-workspace\"".to_string()),
            Just("\".\"".to_string()),
            Just("\"a/b\"".to_string()),
            Just("\"1.2.3\"".to_string()),
            Just("null".to_string()),
            Just("true".to_string()),
            Just("7".to_string()),
            "\\PC{1,3}",
        ],
        0..30,
    )
    .prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Any tidegate.toml is read or refused with one line naming the file; never a panic.
    #[test]
    fn any_tidegate_toml_is_read_or_refused_in_one_line(text in prop_oneof![toml_text(), "\\PC{0,200}"]) {
        match Config::from_toml("tidegate.toml", &text) {
            Ok(config) => {
                let _ = config.check_tags();
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(message.starts_with("tidegate.toml"), "{message}");
                prop_assert!(!message.contains('\n'), "one line: {message:?}");
            }
        }
    }

    /// Any release-please configuration and manifest are read or refused in one line.
    #[test]
    fn any_release_please_config_is_read_or_refused_in_one_line(
        text in prop_oneof![json_text(), "\\PC{0,200}"],
        manifest in proptest::option::of(prop_oneof![json_text(), "\\PC{0,60}"]),
    ) {
        match Config::from_release_please("release-please-config.json", &text, manifest.as_deref()) {
            Ok(config) => {
                let _ = config.check_tags();
            }
            Err(e) => {
                let message = e.to_string();
                prop_assert!(!message.contains('\n'), "one line: {message:?}");
            }
        }
    }
}

fn any_version() -> impl Strategy<Value = Version> {
    (
        0u64..1000,
        0u64..1000,
        0u64..1000,
        proptest::option::of("(rc|beta)\\.?[1-9][0-9]{0,2}"),
    )
        .prop_map(|(major, minor, patch, pre)| {
            let mut v = Version::new(major, minor, patch);
            if let Some(pre) = pre {
                v.pre = semver::Prerelease::new(&pre).expect("a valid pre-release");
            }
            v
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// A tag a package writes reads back as its version, for every spelling of the format.
    #[test]
    fn a_written_tag_reads_back_as_its_version(
        component in proptest::option::of("[a-z][a-z0-9_.]{0,10}"),
        separator in prop_oneof![Just("-"), Just("/"), Just("@"), Just("_")],
        include_v in any::<bool>(),
        version in any_version(),
    ) {
        let format = TagFormat {
            component,
            separator: separator.to_string(),
            include_v,
            ..TagFormat::default()
        };
        let tag = format.tag_name(&version);
        prop_assert_eq!(format.parse(&tag), Some(version), "{}", tag);
    }

    /// Any tag name (a tag anyone pushed) is a release of the package or not; never a panic.
    #[test]
    fn any_tag_name_is_read_without_panic(
        tag in prop_oneof![
            "\\PC{0,30}",
            "(api|v|-|/|@|[0-9]|\\.|rc|\\+|é){0,20}",
        ],
        component in proptest::option::of("\\PC{0,6}"),
    ) {
        let format = TagFormat { component, ..TagFormat::default() };
        if let Some(version) = format.parse(&tag) {
            // What it reads is a version that tag could name.
            prop_assert!(tag.contains(&version.to_string()), "{tag} read as {version}");
        }
    }

    /// Any commit message classifies without panic, each entry one line; the conventional
    /// parser and the PR-number reading take any text.
    #[test]
    fn any_commit_message_classifies(
        message in prop_oneof![
            "\\PC{0,200}",
            "((feat|fix|chore|revert)(\\([a-z!]*\\))?!?: |BREAKING CHANGE: |Merge pull request #[0-9]{1,25} from |\\(#[0-9]{1,25}\\)|\n|\n\n|[a-z ]{1,8}|Release-As: |This reverts commit [0-9a-f]{7,40}){0,12}",
        ],
    ) {
        for change in crate::changes(&message) {
            prop_assert!(!change.description.contains('\n'), "{:?}", change.description);
        }
        let _ = tidegate_core::conventional::parse_commit_message(&message);
        let _ = tidegate_core::conventional::header_type(&message);
        let _ = tidegate_core::conventional::split_messages(&message);
        let _ = tidegate_core::commit::merged_pull_request(&message);
    }

    /// A candidate's label and number are read from any version without panic.
    #[test]
    fn any_pre_release_label_is_read_without_panic(label in "\\PC{0,8}", version in any_version()) {
        let _ = tidegate_core::release_line::check_label(&label);
        if let Some((number, spelling)) = tidegate_core::release_line::candidate_number(&version, &label) {
            let again = tidegate_core::release_line::candidate(&version, &label, number, spelling);
            prop_assert_eq!(again.pre, version.pre);
        }
    }
}
