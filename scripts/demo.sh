#!/usr/bin/env bash
# The README's demo: on a fresh Debian 12 machine, installs what is missing, builds, starts the
# real local services (MLflow, FerretDB, Pushgateway, SMTP on 127.0.0.1), seeds five specialists
# and runs model-monitor on local defaults:
#   check --specialist-type all   as text (pt-BR and English) and as JSON, pushing metrics;
#   retrain --dry-run for all, then one real retrain of the degraded `behavior` specialist
#   (LLM dataset + feedback → `mlflow run` training → promotion → Slack + email), then the
#   cooldown; finally the metrics as the Pushgateway holds them.
# Services keep running afterwards so you can explore; stop them with scripts/services.sh stop.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

banner() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

banner "setup (idempotent)"
bash scripts/setup.sh
banner "build"
BUILD_DIR="$ROOT/build-release" BUILD_TYPE=Release bash scripts/build.sh -DMM_BUILD_TESTS=OFF
BIN="$ROOT/build-release/model-monitor"

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

# Retrain, on local defaults plus the local stand-ins for what cannot run here (the LLM behind
# the Ollama API, the Slack webhook); MLflow, `mlflow run`, MongoDB, SMTP and the Pushgateway
# are real.
export DATA_DIR="$MM_RUN_DIR/data/training"
export LLM_PROVIDER=local LLM_BASE_URL="$MM_LLM_STANDIN_URL" LLM_MODEL=llama3
export DATASET_NUM_SAMPLES="${DATASET_NUM_SAMPLES:-400}"
export MLFLOW_CLI="$MM_VENV/bin/mlflow"
export NOTIFICATION_CHANNELS=slack,email EMAIL_RECIPIENTS=ml-ops@example.com

set +e
banner "model-monitor retrain --specialist-type all --dry-run   (the plan; writes nothing)"
"$BIN" retrain --specialist-type all --dry-run 2>/dev/null
banner "model-monitor retrain --specialist-type behavior   (degraded → dataset → training → promotion → notifications)"
"$BIN" retrain --specialist-type behavior --export-metrics "$PROMETHEUS_PUSHGATEWAY_URL"
echo "exit code: $?"
banner "model-monitor retrain --specialist-type behavior   (again: the new model is healthy)"
"$BIN" retrain --specialist-type behavior 2>/dev/null
echo "exit code: $?"
banner "model-monitor retrain --specialist-type evolution, twice   (bad feedback persists: the cooldown holds the second)"
"$BIN" retrain --specialist-type evolution 2>/dev/null | grep -E '^(Decision|Promotion|Result)'
"$BIN" retrain --specialist-type evolution 2>/dev/null | grep -E '^(Decision|Result)'
echo "exit code: $?"
set -e

banner "what was notified: the Slack payload (stand-in) and the email (real SMTP server)"
tail -n 1 "$MM_SLACK_RECORD" | "$MM_VENV/bin/python" -c \
  'import json,sys; print(json.loads(json.loads(sys.stdin.read())["body"])["text"])'
latest_mail="$(grep -l behavior "$MM_SMTP_SPOOL"/*.eml | head -n 1)"
"$MM_VENV/bin/python" - "$latest_mail" <<'PY'
import email, email.policy, sys
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("To:", msg["To"]); print("Subject:", msg["Subject"]); print(); print(msg.get_content()[:600])
PY

banner "the registry: production moved, the previous version kept for rollback"
for alias in production previous-production; do
  curl -fsS "$MLFLOW_TRACKING_URI/api/2.0/mlflow/registered-models/alias?name=behavior-specialist&alias=$alias" |
    "$MM_VENV/bin/python" -c "import json,sys; v=json.load(sys.stdin)['model_version']; print('$alias -> version', v['version'], 'run', v['run_id'])"
done

banner "metrics held by the Pushgateway ($PROMETHEUS_PUSHGATEWAY_URL/metrics)"
curl -fsS "$PROMETHEUS_PUSHGATEWAY_URL/metrics" | grep -E '^neural_hive_' | sort

banner "done: services still running; 'bash scripts/services.sh stop' stops them"
