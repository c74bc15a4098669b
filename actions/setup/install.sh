#!/usr/bin/env bash
# Installs one Tidegate binary for this runner and writes its path to $GITHUB_OUTPUT (`path`).
#
#   install.sh plan BINARY      decide how, and write method/version/cache-path/cache-key outputs
#   install.sh install BINARY   install (download or build) unless already there; write `path`
#
# How the binary is installed depends on the ref the action was used at, read from
# GITHUB_ACTION_PATH (…/_actions/OWNER/REPO/REF/actions/NAME):
#   release   REF is a release tag (v1.2.3; or v1 / v1.2, whose release is the version in the
#             action's Cargo.toml), or the commit such a release was built from: the prebuilt
#             archive for this OS and architecture is downloaded from the release, checked
#             against the release's SHA256SUMS, and kept in the runner's tool cache.
#   source    any other ref (a branch, a fork, a local `./actions/NAME`): `cargo install --locked`
#             from the action's own source, into a folder keyed by a hash of that source (the
#             action caches it with actions/cache).
#   local     TIDEGATE_BIN_DIR is set: the binaries in that folder are used as they are.
#
# Other variables: TIDEGATE_DOWNLOAD_URL replaces https://github.com/OWNER/REPO/releases/download
# (a mirror; plain http only to localhost); TIDEGATE_REPOSITORY replaces OWNER/REPO.
set -euo pipefail

fail() {
  echo "::error::tidegate install: $*" >&2
  exit 1
}

[[ $# -eq 2 && ($1 == plan || $1 == install) ]] || fail "usage: install.sh plan|install BINARY"
command=$1
binary=$2
case $binary in
  promote-branch | changelog | bump | gate-check | backport | deploy | where) ;;
  *) fail "unknown binary '$binary'; expected promote-branch, changelog, bump, gate-check, backport, deploy or where" ;;
esac

source_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

output() {
  if [[ -n ${GITHUB_OUTPUT:-} ]]; then
    printf '%s=%s\n' "$1" "$2" >>"$GITHUB_OUTPUT"
  fi
}

# A path as the runner's own tools read it (C:\… on Windows).
native_path() {
  if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s' "$1"; fi
}

target_triple() {
  case "${RUNNER_OS:-}/${RUNNER_ARCH:-}" in
    Linux/X64) echo x86_64-unknown-linux-musl ;;
    Linux/ARM64) echo aarch64-unknown-linux-musl ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) return 1 ;;
  esac
}

exe_suffix() {
  if [[ ${RUNNER_OS:-} == Windows ]]; then echo .exe; fi
}

# The workspace version from the action's own Cargo.toml ([workspace.package] version).
workspace_version() {
  awk '
    /^\[/ { section = $0 }
    section == "[workspace.package]" && $1 == "version" {
      gsub(/^[^"]*"|".*$/, ""); print; exit
    }' "$source_root/Cargo.toml"
}

# The SHA-256 of standard input, in hex (sha256sum on Linux and Windows, shasum on macOS).
sha256() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 | cut -d' ' -f1
  else
    fail "neither sha256sum nor shasum is installed; nothing can be verified"
  fi
}

# What the binaries are built from: every file cargo reads, in a stable order.
source_hash() {
  (cd "$source_root" && find Cargo.toml Cargo.lock crates -type f ! -path '*/tests/*' -print |
    LC_ALL=C sort | while IFS= read -r file; do printf '%s\n' "$file"; cat "$file"; done |
    sha256 | cut -c1-16)
}

# OWNER/REPO and REF from …/_actions/OWNER/REPO/REF/actions/NAME (REF may hold slashes).
repository=${TIDEGATE_REPOSITORY:-}
ref=
if [[ $source_root == */_actions/* ]]; then
  rest=${source_root##*/_actions/}
  owner=${rest%%/*}
  rest=${rest#*/}
  repo=${rest%%/*}
  [[ $rest == */* ]] && ref=${rest#*/}
  repository=${repository:-$owner/$repo}
fi

download_base() {
  local base=${TIDEGATE_DOWNLOAD_URL:-https://github.com/$repository/releases/download}
  case $base in
    https://*) ;;
    http://127.0.0.1[:/]* | http://localhost[:/]*) ;;
    *) fail "TIDEGATE_DOWNLOAD_URL must be an https:// URL (plain http only to localhost): $base" ;;
  esac
  printf '%s' "${base%/}"
}

fetch() { # URL FILE (- for standard output)
  local protocols='=https'
  [[ $1 == http://* ]] && protocols='=http'
  curl --fail --silent --show-error --location --proto "$protocols" --proto-redir "$protocols" \
    --retry 5 --connect-timeout 20 --max-time 300 --output "$2" "$1"
}

# The release whose binaries match this action's source, or nothing.
release_tag() {
  local version
  version=$(workspace_version)
  if [[ $ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
    echo "$ref"
  elif [[ $ref =~ ^v[0-9]+(\.[0-9]+)?$ ]]; then
    echo "v$version"
  elif [[ $ref =~ ^[0-9a-f]{40}$ && -n $repository ]]; then
    # A commit pin: the release of the workspace version, if it was built from this commit.
    local built_from
    built_from=$(fetch "$(download_base)/v$version/source-commit.txt" - 2>/dev/null || true)
    if [[ ${built_from//[[:space:]]/} == "$ref" ]]; then echo "v$version"; fi
  fi
}

cache_root=${RUNNER_TOOL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}}/tidegate
arch=$(printf '%s' "${RUNNER_ARCH:-$(uname -m)}" | tr '[:upper:]' '[:lower:]')
exe=$binary$(exe_suffix)

method=source
tag=
if [[ -n ${TIDEGATE_BIN_DIR:-} ]]; then
  method=local
elif [[ $command == install && -n ${TIDEGATE_PLANNED_METHOD:-} ]]; then
  # The plan step's answer, so the cache step and the install agree.
  method=$TIDEGATE_PLANNED_METHOD
  tag=${TIDEGATE_PLANNED_TAG:-}
  if [[ $method == release ]]; then target=$(target_triple); fi
else
  tag=$(release_tag)
  if [[ -n $tag ]]; then
    if target=$(target_triple); then
      method=release
    else
      echo "::warning::Tidegate has no prebuilt binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; building $binary from source"
    fi
  fi
fi

case $method in
  local | release | source) ;;
  *) fail "unknown install method '$method'; expected release or source" ;;
esac

case $method in
  local)
    install_dir=$TIDEGATE_BIN_DIR
    binary_path=$install_dir/$exe
    cache_key=
    version=local
    ;;
  release)
    version=${tag#v}
    install_dir=$cache_root/$version/$arch
    binary_path=$install_dir/$exe
    cache_key=
    ;;
  source)
    version=source-$(source_hash)
    install_dir=$cache_root/$version/$arch/$binary
    binary_path=$install_dir/bin/$exe
    cache_key=tidegate-${RUNNER_OS:-local}-$arch-$binary-${version#source-}
    ;;
esac

if [[ $command == plan ]]; then
  output method "$method"
  output tag "$tag"
  output version "$version"
  output cache-path "$(native_path "$install_dir")"
  output cache-key "$cache_key"
  exit 0
fi

if [[ -x $binary_path ]]; then
  echo "Tidegate: $binary $version, already installed"
elif [[ $method == local ]]; then
  fail "TIDEGATE_BIN_DIR has no executable $exe: $TIDEGATE_BIN_DIR"
elif [[ $method == release ]]; then
  command -v curl >/dev/null 2>&1 || fail "downloading $binary needs curl; install it, or set TIDEGATE_BIN_DIR"
  base=$(download_base)
  archive=$binary-$target.tar.gz
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  echo "Tidegate: downloading $archive from release $tag"
  fetch "$base/$tag/$archive" "$work/$archive" ||
    fail "cannot download $base/$tag/$archive; check that release $tag has it, or pin the action to a branch to build from source"
  fetch "$base/$tag/SHA256SUMS" "$work/SHA256SUMS" ||
    fail "cannot download $base/$tag/SHA256SUMS, so $archive cannot be verified; re-run the job"
  expected=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1; exit }' "$work/SHA256SUMS")
  [[ -n $expected ]] || fail "SHA256SUMS of release $tag does not list $archive; the release is incomplete"
  actual=$(sha256 <"$work/$archive")
  [[ $actual == "$expected" ]] ||
    fail "checksum mismatch for $archive: SHA256SUMS says $expected, the download is $actual; nothing was installed (re-run; if it persists, report it)"
  mkdir -p "$work/unpacked" "$install_dir"
  tar -xzf "$work/$archive" -C "$work/unpacked" || fail "cannot unpack $archive"
  [[ -f $work/unpacked/$exe ]] || fail "$archive has no $exe"
  chmod +x "$work/unpacked/$exe"
  # Moved in whole, so a cached binary is never half-written.
  mv -f "$work/unpacked/$exe" "$install_dir/.$exe.$$"
  mv -f "$install_dir/.$exe.$$" "$binary_path"
else
  command -v cargo >/dev/null 2>&1 ||
    fail "building $binary from source needs cargo; install Rust first, or pin the action to a release tag (such as v1) to download a prebuilt binary"
  echo "Tidegate: building $binary from source ($version); pin a release tag to download instead"
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # From the action's own source folder, so the caller's rust-toolchain.toml and cargo config
  # do not apply.
  (cd "$source_root" && CARGO_TARGET_DIR=$work/target cargo install --locked --quiet \
    --path "crates/$binary" --root "$work/root") || fail "cargo install of $binary failed (see above)"
  mkdir -p "$(dirname "$install_dir")"
  # Renamed into place whole; a job that built the same source first wins.
  mv "$work/root" "$install_dir.$$"
  if [[ ! -e $install_dir ]]; then mv "$install_dir.$$" "$install_dir"; fi
  rm -rf "$install_dir.$$"
fi

# C:/… on Windows: a path both bash and the runner's tools accept.
if command -v cygpath >/dev/null 2>&1; then
  output path "$(cygpath -m "$binary_path")"
else
  output path "$binary_path"
fi
output version "$version"
output method "$method"
if [[ -n ${TIDEGATE_ADD_TO_PATH:-} && -n ${GITHUB_PATH:-} ]]; then
  bin_dir=$(native_path "$(dirname "$binary_path")")
  grep -qxF -- "$bin_dir" "$GITHUB_PATH" 2>/dev/null || printf '%s\n' "$bin_dir" >>"$GITHUB_PATH"
fi
