"""Generated messages (bullets, trailers, nested blocks, markers, odd whitespace) read by both
Tidegate and release-please; prints how many differ.

    fuzz.py COUNT SEED PARSE_MESSAGES_BIN   (RP_MODULES: a node_modules holding release-please)
"""
import json, os, random, subprocess, sys
random.seed(int(sys.argv[2]) if len(sys.argv) > 2 else 1)
pool = ["feat: add x", "fix(api): y (#12)", "feat!: drop z", "feat(deps)!: update octokit to v20", "* feat: bullet", "- fix: dash bullet",
 "  feat: indented", "chore: fix lint", "Signed-off-by: A <a@b.c>", "Co-authored-by: B <b@c.d>", "BREAKING CHANGE: the api moved", "BREAKING-CHANGE: hyphen",
 "BREAKING CHANGE the api", "  BREAKING-CHANGE: nested", "Closes #12", "Fixes: #7", "Refs #3, #4", "Release-As: 2.0.0", "release-as: v3.1.0",
 "Note: this is prose", "some prose line", "call foo(bar", "fix(unclosed: x", "see func(x) here", "BEGIN_NESTED_COMMIT", "END_NESTED_COMMIT",
 "deps!: upgrade to v16", "refactor!: rewrite in TypeScript", "  continuation line", "", "", "", "#### Details", "* item one", "- item two",
 "Revert \"feat: x\"", "This reverts commit abcdef1234567.", "feat(): empty scope", "feat #12 thing", "http://example.com/x", "docs(readme): words",
 "fix:nospace", "feat:\u00a0nbsp", "fix: cr\ronly", "BREAKING CHANGE: first\nsecond line\n\nthird para", "Refs: #99\n  #100", "x-y(z): w", "feat(a\nb): split", "BREAKING CHANGES: plural", "\u00a0indented nbsp", "Release-As: notaversion", "feat!:", "fix(x)!: bang scope", "see BREAKING-CHANGE:   inline", "BREAKING-CHANGE:\n\nafter blank", "feat(a)BREAKING CHANGE: lit", "fix(b)BREAKING-CHANGE: foot", "x\u2028y", "\u0085feat: nel", "fix(a\u2028b): ls", "Closes #0012", "PiperOrigin-RevId: 12345", "\tfeat: tabbed", "feat(a)(b): double", "BREAKING CHANGE:", "!: bang footer", "feat: x\r", "Merge pull request #5 from a/b"]
recs = []
for i in range(int(sys.argv[1])):
    n = random.randint(1, 12)
    lines = [random.choice(pool[:8] + ["Update README", "Big PR (#9)"])] + [random.choice(pool) for _ in range(n)]
    recs.append(f"m{i}\0" + "\n".join(lines) + "\n\x01")
data = "".join(recs).encode()
ours = subprocess.run([sys.argv[3]], input=data, capture_output=True).stdout.decode().split('\n')
theirs = subprocess.run(['node', os.path.join(os.path.dirname(__file__), 'parse-stdin.js')], input=data, capture_output=True).stdout.decode().split('\n')
o = {json.loads(l)['sha']: json.loads(l)['changes'] for l in ours if l}
t = {json.loads(l)['sha']: json.loads(l)['changes'] for l in theirs if l}
bad = [k for k in t if o.get(k) != t[k]]
print(len(t), "messages,", len(bad), "differ")
for k in bad[:3]:
    i = int(k[1:]); print("=" * 40); print(repr(recs[i])); print("THEIRS", t[k]); print("OURS  ", o.get(k))
