#!/usr/bin/env bash
# The README's demo: on a fresh Debian 12 machine, installs what is missing, builds, starts the
# real local services (MLflow, FerretDB, Pushgateway, SMTP on 127.0.0.1), seeds five specialists
# and runs model-monitor on local defaults:
#   check --specialist-type all   as text (pt-BR and English) and as JSON, pushing metrics,
#   then shows the metrics as the Pushgateway holds them.
# Services keep running afterwards so you can explore; stop them with scripts/services.sh stop.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

banner() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

banner "setup (idempotent)"
bash scripts/setup.sh
banner "build"
BUILD_TYPE=Release bash scripts/build.sh
BIN="$ROOT/build/model-monitor"

banner "local services"
MM_RESET="${MM_RESET:-1}" bash scripts/services.sh start
eval "$(bash scripts/services.sh env)"

banner "seed five specialists (MLflow runs + registered models, feedback in FerretDB)"
"$MM_VENV/bin/python" scripts/seed_demo.py --reset

export LOG_FORMAT="${LOG_FORMAT:-text}"
set +e
banner "model-monitor check --specialist-type all   (pt-BR, metrics pushed)"
"$BIN" check --specialist-type all --export-metrics "$PROMETHEUS_PUSHGATEWAY_URL"
echo "exit code: $? (0 healthy, 1 degraded, 3 a source unreachable)"

banner "model-monitor check --specialist-type behavior --lang en"
"$BIN" check --specialist-type behavior --lang en 2>/dev/null
echo "exit code: $?"

banner "model-monitor check --specialist-type all --output-format json"
"$BIN" check --specialist-type all --output-format json 2>/dev/null
echo "exit code: $?"
set -e

banner "metrics held by the Pushgateway ($PROMETHEUS_PUSHGATEWAY_URL/metrics)"
curl -fsS "$PROMETHEUS_PUSHGATEWAY_URL/metrics" | grep -E '^neural_hive_' | sort

banner "done: services still running; 'bash scripts/services.sh stop' stops them"
