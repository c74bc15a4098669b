//! Hostile or mistaken input to the pure logic: configurations and templates that must end with
//! one line saying what is wrong, in bounded time and memory.

use tidegate_core::changelog::{ReleaseHeading, ReleaseNotes, build};
use tidegate_core::config::Config;
use tidegate_core::template::render;

fn notes() -> ReleaseNotes {
    let config = Config::defaults();
    build(
        ReleaseHeading {
            version: "1.3.0".into(),
            tag: Some("v1.3.0".into()),
            previous_tag: Some("v1.2.3".into()),
            date: "2026-11-21".into(),
        },
        &crate::changes("feat(ui): dark mode"),
        1,
        &config.packages[0],
        None,
    )
}

fn config_error(text: &str) -> String {
    let message = Config::from_toml("tidegate.toml", text)
        .and_then(|c| c.check_tags().map(|()| c))
        .expect_err("refused")
        .to_string();
    assert!(!message.contains('\n'), "one line: {message}");
    message
}

#[test]
fn a_bare_word_value_is_asked_to_be_quoted() {
    let message = config_error("release-type = node\n");
    assert!(
        message.starts_with("tidegate.toml:1: ")
            && message.contains("`release-type`")
            && message.contains("quoted string")
            && message.contains("release-type = \"node\""),
        "{message}"
    );
    let message = config_error("[packages.\"api\"]\nversioning = always-bump-patch\n");
    assert!(
        message.starts_with("tidegate.toml:2: ")
            && message.contains("versioning = \"always-bump-patch\""),
        "{message}"
    );
}

#[test]
fn tag_separators_are_one_character_git_allows() {
    for bad in ["::", ":", "", " ", "--", "~", "a"] {
        let message = config_error(&format!("tag-separator = \"{bad}\"\n"));
        assert!(message.contains("`tag-separator` is"), "{bad}: {message}");
    }
    for good in ["-", "/", "@", "_"] {
        assert!(
            Config::from_toml("tidegate.toml", &format!("tag-separator = \"{good}\"\n")).is_ok(),
            "{good}"
        );
    }
}

#[test]
fn package_paths_stay_inside_the_repository() {
    for bad in ["../outside", "a/../../b", "/etc", "..", "a\\\\..\\\\b"] {
        let message = config_error(&format!("[packages.\"{bad}\"]\n"));
        assert!(
            message.contains("is not a folder inside the repository"),
            "{bad}: {message}"
        );
    }
    let json = r#"{"packages": {"../outside": {}}}"#;
    let message = Config::from_release_please("release-please-config.json", json, None)
        .expect_err("refused")
        .to_string();
    assert!(message.contains("`../outside`"), "{message}");
}

#[test]
fn the_same_folder_twice_is_named_as_such() {
    let message = config_error("[packages.\".\"]\n[packages.\"./\"]\n");
    assert!(
        message.contains("packages `.` and `./` are the same folder `.`"),
        "{message}"
    );
}

#[test]
fn sixteen_thousand_packages_load_in_linear_time() {
    // The quadratic check took 31 s on a release build for this; a linear one takes well under
    // one on a debug build. Asserted by count, not time: it must finish and find the clash at
    // the end.
    let mut text = String::new();
    for i in 0..16_000 {
        text.push_str(&format!("[packages.\"p{i}\"]\n"));
    }
    let mut config = Config::from_toml("tidegate.toml", &text).expect("valid");
    assert_eq!(config.packages.len(), 16_000);
    for package in &mut config.packages {
        package.name_component(None);
    }
    config.check_tags().expect("distinct tags");
    text.push_str("[packages.\"other/p15999\"]\n");
    let mut config = Config::from_toml("tidegate.toml", &text).expect("valid");
    for package in &mut config.packages {
        package.name_component(None);
    }
    let message = config.check_tags().expect_err("a clash").to_string();
    assert!(
        message.contains("would both be tagged like `p15999-v1.2.3`"),
        "{message}"
    );
}

#[test]
fn a_template_names_the_undefined_name() {
    let notes = notes();
    let error = render("notes.j2", "{{ verison }}", &notes).expect_err("undefined");
    let text = error.to_string();
    assert!(
        text.starts_with("template notes.j2:1: `verison` is not defined here")
            && text.contains("version"),
        "{text}"
    );
    let error = render(
        "notes.j2",
        "{% for s in sections %}\n{{ s.titel }}{% endfor %}",
        &notes,
    )
    .expect_err("undefined");
    let text = error.to_string();
    assert!(
        text.starts_with(
            "template notes.j2:2: `titel` is not defined here (the names here are entries, title)"
        ),
        "{text}"
    );
    // Defined values still work everywhere, as before.
    let out = render(
        "notes.j2",
        "{{ sections | length }} {% for s in sections %}{{ s.title }} {{ s.entries[0].scope }}{% endfor %} {{ breaking | length }}",
        &notes,
    )
    .expect("renders");
    assert_eq!(out, "1 Features ui 0");
}

#[test]
fn a_runaway_template_stops_with_a_message() {
    let notes = notes();
    let spin = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}";
    let text = render("spin.j2", spin, &notes)
        .expect_err("stopped")
        .to_string();
    assert!(text.contains("too much work"), "{text}");
    // Output that keeps growing stops at the limit, long before memory runs out.
    let flood = "{% for a in range(100000) %}{{ 'x' * 1000 }}{% endfor %}";
    let text = render("flood.j2", flood, &notes)
        .expect_err("stopped")
        .to_string();
    assert!(text.contains("wrote more than 16 MiB"), "{text}");
}

#[test]
fn an_undefined_field_after_a_builtin_is_not_blamed_on_the_builtin() {
    let error = render(
        "t.j2",
        "{% for x in range(3) %}{{ x.y.z }}{% endfor %}",
        &notes(),
    )
    .expect_err("undefined");
    let text = error.to_string();
    assert!(
        text.starts_with("template t.j2:1: a value used here is not defined")
            && !text.contains("range"),
        "{text}"
    );
}
