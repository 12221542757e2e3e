#!/usr/bin/env bash
# The README's test command: installs what is missing, builds, starts the real local services
# (MLflow, FerretDB, Pushgateway, SMTP) on 127.0.0.1 and runs every test: unit and integration
# (ctest) and the training project's pytest suite.
#
#   scripts/test.sh                 # everything
#   MM_TEST_LABEL=unit scripts/test.sh   # only unit tests (no services)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

bash scripts/setup.sh
BUILD_DIR="${BUILD_DIR:-$ROOT/build}" BUILD_TYPE="${BUILD_TYPE:-Debug}" bash scripts/build.sh

label="${MM_TEST_LABEL:-}"
if [[ "$label" != unit ]]; then
  # Fresh state each run so tests never depend on what an earlier run left.
  MM_RESET=1 bash scripts/services.sh start
  eval "$(bash scripts/services.sh env)"
  trap 'bash scripts/services.sh stop >/dev/null 2>&1 || true' EXIT
fi

ctest_args=(--test-dir "${BUILD_DIR:-$ROOT/build}" --output-on-failure -j "$(nproc)")
[[ -n "$label" ]] && ctest_args+=(-L "$label")
ctest "${ctest_args[@]}"

if [[ "$label" != unit && -d training/specialist/tests ]]; then
  "$MM_VENV/bin/python" -m pytest -q training/specialist/tests
fi

if [[ "$label" != unit ]]; then
  # Alert rules (promtool check + unit tests), the PrometheusRule, the dashboard, and every metric
  # they name checked against what the real binary pushed during the integration tests above
  # (check and retrain runs against the Pushgateway).
  pushed="$MM_RUN_DIR/pushed-metrics.txt"
  curl -fsS "$PROMETHEUS_PUSHGATEWAY_URL/metrics" >"$pushed"
  MM_PUSHED_METRICS="$pushed" bash scripts/test_monitoring.sh
fi

if [[ "$label" != unit ]]; then
  # Deployment: Kubernetes schemas, checkov, hadolint, ConfigMap/Secret/Dockerfile consistency;
  # the binary-based checks use the build above.
  MM_BINARY="${BUILD_DIR:-$ROOT/build}/model-monitor" bash scripts/test_deploy.sh
fi
