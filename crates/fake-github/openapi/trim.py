#!/usr/bin/env python3
"""Trim GitHub's REST OpenAPI description to the operations our actions use.

Input : the full description for api.github.com from github/rest-api-description
        (descriptions/api.github.com/api.github.com.json, or the .yaml, or a
        dated variant such as api.github.com.2022-11-28.json). The plain
        (non-dereferenced) file is the right input: it keeps `$ref`s, so the
        output stays small.
Output: a self-contained OpenAPI 3.0 JSON document holding only the
        operations listed in OPERATIONS below, plus every `components` entry
        they reach through `$ref`, transitively. Nothing else is changed:
        schemas, examples, x-github metadata and descriptions are copied
        verbatim, in the source's order.

Usage:
    python3 trim.py FULL_DESCRIPTION OUT.json [--source-commit SHA]
                    [--source-label TEXT] [--no-examples]

Exit status is non-zero if any operation in OPERATIONS is missing from the
input (so a description change that drops or renames one is noticed), or if
a `$ref` cannot be resolved. Operations that GitHub does not describe at all
(see NOT_IN_DESCRIPTION) are reported on stderr and recorded in the output's
info["x-subset"] block.

The input may also be the copy that the npm package @octokit/openapi ships
(generated/api.github.com.json): it is detected by its info.title and the
Octokit changes that touch our operations are reverted first (see
revert_octokit). Prefer the upstream file when you have it.

Standard library only (PyYAML is needed only for a .yaml input).
"""
import argparse
import json
import sys

# (method, path) exactly as the description spells them.
OPERATIONS = [
    # repository
    ("get", "/repos/{owner}/{repo}"),
    # pull requests
    ("get", "/repos/{owner}/{repo}/pulls"),
    ("post", "/repos/{owner}/{repo}/pulls"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("patch", "/repos/{owner}/{repo}/pulls/{pull_number}"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"),
    ("get", "/repos/{owner}/{repo}/pulls/{pull_number}/commits"),
    ("put", "/repos/{owner}/{repo}/pulls/{pull_number}/merge"),
    ("post", "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"),
    # issues, labels, comments
    ("get", "/repos/{owner}/{repo}/issues"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/labels"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    ("post", "/repos/{owner}/{repo}/issues/{issue_number}/comments"),
    # commits, compare, checks, statuses
    ("get", "/repos/{owner}/{repo}/compare/{basehead}"),
    ("get", "/repos/{owner}/{repo}/commits"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/check-runs"),
    ("get", "/repos/{owner}/{repo}/commits/{ref}/status"),
    ("post", "/repos/{owner}/{repo}/statuses/{sha}"),  # "statuses": commit statuses
    # git database
    ("post", "/repos/{owner}/{repo}/git/refs"),
    ("get", "/repos/{owner}/{repo}/git/ref/{ref}"),
    ("get", "/repos/{owner}/{repo}/git/matching-refs/{ref}"),  # documented "list refs"
    ("patch", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("delete", "/repos/{owner}/{repo}/git/refs/{ref}"),
    ("post", "/repos/{owner}/{repo}/git/commits"),
    ("post", "/repos/{owner}/{repo}/git/trees"),
    ("post", "/repos/{owner}/{repo}/git/blobs"),
    # contents
    ("get", "/repos/{owner}/{repo}/contents/{path}"),
    # releases and tags
    ("get", "/repos/{owner}/{repo}/releases"),
    ("post", "/repos/{owner}/{repo}/releases"),
    ("get", "/repos/{owner}/{repo}/releases/tags/{tag}"),
    ("patch", "/repos/{owner}/{repo}/releases/{release_id}"),
    ("post", "/repos/{owner}/{repo}/releases/{release_id}/assets"),  # uploads.github.com
    ("get", "/repos/{owner}/{repo}/releases/{release_id}/assets"),
    ("get", "/repos/{owner}/{repo}/releases/assets/{asset_id}"),
    ("delete", "/repos/{owner}/{repo}/releases/assets/{asset_id}"),
    ("get", "/repos/{owner}/{repo}/tags"),
    # branches
    ("get", "/repos/{owner}/{repo}/branches/{branch}"),
    ("get", "/repos/{owner}/{repo}/branches/{branch}/protection"),
    ("get", "/repos/{owner}/{repo}/rules/branches/{branch}"),  # rulesets, metadata:read
    ("post", "/repos/{owner}/{repo}/merges"),  # merge a branch (promote-branch --mode merge)
    # checks posted by gate-check
    ("post", "/repos/{owner}/{repo}/check-runs"),
    ("patch", "/repos/{owner}/{repo}/check-runs/{check_run_id}"),
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}/reactions"),  # votes by reaction
    ("post", "/repos/{owner}/{repo}/releases/generate-notes"),
    # people
    ("get", "/orgs/{org}/teams/{team_slug}/members"),
    ("get", "/repos/{owner}/{repo}/collaborators/{username}/permission"),
    # deployments, dispatch
    ("get", "/repos/{owner}/{repo}/deployments"),
    ("post", "/repos/{owner}/{repo}/deployments"),
    ("post", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"),
    ("post", "/repos/{owner}/{repo}/dispatches"),
    # bump pr / bump release (issue 14)
    ("delete", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"),
    ("get", "/repos/{owner}/{repo}/commits/{commit_sha}/pulls"),
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}"),
    ("post", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"),
    ("get", "/repos/{owner}/{repo}/git/commits/{commit_sha}"),
    ("get", "/repos/{owner}/{repo}/releases/{release_id}"),
    ("delete", "/repos/{owner}/{repo}/releases/{release_id}"),
    # backport, deploy, where (issues 17 and 19)
    ("get", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("patch", "/repos/{owner}/{repo}/issues/{issue_number}"),
    ("post", "/repos/{owner}/{repo}/issues"),
    ("patch", "/repos/{owner}/{repo}/issues/comments/{comment_id}"),
    ("post", "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"),
    ("get", "/repos/{owner}/{repo}/deployments/{deployment_id}"),
    ("get", "/repos/{owner}/{repo}/deployments/{deployment_id}/statuses"),
    ("get", "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"),
]

# Asked for, but GitHub's REST description has no such operation.
NOT_IN_DESCRIPTION = {
    ("get", "/repos/{owner}/{repo}/git/refs"):
        "undocumented list-all-refs; the documented operation is "
        "GET /repos/{owner}/{repo}/git/matching-refs/{ref} (included)",
    ("get", "/repos/{owner}/{repo}/git/refs/{ref}"):
        "undocumented; the documented single-ref read is "
        "GET /repos/{owner}/{repo}/git/ref/{ref} (singular 'ref', included)",
    ("post", "/graphql"):
        "GraphQL is not part of the REST description; see GitHub's GraphQL "
        "schema (schema.docs.graphql) instead",
}

HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}

# --------------------------------------------------------------------------
# Octokit input. The npm package @octokit/openapi ships GitHub's file
# re-serialised by Octokit's build (octokit/openapi scripts/build.mjs and
# scripts/overrides/index.mjs), which changes a few things. When the input is
# that copy (info.title mentions Octokit), revert_octokit() undoes every change
# that touches the operations in OPERATIONS:
#   - `x-octokit` on every operation                       -> removed
#   - `info` title/description/version/contact rewritten    -> restored
#   - compare operationId renamed                           -> restored
#   - extra paths added (compare/{base}...{head}, ...)      -> removed
#   - non-object alternatives dropped from top-level request-body oneOf
#     (POST .../issues/{issue_number}/labels)               -> restored
#   - POST .../pulls/{pull_number}/requested_reviewers replaced by a stale
#     2023 override                                         -> restored
# The restored pieces below were transcribed from the upstream file
# (github/rest-api-description, descriptions/api.github.com/api.github.com.json,
# main, 2026) and checked against it. Operations outside OPERATIONS that
# Octokit replaced are left as they are (they are trimmed away anyway).
# --------------------------------------------------------------------------

UPSTREAM_INFO = {
    "version": "1.1.4",
    "title": "GitHub v3 REST API",
    "description": "GitHub's v3 REST API.",
    "license": {"name": "MIT", "url": "https://spdx.org/licenses/MIT"},
    "termsOfService": "https://docs.github.com/articles/github-terms-of-service",
    "contact": {
        "name": "Support",
        "url": "https://support.github.com/contact?tags=dotcom-rest-api",
    },
    "x-github-plan": "api.github.com",
}

OCTOKIT_ADDED_PATHS = [
    "/repos/{owner}/{repo}/compare/{base}...{head}",
    "/orgs/{org}/organization-fine-grained-permissions",
]

# Upstream POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers
# (Octokit replaces it with a 2023 override lacking the anyOf and with old text).
UPSTREAM_REQUEST_REVIEWERS = {
    "summary": "Request reviewers for a pull request",
    "description": "Requests reviews for a pull request from a given set of users and/or teams.\nThis endpoint triggers [notifications](https://docs.github.com/github/managing-subscriptions-and-notifications-on-github/about-notifications). Creating content too quickly using this endpoint may result in secondary rate limiting. For more information, see \"[Rate limits for the API](https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits)\" and \"[Best practices for using the REST API](https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api).\"",
    "tags": ["pulls"],
    "operationId": "pulls/request-reviewers",
    "externalDocs": {
        "description": "API method documentation",
        "url": "https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-request",
    },
    "parameters": [
        {"$ref": "#/components/parameters/owner"},
        {"$ref": "#/components/parameters/repo"},
        {"$ref": "#/components/parameters/pull-number"},
    ],
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "reviewers": {
                            "type": "array",
                            "description": "An array of user `login`s that will be requested.",
                            "items": {"type": "string"},
                        },
                        "team_reviewers": {
                            "type": "array",
                            "description": "An array of team `slug`s that will be requested.",
                            "items": {"type": "string"},
                        },
                    },
                    "anyOf": [
                        {"required": ["reviewers"]},
                        {"required": ["team_reviewers"]},
                    ],
                },
                "examples": {
                    "default": {
                        "value": {
                            "reviewers": ["octocat", "hubot", "other_user"],
                            "team_reviewers": ["justice-league"],
                        }
                    }
                },
            }
        },
    },
    "responses": {
        "201": {
            "description": "Response",
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/pull-request-simple"},
                    "examples": {
                        "default": {
                            "$ref": "#/components/examples/pull-request-review-request"
                        }
                    },
                }
            },
        },
        "422": {"description": "Unprocessable Entity if user is not a collaborator"},
        "403": {"$ref": "#/components/responses/forbidden"},
    },
    "x-github": {
        "triggersNotification": True,
        "githubCloudOnly": False,
        "enabledForGitHubApps": True,
        "category": "pulls",
        "subcategory": "review-requests",
    },
}

# The two non-object alternatives Octokit strips from POST .../labels.
# Upstream order: [object {labels: [...]}, array of strings, array of objects].
LABEL_OBJECT_ITEM = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "rationale": {
            "type": "string",
            "description": "Optional reasoning for adding this label.",
        },
        "suggest": {
            "type": "boolean",
            "description": "If `true`, the label is stored as a pending suggestion for human review rather than applied directly.",
        },
        "confidence": {
            "type": "string",
            "description": "The confidence level for this label choice.",
            "enum": ["low", "medium", "high"],
        },
    },
    "required": ["name"],
}
ADD_LABELS_EXTRA_ONEOF = [
    {"type": "array", "items": {"type": "string"}},
    {"type": "array", "items": LABEL_OBJECT_ITEM},
]


def strip_key(node, key):
    if isinstance(node, dict):
        node.pop(key, None)
        for v in node.values():
            strip_key(v, key)
    elif isinstance(node, list):
        for v in node:
            strip_key(v, key)


def revert_octokit(doc):
    doc["info"] = dict(UPSTREAM_INFO)
    strip_key(doc["paths"], "x-octokit")
    for p in OCTOKIT_ADDED_PATHS:
        doc["paths"].pop(p, None)

    cmp_op = doc["paths"]["/repos/{owner}/{repo}/compare/{basehead}"]["get"]
    if cmp_op.get("operationId") == "repos/compare-commits-with-basehead":
        cmp_op["operationId"] = "repos/compare-commits"

    rr = doc["paths"]["/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"]
    rr["post"] = json.loads(json.dumps(UPSTREAM_REQUEST_REVIEWERS))

    add = doc["paths"]["/repos/{owner}/{repo}/issues/{issue_number}/labels"]["post"]
    one_of = add["requestBody"]["content"]["application/json"]["schema"]["oneOf"]
    if len(one_of) == 1 and one_of[0].get("type") == "object":
        one_of.extend(json.loads(json.dumps(ADD_LABELS_EXTRA_ONEOF)))
    return doc




def load(path):
    with open(path, encoding="utf-8") as f:
        if path.endswith((".yaml", ".yml")):
            import yaml  # only needed for YAML input

            return yaml.safe_load(f)
        return json.load(f)


def pointer_get(doc, ref):
    if not ref.startswith("#/"):
        raise ValueError(f"non-local $ref not supported: {ref}")
    node = doc
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        node = node[part]
    return node


def refs_in(node):
    """Yield every local `$ref` string under node."""
    stack = [node]
    while stack:
        cur = stack.pop()
        if isinstance(cur, dict):
            ref = cur.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                yield ref
            stack.extend(cur.values())
        elif isinstance(cur, list):
            stack.extend(cur)


def trim(doc, drop_examples=False):
    paths = doc.get("paths", {})
    missing = [(m, p) for m, p in OPERATIONS if m not in paths.get(p, {})]
    if missing:
        raise KeyError("operations missing from the input: " +
                       ", ".join(f"{m.upper()} {p}" for m, p in missing))

    wanted = {}
    for m, p in OPERATIONS:
        wanted.setdefault(p, set()).add(m)

    new_paths = {}
    for p, item in paths.items():  # keep the source's path order
        if p not in wanted:
            continue
        new_item = {}
        for k, v in item.items():
            if k in HTTP_METHODS and k not in wanted[p]:
                continue
            new_item[k] = v
        new_paths[p] = new_item

    if drop_examples:
        for item in new_paths.values():
            for k, op in item.items():
                if k in HTTP_METHODS:
                    _drop_examples(op)

    # transitive closure of $refs
    seen = set()
    todo = list(refs_in(new_paths))
    while todo:
        ref = todo.pop()
        if ref in seen:
            continue
        seen.add(ref)
        target = pointer_get(doc, ref)
        if drop_examples and ref.startswith("#/components/examples/"):
            continue
        todo.extend(refs_in(target))

    comps = doc.get("components", {})
    new_comps = {}
    for section, entries in comps.items():  # keep the source's order
        kept = {name: body for name, body in entries.items()
                if f"#/components/{section}/{_escape(name)}" in seen}
        if kept:
            new_comps[section] = kept

    unresolved = [r for r in seen if not _resolvable(new_comps, r)]
    if unresolved:
        raise KeyError("refs outside components: " + ", ".join(sorted(unresolved)))

    used_tags = {t for item in new_paths.values() for k, op in item.items()
                 if k in HTTP_METHODS for t in op.get("tags", [])}

    out = {}
    for key in ("openapi", "info", "tags", "servers", "externalDocs"):
        if key not in doc:
            continue
        if key == "tags":
            out[key] = [t for t in doc["tags"] if t.get("name") in used_tags]
        else:
            out[key] = json.loads(json.dumps(doc[key]))
    out["paths"] = new_paths
    out["components"] = new_comps
    return out


def _drop_examples(node):
    if isinstance(node, dict):
        node.pop("examples", None)
        node.pop("example", None)
        for v in node.values():
            _drop_examples(v)
    elif isinstance(node, list):
        for v in node:
            _drop_examples(v)


def _escape(name):
    return name.replace("~", "~0").replace("/", "~1")


def _resolvable(comps, ref):
    try:
        pointer_get({"components": comps}, ref)
        return True
    except (KeyError, TypeError):
        return False


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("source", help="full api.github.com description (.json or .yaml)")
    ap.add_argument("output", help="where to write the trimmed JSON")
    ap.add_argument("--source-commit", default=None,
                    help="github/rest-api-description commit the input came from")
    ap.add_argument("--source-label", default=None,
                    help="free text saying where the input came from")
    ap.add_argument("--no-examples", action="store_true",
                    help="drop examples (smaller output, less useful for fakes)")
    args = ap.parse_args()

    doc = load(args.source)
    input_kind = "github/rest-api-description"
    if "Octokit" in doc.get("info", {}).get("title", ""):
        input_kind = "@octokit/openapi (Octokit changes reverted for these operations)"
        print("trim.py: input is the @octokit/openapi copy; reverting Octokit's changes",
              file=sys.stderr)
        try:
            revert_octokit(doc)
        except (KeyError, IndexError) as e:
            sys.exit(f"trim.py: cannot revert the Octokit copy: {e!r}")
    try:
        out = trim(doc, drop_examples=args.no_examples)
    except (KeyError, ValueError) as e:
        sys.exit(f"trim.py: {e}")

    leftover = json.dumps(out).count('"x-octokit"')
    if leftover:
        sys.exit(f"trim.py: {leftover} x-octokit keys left in the output")

    out["info"]["x-subset"] = {
        "description": "Subset of GitHub's REST API description trimmed by trim.py; "
                       "operations and components are copied verbatim.",
        "source": "github/rest-api-description descriptions/api.github.com/",
        "input_kind": input_kind,
        "source_commit": args.source_commit,
        "source_label": args.source_label,
        "operations": [f"{m.upper()} {p}" for m, p in OPERATIONS],
        "not_in_description": {f"{m.upper()} {p}": why
                               for (m, p), why in NOT_IN_DESCRIPTION.items()},
    }
    for (m, p), why in NOT_IN_DESCRIPTION.items():
        print(f"trim.py: note: {m.upper()} {p} is not in the description: {why}",
              file=sys.stderr)

    with open(args.output, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=2, ensure_ascii=False)
        f.write("\n")

    n_ops = sum(1 for item in out["paths"].values() for k in item if k in HTTP_METHODS)
    n_comp = {k: len(v) for k, v in out["components"].items()}
    print(f"trim.py: wrote {args.output}: {n_ops} operations, {len(out['paths'])} paths, "
          f"components {n_comp}", file=sys.stderr)


if __name__ == "__main__":
    main()
