"""Entry lines of `changelog --tag` against the CHANGELOG.md release-please wrote, byte for byte
(commit ids mapped back through the rebuilt repository's compat-shamap.json).

    bytes.py REBUILT_REPO CHANGELOG_BIN [SHOW]
"""
import json, re, subprocess, sys
repo, binary = sys.argv[1], sys.argv[2]
shamap = json.load(open(f"{repo}/.git/compat-shamap.json"))
new2old = {n: o for o, n in shamap.items()}
info = json.load(open(f"{repo}/.git/compat-info.json")) if __import__('os').path.exists(f"{repo}/.git/compat-info.json") else {}
rt = info.get("release_type")
def git(*a): return subprocess.run(["git","-C",repo,*a],capture_output=True,text=True).stdout
try: cfg = json.loads(git("show","HEAD:release-please-config.json") or "{}")
except: cfg = {}
pk = cfg.get("packages", {".": {}})
tags = set(git("tag").split())
same_lines = diff_lines = 0; examples = []
order_same = order_total = 0
for path in sorted(pk):
    text = git("show", "HEAD:" + ("CHANGELOG.md" if path == "." else f"{path}/CHANGELOG.md"))
    blocks = re.split(r"(?m)^##?#? (?=\[?v?\d)", text)[1:][:25]
    for b in blocks:
        m = re.search(r"/compare/[^)\s]*?\.\.\.([^)\s]+)\)", b.splitlines()[0])
        if not m or m.group(1) not in tags: continue
        cmd = [binary, "--repo", repo, "--tag", m.group(1)] + (["--release-type", rt] if rt and path == "." else []) + (["--package", path] if path != "." else [])
        ours = subprocess.run(cmd, capture_output=True, text=True).stdout
        def fix(s):
            s = re.sub(r"[0-9a-f]{40}", lambda m: new2old.get(m.group(0), m.group(0)), s)
            s = re.sub(r"\[([0-9a-f]{7})\]\(([^)]*/commit/)([0-9a-f]{40})\)", lambda m: f"[{m.group(3)[:7]}]({m.group(2)}{m.group(3)})", s)
            return s.replace("https://www.github.com", "https://github.com")
        ours = fix(ours)
        theirs = fix(b)
        tl = [l for l in theirs.splitlines() if l.startswith("* ")]
        ol = [l for l in ours.splitlines() if l.startswith("* ")]
        # restrict to lines whose commit ids are in both (set agreement is compare.py's job)
        tids = {tuple(re.findall(r"/commit/([0-9a-f]{7})", l)) for l in tl}
        ol2 = [l for l in ol if tuple(re.findall(r"/commit/([0-9a-f]{7})", l)) in tids]
        oids = {tuple(re.findall(r"/commit/([0-9a-f]{7})", l)) for l in ol}
        tl2 = [l for l in tl if tuple(re.findall(r"/commit/([0-9a-f]{7})", l)) in oids]
        for l in tl2:
            if l in ol2: same_lines += 1
            else:
                diff_lines += 1
                cand = [o for o in ol2 if re.findall(r"/commit/([0-9a-f]{7})", o) == re.findall(r"/commit/([0-9a-f]{7})", l)]
                examples.append((l, cand[0] if cand else None))
        order_total += 1; order_same += (tl2 == ol2)
print(f"{repo}: lines same {same_lines}, differ {diff_lines}; sections in the same order {order_same}/{order_total}")
for t, o in examples[:int(sys.argv[3]) if len(sys.argv) > 3 else 6]:
    print("  RP :", t[:220]); print("  OUR:", (o or '')[:220])
