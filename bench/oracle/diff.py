"""Compares Tidegate's reading of every commit message of a repository with release-please's.

    diff.py REPO PARSE_MESSAGES_BIN [SHOW]   (RP_MODULES: a node_modules holding release-please)
"""
import json, os, subprocess, sys
repo = sys.argv[1]
ours_bin = sys.argv[2]
log = subprocess.run(['git','-C',repo,'log','--all','--format=%H%x00%B%x01'],capture_output=True).stdout
ours = {}
for line in subprocess.run([ours_bin], input=log, capture_output=True).stdout.decode().split('\n'):
    if not line: continue
    d = json.loads(line); ours[d['sha']] = d['changes']
theirs = {}
for line in subprocess.run(['node', os.path.join(os.path.dirname(__file__), 'parse-stdin.js')], input=log, capture_output=True).stdout.decode().split('\n'):
    if not line:
        continue
    d = json.loads(line); theirs[d['sha']] = d['changes']
diff = 0
for sha, t in theirs.items():
    o = ours.get(sha)
    if o != t:
        diff += 1
        if diff <= int(sys.argv[3] if len(sys.argv) > 3 else 5):
            msg = subprocess.run(['git','-C',repo,'log','-1','--format=%B',sha],capture_output=True,text=True).stdout
            print('=' * 60, sha[:8]); print(msg[:1500]); print('THEIRS', json.dumps(t, indent=None)[:1500]); print('OURS  ', json.dumps(o, indent=None)[:1500])
print(f"{repo}: {len(theirs)} commits, {diff} differ")
