#!/usr/bin/env bash
# Tests of monitoring/ (alert rules, PrometheusRule, Grafana dashboard):
#   1. promtool check rules   monitoring/alerts/rules/model-performance.rules.yaml
#   2. promtool test rules    monitoring/alerts/tests/*.yaml  (every alert fires / stays silent)
#   3. monitoring/generate.py --check  (the committed PrometheusRule is a fresh generation)
#   4. pytest tests/monitoring  (metric names against the real binary's pushes, dashboard
#      structure, thresholds = the binary's defaults, runbook anchors, ...)
# Every step runs even if an earlier one failed; the exit status is non-zero if any failed.
#
#   MM_PUSHED_METRICS=/path/to/pushgateway-metrics.txt scripts/test_monitoring.sh
#
# MM_PUSHED_METRICS (required by step 4) names a file with the Pushgateway's /metrics scraped
# after a real `model-monitor check --export-metrics URL` and a real `model-monitor retrain` that
# retrained (e.g. `curl -fsS "$PROMETHEUS_PUSHGATEWAY_URL/metrics" > "$file"`). Needs promtool
# (Debian package prometheus) and the project venv (scripts/setup.sh installs both).
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=scripts/env.sh
source scripts/env.sh
PY="${MM_PYTHON:-$MM_VENV/bin/python}"

log() { printf '[test_monitoring] %s\n' "$*"; }

if ! command -v promtool >/dev/null 2>&1; then
  log "promtool not found: install Debian's prometheus package (bash scripts/setup.sh)" >&2
  exit 2
fi
if [[ ! -x "$PY" ]]; then
  log "python not found at $PY: run bash scripts/setup.sh (or set MM_PYTHON)" >&2
  exit 2
fi
if [[ -z "${MM_PUSHED_METRICS:-}" ]]; then
  log "warning: MM_PUSHED_METRICS is not set: the metric-name tests will fail (see the header of $0)" >&2
fi

failed=()
step() {
  local name="$1"
  shift
  log "run: $*"
  if "$@"; then
    log "ok: $name"
  else
    log "FAILED: $name"
    failed+=("$name")
  fi
}

step "promtool check rules" promtool check rules monitoring/alerts/rules/model-performance.rules.yaml
step "promtool test rules" promtool test rules monitoring/alerts/tests/*.yaml
step "PrometheusRule is generated" "$PY" monitoring/generate.py --check
step "pytest tests/monitoring" "$PY" -m pytest -q -rxX -p no:cacheprovider tests/monitoring

if ((${#failed[@]})); then
  log "FAILED steps: $(IFS=,; echo "${failed[*]}")"
  exit 1
fi
log "all 4 steps passed"
