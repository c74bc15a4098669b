//! The schema checking itself: OpenAPI → JSON Schema conversion, and that validation catches what
//! it must (so the route tests' passing means something).

use fake_github::contract::{match_operation, to_json_schema};
use fake_github::{validate_response, validate_response_for_path};
use serde_json::{Value, json};

use crate::support::Fx;

const GET_PULL: &str = "/repos/{owner}/{repo}/pulls/{pull_number}";

#[test]
fn nullable_becomes_a_null_alternative() {
    assert_eq!(
        to_json_schema(&json!({ "type": "string", "nullable": true, "example": "x" })),
        json!({ "type": ["string", "null"] })
    );
    assert_eq!(
        to_json_schema(&json!({ "type": "string", "enum": ["a", "b"], "nullable": true })),
        json!({ "type": ["string", "null"], "enum": ["a", "b", null] })
    );
    assert_eq!(
        to_json_schema(
            &json!({ "allOf": [{ "$ref": "#/components/schemas/x" }], "nullable": true })
        ),
        json!({ "anyOf": [{ "allOf": [{ "$ref": "#/components/schemas/x" }] }, { "type": "null" }] })
    );
    // Nested schemas are converted too; property names are not keywords.
    assert_eq!(
        to_json_schema(&json!({
            "type": "object",
            "properties": { "nullable": { "type": "integer", "nullable": true } },
            "items": { "type": "boolean", "nullable": true },
        })),
        json!({
            "type": "object",
            "properties": { "nullable": { "type": ["integer", "null"] } },
            "items": { "type": ["boolean", "null"] },
        })
    );
    // A documented default of "" is a value GitHub sends, whatever the format.
    assert_eq!(
        to_json_schema(&json!({ "type": "string", "format": "uri", "default": "" })),
        json!({ "anyOf": [{ "type": "string", "format": "uri", "default": "" }, { "enum": [""] }] })
    );
    // Not nullable: untouched apart from annotations.
    assert_eq!(
        to_json_schema(&json!({ "type": "integer", "nullable": false, "x-github": {} })),
        json!({ "type": "integer" })
    );
}

/// A real pull request, as the fake serves it.
fn served_pull() -> Value {
    let fx = Fx::new();
    let number = fx.open_promotion();
    fx.c.get(&fx.p(&format!("/pulls/{number}"))).json()
}

#[test]
fn validation_catches_missing_wrong_and_deeply_nested_fields() {
    let pull = served_pull();
    assert_eq!(validate_response("GET", GET_PULL, 200, &pull), Ok(()));

    let mut missing = pull.clone();
    missing.as_object_mut().map(|o| o.remove("head"));
    let err = validate_response("GET", GET_PULL, 200, &missing).expect_err("head is required");
    assert!(err.contains("head"), "{err}");

    let mut bad_enum = pull.clone();
    bad_enum["state"] = json!("merged");
    assert!(validate_response("GET", GET_PULL, 200, &bad_enum).is_err());

    // Through `$ref`s: pull-request → repository → simple-user.
    let mut deep = pull.clone();
    deep["head"]["repo"]["owner"]["id"] = json!("not a number");
    let err = validate_response("GET", GET_PULL, 200, &deep).expect_err("owner.id is an integer");
    assert!(err.contains("/head/repo/owner/id"), "{err}");

    // Formats are checked: date-time.
    let mut date = pull.clone();
    date["created_at"] = json!("yesterday");
    assert!(validate_response("GET", GET_PULL, 200, &date).is_err());

    // Nullable fields take null, and only null besides their type.
    let mut nulls = pull.clone();
    nulls["body"] = Value::Null;
    nulls["mergeable"] = Value::Null;
    assert_eq!(validate_response("GET", GET_PULL, 200, &nulls), Ok(()));
    nulls["body"] = json!(5);
    assert!(validate_response("GET", GET_PULL, 200, &nulls).is_err());
}

#[test]
fn statuses_and_operations_must_be_documented() {
    let err = validate_response("GET", GET_PULL, 201, &json!({})).expect_err("201 undocumented");
    assert!(err.contains("201"), "{err}");
    // Undocumented error statuses must still be GitHub's basic-error.
    assert_eq!(
        validate_response(
            "GET",
            GET_PULL,
            401,
            &json!({ "message": "Bad credentials" })
        ),
        Ok(())
    );
    assert!(validate_response("GET", GET_PULL, 401, &json!({ "message": ["x"] })).is_err());
    assert!(validate_response("GET", "/repos/{owner}/{repo}/nope", 200, &json!({})).is_err());
    // Error bodies are checked too: basic-error's message is a string.
    assert_eq!(
        validate_response("GET", GET_PULL, 404, &json!({ "message": "Not Found" })),
        Ok(())
    );
    assert!(validate_response("GET", GET_PULL, 404, &json!({ "message": 404 })).is_err());
    // A documented status without a body schema (204) accepts the empty body.
    assert_eq!(
        validate_response(
            "DELETE",
            "/repos/{owner}/{repo}/git/refs/{ref}",
            204,
            &Value::Null
        ),
        Ok(())
    );
    // A concrete path, with the /api/v3 prefix, finds its template.
    assert_eq!(
        validate_response_for_path("GET", "/api/v3/repos/a/b/pulls/7", 404, &json!({})),
        Ok(())
    );
}

#[test]
fn paths_match_the_most_specific_template() {
    let key = |m: &str, p: &str| match_operation(m, p).map(|x| x.op.key());
    assert_eq!(
        key("GET", "/repos/a/b/commits/main/status").as_deref(),
        Some("GET /repos/{owner}/{repo}/commits/{ref}/status")
    );
    assert_eq!(
        key("GET", "/repos/a/b/commits/feature/x").as_deref(),
        Some("GET /repos/{owner}/{repo}/commits/{ref}")
    );
    let m = match_operation("GET", "/api/v3/repos/a/b/git/ref/heads/feature/x").expect("a match");
    assert_eq!(m.param("ref"), "heads/feature/x");
    let m = match_operation("GET", "/repos/a/b/compare/main...feature%2Fy").expect("a match");
    assert_eq!(m.param("basehead"), "main...feature/y");
    assert_eq!(
        key("GET", "/repos/a/b/releases/tags/v1.0.0").as_deref(),
        Some("GET /repos/{owner}/{repo}/releases/tags/{tag}")
    );
    assert!(match_operation("GET", "/repos/a/b/git/refs").is_none());
    assert!(match_operation("DELETE", "/repos/a/b/pulls/1").is_none());
}
