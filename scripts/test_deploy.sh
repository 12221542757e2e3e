#!/usr/bin/env bash
# Offline checks of deploy/ (no Docker engine, no cluster, no network once the tools are
# installed):
#   1. render deploy/k8s like `kubectl kustomize` (tests/deploy/render.py; cross-checked against
#      `kubectl kustomize` by the pytest suite when kubectl is installed)
#   2. validate every rendered object and the Secret example against the Kubernetes JSON schemas
#      (kubernetes-validate --strict, for each version in MM_K8S_VERSIONS)
#   3. checkov on deploy/ (kubernetes + dockerfile): no failed check; the few skipped ones carry
#      their reason inline (checkov.io/skip annotations, `# checkov:skip=` in the Dockerfile)
#   4. hadolint on deploy/docker/Dockerfile
#   5. pytest tests/deploy: ConfigMap vs docs/configuration.md, Secret example, CronJob policy and
#      security, the Dockerfile vs scripts/setup.sh (one source for install steps), and — when a
#      built binary exists (build/model-monitor or MM_BINARY) — the ConfigMap through the
#      binary's own validation and the runtime package list against `ldd`.
#
#   scripts/test_deploy.sh
#   MM_K8S_VERSIONS="1.29.0 1.37.0" MM_BINARY=build-release/model-monitor scripts/test_deploy.sh
#
# Installs its pinned tools (tests/deploy/requirements-deploy.txt) into their own venv,
# $MM_TOOLS/deploy-venv (MM_DEPLOY_VENV), idempotently: ~1 min the first time, nothing after.
# Runs every step even when one fails; exits non-zero if any failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source scripts/env.sh

VENV="${MM_DEPLOY_VENV:-$MM_TOOLS/deploy-venv}"
REQ="$ROOT/tests/deploy/requirements-deploy.txt"
# Oldest version we support (CronJob timeZone is GA since 1.27, podFailurePolicy on by default
# since 1.26), one in between, and the newest the bundled schemas know.
K8S_VERSIONS="${MM_K8S_VERSIONS:-1.29.0 1.31.0 1.37.0}"

log() { printf '[test_deploy] %s\n' "$*" >&2; }

install_tools() {
  local stamp="$VENV/.requirements.sha256" want
  want="$(sha256sum "$REQ" | cut -d' ' -f1)"
  if [[ -x "$VENV/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    return 0
  fi
  log "installing the pinned tools into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip==24.3.1
  "$VENV/bin/pip" install -q -r "$REQ"
  echo "$want" >"$stamp"
}
install_tools

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0
failures=()
step() {
  local name="$1"
  shift
  log "--- $name"
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    failures+=("$name")
    log "FAILED: $name"
  fi
}

render() { "$VENV/bin/python" tests/deploy/render.py deploy/k8s >"$WORK/rendered.yaml"; }
validate() {
  local v rc=0
  for v in $K8S_VERSIONS; do
    "$VENV/bin/kubernetes-validate" --strict --quiet -k "$v" \
      "$WORK/rendered.yaml" deploy/k8s/secret.example.yaml || rc=1
  done
  ((rc == 0)) && log "schemas: every object valid for Kubernetes $K8S_VERSIONS"
  return $rc
}
scan() {
  # --skip-download: no call to the vendor's platform (offline); checks ship with the package.
  "$VENV/bin/checkov" -d deploy/ --framework kubernetes dockerfile --quiet --compact \
    --skip-download
}
lint() { "$VENV/bin/hadolint" deploy/docker/Dockerfile && log "hadolint: no finding"; }
unit() { "$VENV/bin/python" -m pytest -q -rs -p no:cacheprovider tests/deploy; }

step "render deploy/k8s (kustomization)" render
if [[ -s "$WORK/rendered.yaml" ]]; then
  step "kubernetes-validate --strict" validate
else
  failed=$((failed + 1))
  failures+=("kubernetes-validate (nothing rendered)")
fi
step "checkov (kubernetes, dockerfile)" scan
step "hadolint" lint
step "pytest tests/deploy" unit

if ((failed > 0)); then
  log "failed: ${failures[*]}"
fi
echo "deploy checks: $passed passed, $failed failed"
((failed == 0))
