#!/usr/bin/env bash
# Installs everything model-monitor needs to build, test and run its demo on Debian 12.
# Idempotent: each step checks before it installs. Python versions are pinned in
# requirements-dev.txt, Debian package lists live in scripts/packages/apt-*.txt, and this script
# is the only thing that installs them: deploy/docker/Dockerfile runs it too (--build-only in its
# build stage, --runtime-only in its runtime stage), so there is one source of truth.
#
#   scripts/setup.sh                 # everything: apt (build + dev + runtime lists), venv, FerretDB
#   scripts/setup.sh --build-only    # what building the binary needs: apt-build.txt + the venv
#   scripts/setup.sh --runtime-only  # what running the binary needs: apt-runtime.txt only (the
#                                    # image copies the venv from its build stage)
#   scripts/setup.sh [MODE] --print-apt-packages   # print that mode's apt packages, install nothing
#   MM_SKIP_APT=1 scripts/...        # skip apt (e.g. no root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

MODE=full
PRINT_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --build-only) MODE=build ;;
    --runtime-only) MODE=runtime ;;
    --print-apt-packages) PRINT_ONLY=1 ;;
    -h | --help)
      sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      printf '[setup] unknown option %s (expected --build-only, --runtime-only, --print-apt-packages)\n' "$arg" >&2
      exit 2
      ;;
  esac
done

# Package lists: one name per line, '#' comments. Full mode installs all three lists.
apt_list() { sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$ROOT/scripts/packages/apt-$1.txt"; }
case "$MODE" in
  full) mapfile -t APT_PACKAGES < <({ apt_list build; apt_list dev; apt_list runtime; } | awk '!seen[$0]++') ;;
  build) mapfile -t APT_PACKAGES < <(apt_list build) ;;
  runtime) mapfile -t APT_PACKAGES < <(apt_list runtime) ;;
esac
if ((PRINT_ONLY)); then
  printf '%s\n' "${APT_PACKAGES[@]}"
  exit 0
fi

log() { printf '[setup] %s\n' "$*" >&2; }

install_apt() {
  [[ "${MM_SKIP_APT:-0}" == 1 ]] && return 0
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then
    log "apt: all ${#APT_PACKAGES[@]} packages present"
    return 0
  fi
  log "apt: installing ${missing[*]}"
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  # Debian's prometheus packages try to start their services; we start our own on 127.0.0.1.
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python() {
  local req="$ROOT/requirements-dev.txt"
  local stamp="$MM_VENV/.requirements.sha256"
  local want
  # requirements-lock.txt pins every transitive package too (pip constraints), so a new release
  # of a dependency of mlflow cannot change what gets installed.
  local lock="$ROOT/requirements-lock.txt"
  want="$(sha256sum "$req" "$lock" "$ROOT/training/specialist/requirements.txt" 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [[ -x "$MM_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "python: venv $MM_VENV up to date"
    return 0
  fi
  log "python: creating/updating venv $MM_VENV"
  python3 -m venv "$MM_VENV"
  "$MM_VENV/bin/pip" install -q --upgrade pip==24.3.1
  "$MM_VENV/bin/pip" install -q -r "$req" -c "$lock"
  echo "$want" >"$stamp"
}

install_ferretdb() {
  local bin="$MM_TOOLS/bin/ferretdb"
  local src="$ROOT/tools/ferretdb"
  local want
  want="$(cat "$src/go.mod" "$src/go.sum" "$src/main.go" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$bin" && -f "$bin.sha256" && "$(cat "$bin.sha256")" == "$want" ]]; then
    log "ferretdb: $bin up to date"
    return 0
  fi
  local go_bin
  go_bin="$(mm_find_go)" || {
    log "ferretdb: needs Go >= 1.22 (Debian's 1.19 is too old); install Go and put it on PATH"
    exit 1
  }
  log "ferretdb: building with $($go_bin version)"
  mkdir -p "$MM_TOOLS/bin"
  (cd "$src" && GOFLAGS=-mod=mod CGO_ENABLED=0 "$go_bin" build -trimpath -o "$bin" .)
  echo "$want" >"$bin.sha256"
}

install_apt
case "$MODE" in
  full)
    install_python
    install_ferretdb
    ;;
  build) install_python ;;
  runtime) ;;
esac
log "done ($MODE)"
