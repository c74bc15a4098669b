#!/usr/bin/env python3
"""Make a synthetic release-please-style monorepo, fast and deterministically, for benchmarks.

    make-monorepo.py OUT_DIR [--packages 50] [--commits 20000] [--tags 600] [--seed 1]
                     [--release-please]

Writes a new git repository at OUT_DIR (absent or empty) through `git fast-import`, with branch
`main` checked out and a clean working tree. Half the packages are Rust crates
(`crates/pkg-NN`, odd NN, in a Cargo workspace with a Cargo.lock), the other half npm packages
(`packages/pkg-NN`, even NN, with package-lock.json). History is linear: one initial commit, then
conventional commits that each edit 1-3 source files of one package (sometimes two; about 5% edit
only README.md or docs/), and --tags release commits `chore(pkg-NN): release X.Y.Z` that set that
package's version files (and, for a crate, the workspace dependency table, its dependents'
requirements and Cargo.lock), prepend a CHANGELOG.md section, and carry the lightweight tag
`pkg-NN-vX.Y.Z` (release-please's default `component-vX.Y.Z`). Versions follow the conventional
rules over the commits that touched the package since its last release. The last ~10% of history
has no release, and every package has at least one feat/fix there.

Configuration: `tidegate.toml` with a `[packages."path"]` table per package; with
--release-please, `release-please-config.json` (no `component`: it is derived from the
Cargo.toml / package.json name) and `.release-please-manifest.json` (every path at 0.0.0 until
its first release; release commits update it, as release-please's do).

One fixed identity and a fixed clock (one commit every 10 minutes from 2020-09-13): the same
arguments give the same repository, byte for byte.
"""
import argparse
import json
import os
import random
import subprocess
import sys
import time

IDENT = b"Bench Bot <bench@example.com>"
T0 = 1_600_000_000
STEP = 600
REPO_URL = "https://github.com/bench/monorepo"
WINDOW = 24  # appended lines kept per source file, so blobs stay small

PKG_TYPES = [("feat", 26), ("fix", 34), ("perf", 3), ("refactor", 7), ("chore", 9),
             ("docs", 6), ("test", 8), ("build", 3), ("ci", 1), ("style", 1)]
ROOT_TYPES = [("docs", 60), ("chore", 30), ("ci", 10)]
WORDS = ("add handle support fix update remove rename improve cache retry parse render config "
         "token branch release version tag merge body limit page error check label review gate "
         "window vote commit path option flag output summary report timeout backoff").split()
SECTIONS = [("feat", "Features"), ("fix", "Bug Fixes"), ("perf", "Performance Improvements")]


def pick(rng, weighted):
    total = sum(w for _, w in weighted)
    r = rng.uniform(0, total)
    for item, w in weighted:
        r -= w
        if r <= 0:
            return item
    return weighted[-1][0]


def words(rng, lo, hi):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi)))


def semver(v):
    return "%d.%d.%d" % v


def bump(version, pending):
    """release-please's default rules (no pre-major options); patch when nothing user-facing."""
    major, minor, patch = version
    if any(e["breaking"] for e in pending):
        return (major + 1, 0, 0)
    if any(e["type"] == "feat" for e in pending):
        return (major, minor + 1, 0)
    return (major, minor, patch + 1)


class Package:
    def __init__(self, n, width):
        self.n = n
        self.name = "pkg-%0*d" % (width, n)
        self.rust = n % 2 == 1
        self.path = ("crates/" if self.rust else "packages/") + self.name
        self.version = (0, 1, 0) if self.rust else (1, 0, 0)
        self.released = None  # last tagged version
        self.last_release_at = 0
        self.pending = []  # changelog entries since the last release
        self.dep = None  # an earlier crate (Package) this crate depends on
        self.changelog = "# Changelog\n"
        if self.rust:
            self.sources = {"src/lib.rs": ["//! %s: synthetic benchmark crate." % self.name, "",
                                           "pub mod parse;", "pub mod render;", ""],
                            "src/parse.rs": ["//! Parsing.", ""],
                            "src/render.rs": ["//! Rendering.", ""]}
        else:
            self.sources = {"index.js": ["'use strict';", "",
                                         "exports.parse = require('./lib/parse');",
                                         "exports.render = require('./lib/render');", ""],
                            "lib/parse.js": ["'use strict';", ""],
                            "lib/render.js": ["'use strict';", ""]}
        self.heads = {f: len(lines) for f, lines in self.sources.items()}

    def edit(self, file, n):
        lines = self.sources[file]
        if self.rust:
            lines.append("pub const CHANGE_%d: u32 = %d;" % (n, n))
        else:
            lines.append("exports.change%d = %d;" % (n, n))
        head = self.heads[file]
        if len(lines) - head > WINDOW:
            del lines[head]
        return self.path + "/" + file, "\n".join(lines) + "\n"

    # --- version files -------------------------------------------------------------------
    def cargo_toml(self):
        out = ['[package]', 'name = "%s"' % self.name, 'version = "%s"' % semver(self.version),
               'edition = "2021"', 'description = "Synthetic benchmark crate %s"' % self.name,
               'license = "MIT"', '']
        if self.dep:
            out += ['[dependencies]',
                    '%s = { path = "../%s", version = "%s" }'
                    % (self.dep.name, self.dep.name, semver(self.dep.version)), '']
        return "\n".join(out)

    def package_json(self):
        return json.dumps({
            "name": "@bench/" + self.name,
            "version": semver(self.version),
            "description": "Synthetic benchmark package " + self.name,
            "main": "index.js",
            "license": "MIT",
            "scripts": {"test": "node --test"},
            "files": ["index.js", "lib/"],
        }, indent=2) + "\n"

    def package_lock(self):
        return json.dumps({
            "name": "@bench/" + self.name,
            "version": semver(self.version),
            "lockfileVersion": 3,
            "requires": True,
            "packages": {"": {"name": "@bench/" + self.name, "version": semver(self.version),
                              "license": "MIT"}},
        }, indent=2) + "\n"

    def tag(self, version=None):
        return "%s-v%s" % (self.name, semver(version or self.version))

    def changelog_section(self, when):
        v = semver(self.version)
        day = time.strftime("%Y-%m-%d", time.gmtime(when))
        if self.released:
            head = "## [%s](%s/compare/%s...%s) (%s)" % (v, REPO_URL, self.tag(self.released),
                                                       self.tag(), day)
        else:
            head = "## %s (%s)" % (v, day)
        parts = [head, ""]
        breaking = [e for e in self.pending if e["breaking"]]
        if breaking:
            parts += ["", "### ⚠ BREAKING CHANGES", ""]
            parts += ["* " + line(e, breaking=True) for e in breaking]
        for t, title in SECTIONS:
            entries = [e for e in self.pending if e["type"] == t]
            if entries:
                parts += ["", "### " + title, ""]
                parts += ["* " + line(e) for e in entries]
        if len(parts) == 2:
            parts += ["", "### Miscellaneous Chores", "", "* release " + v]
        return "\n".join(parts) + "\n"

    def prepend_changelog(self, when):
        title, rest = self.changelog.split("\n", 1)
        rest = rest.lstrip("\n")
        section = self.changelog_section(when)
        self.changelog = title + "\n\n" + section + ("\n" + rest if rest else "")


def user_facing(entry):
    return entry["type"] in ("feat", "fix", "perf") or entry["breaking"]


def line(e, breaking=False):
    text = e["note"] if breaking and e["note"] else e["desc"]
    scope = "**%s:** " % e["scope"] if e["scope"] else ""
    pr = " ([#%d](%s/issues/%d))" % (e["pr"], REPO_URL, e["pr"]) if e["pr"] else ""
    return scope + text + pr


def data(payload):
    b = payload.encode() if isinstance(payload, str) else payload
    return b"data %d\n" % len(b) + b + b"\n"


def modify(path, content):
    return b"M 644 inline " + path.encode() + b"\n" + data(content)


class Repo:
    def __init__(self, args):
        self.args = args
        width = max(2, len(str(args.packages)))
        self.packages = [Package(n, width) for n in range(1, args.packages + 1)]
        self.crates = [p for p in self.packages if p.rust]
        self.npm = [p for p in self.packages if not p.rust]
        self.rng = random.Random(args.seed)
        for i, c in enumerate(self.crates):
            if i > 0 and self.rng.random() < 0.34:
                c.dep = self.crates[self.rng.randrange(i)]
        self.dependents = {c.name: [d for d in self.crates if d.dep is c] for c in self.crates}
        self.readme = ["# Bench monorepo", "", "Synthetic history for benchmarks.", ""]
        self.docs = {"docs/guide.md": ["# Guide", ""],
                     "docs/architecture.md": ["# Architecture", ""]}
        self.manifest = {p.path: "0.0.0" for p in self.packages}
        self.pr = 100
        self.commits = 0
        self.tags = []  # (refname, mark)

    # --- root files ------------------------------------------------------------------------
    def root_cargo_toml(self):
        out = ['[workspace]', 'members = ["crates/*"]', 'resolver = "2"', '',
               '[workspace.dependencies]']
        out += ['%s = { path = "crates/%s", version = "%s" }' % (c.name, c.name, semver(c.version))
                for c in self.crates]
        return "\n".join(out) + "\n"

    def cargo_lock(self):
        out = ["# This file is automatically @generated by Cargo.",
               "# It is not intended for manual editing.", "version = 4"]
        for c in sorted(self.crates, key=lambda c: c.name):
            out += ["", "[[package]]", 'name = "%s"' % c.name, 'version = "%s"' % semver(c.version)]
            if c.dep:
                out += ["dependencies = [", ' "%s",' % c.dep.name, "]"]
        return "\n".join(out) + "\n"

    def tidegate_toml(self):
        out = []
        for p in self.packages:
            out += ['[packages."%s"]' % p.path,
                    'release-type = "%s"' % ("rust" if p.rust else "node"),
                    'component = "%s"' % p.name, '']
        return "\n".join(out)

    def release_please_config(self):
        return json.dumps({"packages": {p.path: {"release-type": "rust" if p.rust else "node"}
                                        for p in self.packages}}, indent=2) + "\n"

    def manifest_json(self):
        return json.dumps(self.manifest, indent=2) + "\n"

    # --- commits ---------------------------------------------------------------------------
    def commit(self, out, msg, files, tag=None):
        self.commits += 1
        when = T0 + self.commits * STEP
        stamp = IDENT + b" %d +0000\n" % when
        out.write(b"commit refs/heads/main\nmark :%d\nauthor " % self.commits + stamp
                  + b"committer " + stamp + data(msg))
        if self.commits > 1:
            out.write(b"from :%d\n" % (self.commits - 1))
        for path, content in files:
            out.write(modify(path, content))
        out.write(b"\n")
        if tag:
            self.tags.append(("refs/tags/" + tag, self.commits))

    def initial(self, out):
        files = [("README.md", "\n".join(self.readme) + "\n")]
        files += [(f, "\n".join(lines) + "\n") for f, lines in self.docs.items()]
        files += [("Cargo.toml", self.root_cargo_toml()), ("Cargo.lock", self.cargo_lock())]
        if self.args.release_please:
            files += [("release-please-config.json", self.release_please_config()),
                      (".release-please-manifest.json", self.manifest_json())]
        else:
            files.append(("tidegate.toml", self.tidegate_toml()))
        for p in self.packages:
            if p.rust:
                files.append((p.path + "/Cargo.toml", p.cargo_toml()))
            else:
                files += [(p.path + "/package.json", p.package_json()),
                          (p.path + "/package-lock.json", p.package_lock())]
            files.append((p.path + "/CHANGELOG.md", p.changelog))
            files += [(p.path + "/" + f, "\n".join(lines) + "\n") for f, lines in p.sources.items()]
        self.commit(out, "chore: initial commit\n", files)

    def message(self, kinds, scope):
        rng = self.rng
        t = pick(rng, kinds)
        bang = t in ("feat", "fix", "refactor") and rng.random() < 0.003
        desc = words(rng, 3, 8)
        head = "%s%s%s: %s" % (t, "(%s)" % scope if scope else "", "!" if bang else "", desc)
        pr = None
        if rng.random() < 0.6:
            self.pr += 1
            pr = self.pr
            head += " (#%d)" % pr
        parts = [head]
        if rng.random() < 0.3:
            parts.append("\n".join(words(rng, 5, 12) for _ in range(rng.randint(1, 3))))
        note = None
        if not bang and t in ("feat", "fix", "refactor", "perf") and rng.random() < 0.003:
            note = "the %s option is now %s" % (rng.choice(WORDS), rng.choice(WORDS))
            parts.append("BREAKING CHANGE: " + note)
        entry = {"type": t, "scope": scope, "desc": desc, "pr": pr, "breaking": bang or bool(note),
                 "note": note}
        return "\n\n".join(parts) + "\n", entry

    def change(self, out, forced=None):
        rng = self.rng
        n = self.commits + 1
        if forced is None and rng.random() < 0.05:
            msg, _ = self.message(ROOT_TYPES, None)
            targets = rng.sample(["README.md"] + sorted(self.docs), rng.randint(1, 2))
            files = []
            for f in targets:
                lines = self.readme if f == "README.md" else self.docs[f]
                lines.append("- change %d: %s" % (n, words(rng, 3, 8)))
                if len(lines) > WINDOW + 4:
                    del lines[4 if f == "README.md" else 2]
                files.append((f, "\n".join(lines) + "\n"))
            self.commit(out, msg, files)
            return
        if forced is not None:
            pkgs = [forced]
        elif rng.random() < 0.15:
            pkgs = rng.sample(self.packages, 2)
        else:
            pkgs = [rng.choice(self.packages)]
        nfiles = rng.randint(len(pkgs), 3)
        touched = []
        for i, p in enumerate(pkgs):
            k = 1 if i < len(pkgs) - 1 else nfiles - len(touched)
            touched += [(p, f) for f in rng.sample(sorted(p.sources), k)]
        scope = pkgs[0].name if rng.random() < 0.75 else None
        kinds = [("feat", 1), ("fix", 2)] if forced is not None else PKG_TYPES
        msg, entry = self.message(kinds, scope)
        for p in pkgs:
            p.pending.append(entry)
        self.commit(out, msg, [p.edit(f, n) for p, f in touched])

    def release(self, out):
        # The packages released longest ago, preferring those with user-facing pending changes.
        pool = [p for p in self.packages if any(user_facing(e) for e in p.pending)] or \
               [p for p in self.packages if p.pending] or self.packages
        pool.sort(key=lambda p: (p.last_release_at, p.n))
        p = self.rng.choice(pool[:3])
        p.version = bump(p.version, p.pending) if p.released else p.version
        when = T0 + (self.commits + 1) * STEP
        p.prepend_changelog(when)
        files = [(p.path + "/CHANGELOG.md", p.changelog)]
        if p.rust:
            files.append((p.path + "/Cargo.toml", p.cargo_toml()))
            files += [(d.path + "/Cargo.toml", d.cargo_toml()) for d in self.dependents[p.name]]
            files += [("Cargo.toml", self.root_cargo_toml()), ("Cargo.lock", self.cargo_lock())]
        else:
            files += [(p.path + "/package.json", p.package_json()),
                      (p.path + "/package-lock.json", p.package_lock())]
        if self.args.release_please:
            self.manifest[p.path] = semver(p.version)
            files.append((".release-please-manifest.json", self.manifest_json()))
        p.released = p.version
        p.pending = []
        p.last_release_at = self.commits + 1
        self.commit(out, "chore(%s): release %s\n" % (p.name, semver(p.version)), files,
                    tag=p.tag())


def git_dir(out):
    return subprocess.run(["git", "-C", out, "rev-parse", "--absolute-git-dir"], check=True,
                          capture_output=True, text=True).stdout.strip()


def write_tags(out, marks, tags):
    """The lightweight tags, straight into packed-refs (as a clone has them): fast-import or
    update-ref would write one loose ref file each, half a second per thousand tags."""
    with open(marks) as f:
        sha = dict(line.split() for line in f)
    os.remove(marks)
    if not tags:
        return
    lines = ["%s %s\n" % (sha[":%d" % mark], ref) for ref, mark in sorted(tags)]
    with open(os.path.join(git_dir(out), "packed-refs"), "w") as f:
        f.write("# pack-refs with: peeled fully-peeled sorted \n" + "".join(lines))
    names = subprocess.run(["git", "-C", out, "for-each-ref", "--format=%(refname)", "refs/tags"],
                           check=True, capture_output=True, text=True).stdout.split()
    if len(names) != len(tags):
        sys.exit("make-monorepo: wrote %d tags, git reads %d" % (len(tags), len(names)))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--packages", type=int, default=50)
    ap.add_argument("--commits", type=int, default=20000)
    ap.add_argument("--tags", type=int, default=600)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--release-please", action="store_true",
                    help="write release-please-config.json and its manifest, not tidegate.toml")
    a = ap.parse_args()
    if a.packages < 2:
        ap.error("--packages must be at least 2 (one crate and one npm package)")
    if a.commits < 2 or a.tags < 0:
        ap.error("--commits must be at least 2 and --tags not negative")
    # Releases go in the first 90% of history, at least two commits apart.
    cut = int(a.commits * 0.9)
    if a.tags and (cut - 1) / a.tags < 2:
        ap.error("--tags %d is too many for --commits %d: at most %d (releases fill the first "
                 "90%% of history, one change between two at least)"
                 % (a.tags, a.commits, (cut - 1) // 2))
    if os.path.exists(a.out) and (not os.path.isdir(a.out) or os.listdir(a.out)):
        sys.exit("make-monorepo: %s exists and is not an empty directory; give a new one" % a.out)

    start = time.monotonic()
    subprocess.run(["git", "init", "-q", "-b", "main", a.out], check=True)
    repo = Repo(a)
    releases = {1 + round(k * (cut - 1) / a.tags) for k in range(1, a.tags + 1)}
    tail = sorted(repo.packages, key=lambda p: p.n)  # one feat/fix each right after the cut
    # glibc's malloc otherwise gives memory back after every blob: ~200,000 brk calls, a second.
    env = dict(os.environ, GLIBC_TUNABLES="glibc.malloc.top_pad=67108864:"
               "glibc.malloc.trim_threshold=134217728")
    marks = os.path.join(git_dir(a.out), "bench-marks")
    proc = subprocess.Popen(["git", "-C", a.out, "fast-import", "--quiet", "--done",
                             "--export-marks=" + marks], stdin=subprocess.PIPE, env=env)
    out = proc.stdin
    try:
        repo.initial(out)
        while repo.commits < a.commits:
            n = repo.commits + 1
            if n in releases:
                repo.release(out)
            elif n > cut and tail:
                repo.change(out, forced=tail.pop(0))
            else:
                repo.change(out)
        out.write(b"done\n")
        out.close()
    except BrokenPipeError:
        pass
    if proc.wait() != 0:
        sys.exit("make-monorepo: git fast-import failed")
    write_tags(a.out, marks, repo.tags)
    subprocess.run(["git", "-C", a.out, "reset", "-q", "--hard", "main"], check=True)
    status = subprocess.run(["git", "-C", a.out, "status", "--porcelain"], check=True,
                            capture_output=True, text=True).stdout
    if status:
        sys.exit("make-monorepo: working tree not clean after checkout:\n" + status)
    idle = sum(1 for p in repo.packages if not any(user_facing(e) for e in p.pending))
    print("%s: %d packages (%d crates, %d npm), %d commits, %d tags, %s, %.2f s%s"
          % (a.out, len(repo.packages), len(repo.crates), len(repo.npm), repo.commits,
             len(repo.tags),
             "release-please-config.json" if a.release_please else "tidegate.toml",
             time.monotonic() - start,
             "" if not idle else
             " (%d package(s) with no feat/fix after their last release: too few commits)" % idle))


if __name__ == "__main__":
    main()
