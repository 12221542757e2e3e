#!/usr/bin/env bash
# Installs everything model-monitor needs to build, test and run its demo on Debian 12.
# Idempotent: each step checks before it installs. Versions are pinned here and only here
# (the Dockerfile calls this same script, so there is one source of truth).
#
#   scripts/setup.sh            # system packages + Python tools + FerretDB
#   MM_SKIP_APT=1 scripts/...   # skip apt (e.g. no root)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

APT_PACKAGES=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libgtest-dev libgmock-dev googletest
  libmongoc-dev libbson-dev libcurl4-openssl-dev nlohmann-json3-dev libcli11-dev
  libspdlog-dev libfmt-dev libyaml-cpp-dev libcpp-httplib-dev libsqlite3-dev libbenchmark-dev
  prometheus prometheus-pushgateway
  clang clang-format libclang-rt-14-dev hyperfine time
)

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
  want="$(sha256sum "$req" "$ROOT/training/specialist/requirements.txt" 2>/dev/null | sha256sum | cut -d' ' -f1)"
  if [[ -x "$MM_VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "python: venv $MM_VENV up to date"
    return 0
  fi
  log "python: creating/updating venv $MM_VENV"
  python3 -m venv "$MM_VENV"
  "$MM_VENV/bin/pip" install -q --upgrade pip==24.3.1
  "$MM_VENV/bin/pip" install -q -r "$req"
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
install_python
install_ferretdb
log "done"
