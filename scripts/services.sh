#!/usr/bin/env bash
# Real local services for tests and the demo, all on 127.0.0.1:
#   mlflow       MLflow tracking server + model registry (SQLite), port MM_MLFLOW_PORT (15000)
#   ferretdb     FerretDB (MongoDB wire protocol, SQLite), port MM_FERRETDB_PORT (27117)
#   pushgateway  Prometheus Pushgateway (in memory), port MM_PUSHGATEWAY_PORT (19091)
#   smtp         SMTP sink (scripts/smtp_sink.py), port MM_SMTP_PORT (10025), spool $MM_RUN_DIR/smtp
#   slack        stand-in of a Slack incoming webhook (scripts/slack_standin.py), MM_SLACK_PORT (18081)
#   llm          stand-in of Ollama / OpenAI / Anthropic (scripts/llm_standin.py), MM_LLM_PORT (11435)
#                (Slack and hosted LLMs cannot run here; the stand-ins answer with the APIs' shapes)
#
#   scripts/services.sh start [SERVICE...]    start what is not healthy yet, wait until all are ready
#   scripts/services.sh stop [SERVICE...]     stop what we started (safe when nothing runs)
#   scripts/services.sh restart [SERVICE...]
#   scripts/services.sh status [SERVICE...]   one line each; exit 0 only if all are healthy
#   scripts/services.sh env                   export lines: eval "$(scripts/services.sh env)"
#   MM_RESET=1 scripts/services.sh start      stop, wipe the data (fresh state), start
#
# Pid files in $MM_RUN_DIR/pids, logs in $MM_RUN_DIR/logs. Each service runs in its own process
# group (setsid), which `stop` signals as a whole (MLflow forks gunicorn workers).
# MM_START_TIMEOUT (seconds, default 90) bounds the wait for readiness.
#
# Start-up times measured on the 2-core dev VM (timed from launch to a 200 on GET /health):
# MLflow 3.5-4 s on an existing database, 4-5 s on a fresh one (table creation + migrations),
# up to 7 s / 11 s while the machine is busy compiling; FerretDB, Pushgateway and the SMTP sink
# < 0.5 s. Everything is launched first and awaited afterwards, so `start` takes about MLflow's
# time; a no-op `start` (all healthy) takes ~50 ms.
#
# MLflow server choices (MLflow 3.17):
# - gunicorn with 2 workers (one per core) x 4 threads (gthread) instead of the default uvicorn.
#   With --workers > 1 uvicorn binds the listening socket itself without TCP_NODELAY, so every
#   response on a kept-alive connection (libcurl reuses connections) stalls ~40 ms on
#   Nagle + delayed ACK. Measured, 1000 sequential GETs on one connection: uvicorn x2 48 s,
#   uvicorn x1 4.4 s, gunicorn 2x4 gthread 2.5 s (1.3 s with 8 concurrent clients). A mix of
#   registered-models/alias + runs/get + runs/search: ~4.5 ms per request, CPU-bound.
# - MLflow 3.x security middleware stays on: its defaults accept Host 127.0.0.1/localhost on any
#   port and requests without Origin, which is what curl and libcurl send.
# - MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false: no huey job runner (GenAI jobs); saves ~10 processes.
# - --artifacts-destination: artifacts are proxied by the server (mlflow-artifacts:/ URIs), as
#   with a real remote server.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/env.sh
source "$ROOT/scripts/env.sh"

HOST=127.0.0.1
MLFLOW_PORT="${MM_MLFLOW_PORT:-15000}"
FERRETDB_PORT="${MM_FERRETDB_PORT:-27117}"
PUSHGATEWAY_PORT="${MM_PUSHGATEWAY_PORT:-19091}"
SMTP_PORT="${MM_SMTP_PORT:-10025}"
SLACK_PORT="${MM_SLACK_PORT:-18081}"
LLM_PORT="${MM_LLM_PORT:-11435}"
SLACK_PATH="/services/T000/B000/XXXX"
START_TIMEOUT="${MM_START_TIMEOUT:-90}"

SERVICES=(mlflow ferretdb pushgateway smtp slack llm)
PID_DIR="$MM_RUN_DIR/pids"
LOG_DIR="$MM_RUN_DIR/logs"
# Each service runs in (and keeps its data under) $MM_RUN_DIR/<service>, which MM_RESET=1 wipes.
# The Pushgateway keeps its metrics in memory only: a restart empties it.

log() { printf '[services] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

port_of() {
  case "$1" in
    mlflow) echo "$MLFLOW_PORT" ;;
    ferretdb) echo "$FERRETDB_PORT" ;;
    pushgateway) echo "$PUSHGATEWAY_PORT" ;;
    smtp) echo "$SMTP_PORT" ;;
    slack) echo "$SLACK_PORT" ;;
    llm) echo "$LLM_PORT" ;;
  esac
}

url_of() {
  case "$1" in
    mlflow) echo "http://$HOST:$MLFLOW_PORT" ;;
    ferretdb) echo "mongodb://$HOST:$FERRETDB_PORT/" ;;
    pushgateway) echo "http://$HOST:$PUSHGATEWAY_PORT" ;;
    smtp) echo "smtp://$HOST:$SMTP_PORT" ;;
    slack) echo "http://$HOST:$SLACK_PORT$SLACK_PATH" ;;
    llm) echo "http://$HOST:$LLM_PORT" ;;
  esac
}

# A word that the service's command line contains; guards against signalling a recycled pid.
cmd_marker() {
  case "$1" in
    mlflow) echo "mlflow" ;;
    ferretdb) echo "ferretdb" ;;
    pushgateway) echo "pushgateway" ;;
    smtp) echo "smtp_sink.py" ;;
    slack) echo "slack_standin.py" ;;
    llm) echo "llm_standin.py" ;;
  esac
}

pid_file() { echo "$PID_DIR/$1.pid"; }
log_file() { echo "$LOG_DIR/$1.log"; }

# Prints the pid of our running instance of $1, or fails.
running_pid() {
  local f pid
  f="$(pid_file "$1")"
  [[ -f "$f" ]] || return 1
  pid="$(cat "$f" 2>/dev/null)" || return 1
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(cmd_marker "$1")" || return 1
  echo "$pid"
}

tcp_open() { timeout 2 bash -c ": >/dev/tcp/$HOST/$1" 2>/dev/null; }

smtp_banner_ok() {
  # Connect, expect the "220 ..." greeting, say QUIT. (Single quotes: expanded by the inner bash.)
  # shellcheck disable=SC2016
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$0/$1" || exit 1
    IFS= read -r -t 2 line <&3 || exit 1
    printf "QUIT\r\n" >&3
    [[ "$line" == 220* ]]' "$HOST" "$SMTP_PORT" 2>/dev/null
}

# Health check of one service (quick, no waiting).
healthy() {
  case "$1" in
    mlflow) curl -sf --max-time 3 -o /dev/null "http://$HOST:$MLFLOW_PORT/health" ;;
    ferretdb) tcp_open "$FERRETDB_PORT" ;;
    pushgateway) curl -sf --max-time 3 -o /dev/null "http://$HOST:$PUSHGATEWAY_PORT/-/ready" ;;
    smtp) smtp_banner_ok ;;
    slack | llm) tcp_open "$(port_of "$1")" ;;
  esac
}

# Fills the global array CMD with the command line of service $1.
build_cmd() {
  case "$1" in
    mlflow)
      CMD=(env MLFLOW_SERVER_ENABLE_JOB_EXECUTION=false
        "$MM_VENV/bin/mlflow" server
        --backend-store-uri "sqlite:///$MM_RUN_DIR/mlflow/mlflow.db"
        --artifacts-destination "$MM_RUN_DIR/mlflow/artifacts"
        --serve-artifacts
        --host "$HOST" --port "$MLFLOW_PORT"
        --workers 2
        --gunicorn-opts "--worker-class gthread --threads 4 --keep-alive 5 --timeout 120 --no-control-socket")
      ;;
    ferretdb)
      CMD=("$MM_TOOLS/bin/ferretdb"
        --listen-addr "$HOST:$FERRETDB_PORT"
        --sqlite-dir "$MM_RUN_DIR/ferretdb"
        --log-level warn)
      ;;
    pushgateway)
      # --persistence.file= : Debian's default points at /var/lib/prometheus; keep metrics in memory.
      # --web.enable-admin-api: tests may wipe all groups (PUT /api/v1/admin/wipe).
      CMD=(/usr/bin/prometheus-pushgateway
        "--web.listen-address=$HOST:$PUSHGATEWAY_PORT"
        --persistence.file=
        --web.enable-admin-api
        --log.level=warn)
      ;;
    smtp)
      CMD=("$MM_VENV/bin/python" "$ROOT/scripts/smtp_sink.py"
        --host "$HOST" --port "$SMTP_PORT" --spool "$MM_RUN_DIR/smtp")
      ;;
    slack)
      CMD=("$MM_VENV/bin/python" "$ROOT/scripts/slack_standin.py"
        --host "$HOST" --port "$SLACK_PORT" --path "$SLACK_PATH"
        --record "$MM_RUN_DIR/slack/requests.jsonl")
      ;;
    llm)
      # The keys the stand-in accepts; the demo exports the same ones.
      CMD=("$MM_VENV/bin/python" "$ROOT/scripts/llm_standin.py"
        --host "$HOST" --port "$LLM_PORT" --record "$MM_RUN_DIR/llm/requests.jsonl"
        --openai-key sk-local-standin --anthropic-key sk-ant-local-standin)
      ;;
  esac
}

check_prerequisites() {
  [[ -x "$MM_VENV/bin/mlflow" ]] || die "$MM_VENV/bin/mlflow missing: run scripts/setup.sh"
  [[ -x "$MM_VENV/bin/python" ]] || die "$MM_VENV/bin/python missing: run scripts/setup.sh"
  [[ -x "$MM_TOOLS/bin/ferretdb" ]] || die "$MM_TOOLS/bin/ferretdb missing: run scripts/setup.sh"
  [[ -x /usr/bin/prometheus-pushgateway ]] ||
    die "/usr/bin/prometheus-pushgateway missing: run scripts/setup.sh"
}

launch() {
  local name="$1" pid
  build_cmd "$name"
  mkdir -p "$MM_RUN_DIR/$name"
  printf '\n=== %s starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$(log_file "$name")"
  # setsid: own session and process group (pid == pgid), detached from our terminal.
  # cd into the service's own directory so that stray relative files land there.
  # 9>&- : the service must not inherit the lock file descriptor (see with_lock).
  (cd "$MM_RUN_DIR/$name" && exec setsid "${CMD[@]}" </dev/null >>"$(log_file "$name")" 2>&1 9>&-) &
  pid=$!
  echo "$pid" >"$(pid_file "$name")"
  log "$name: started (pid $pid), log $(log_file "$name")"
}

fail_with_log() {
  local name="$1" why="$2"
  log "$name: $why"
  log "---- last 40 lines of $(log_file "$name") ----"
  tail -n 40 "$(log_file "$name")" >&2 || true
  log "----"
  die "$name did not become ready on $(url_of "$name") (see $(log_file "$name"))"
}

wait_ready() {
  local name="$1" t0 pid deadline
  t0=$SECONDS
  deadline=$((SECONDS + START_TIMEOUT))
  until healthy "$name"; do
    if ! pid="$(running_pid "$name")"; then
      fail_with_log "$name" "process exited during start-up"
    fi
    if ((SECONDS >= deadline)); then
      fail_with_log "$name" "not ready after ${START_TIMEOUT}s (pid $pid still running)"
    fi
    sleep 0.2
  done
  log "$name: ready on $(url_of "$name") (waited $((SECONDS - t0))s)"
}

stop_one() {
  local name="$1" pid pgid i
  if ! pid="$(running_pid "$name")"; then
    rm -f "$(pid_file "$name")"
    log "$name: not running"
    return 0
  fi
  pgid="$(ps -o pgid= -p "$pid" | tr -d ' ')"
  local target="$pid"
  [[ "$pgid" == "$pid" ]] && target="-$pid" # the whole group: MLflow's gunicorn workers too
  kill -TERM -- "$target" 2>/dev/null || true
  for ((i = 0; i < 100; i++)); do
    kill -0 -- "$target" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 -- "$target" 2>/dev/null; then
    log "$name: still alive after 10s, sending SIGKILL"
    kill -KILL -- "$target" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$name")"
  log "$name: stopped (pid $pid)"
}

cmd_start() {
  local to_launch=() to_wait=() s
  check_prerequisites
  mkdir -p "$PID_DIR" "$LOG_DIR"
  if [[ "${MM_RESET:-0}" == 1 ]]; then
    for s in "${SERVICES[@]}"; do
      stop_one "$s"
      log "MM_RESET=1: wiping $MM_RUN_DIR/$s"
      rm -rf "${MM_RUN_DIR:?}/$s"
    done
  fi
  # First decide for every service, so that a port conflict aborts before anything is launched.
  for s in "${SERVICES[@]}"; do
    if healthy "$s"; then
      if running_pid "$s" >/dev/null; then
        log "$s: already running and healthy on $(url_of "$s")"
      else
        log "$s: something healthy already answers on $(url_of "$s") (not started by this script); using it"
      fi
    elif running_pid "$s" >/dev/null; then
      log "$s: running but not ready yet; waiting"
      to_wait+=("$s")
    elif tcp_open "$(port_of "$s")"; then
      die "$s: port $(port_of "$s") on $HOST is taken by another, unhealthy process; free it or set MM_${s^^}_PORT"
    else
      to_launch+=("$s")
    fi
  done
  # Launch all, then wait: start-up overlaps, so `start` takes about as long as MLflow alone.
  for s in "${to_launch[@]}"; do launch "$s"; done
  for s in "${to_wait[@]}" "${to_launch[@]}"; do wait_ready "$s"; done
  log "all services ready"
}

cmd_stop() {
  local s
  for s in "${SERVICES[@]}"; do stop_one "$s"; done
}

cmd_status() {
  local s pid state all_ok=0
  for s in "${SERVICES[@]}"; do
    if pid="$(running_pid "$s")"; then
      if healthy "$s"; then state="running, healthy (pid $pid)"; else
        state="running, NOT ready (pid $pid)"
        all_ok=1
      fi
    elif healthy "$s"; then
      state="healthy, not started by this script"
    else
      state="stopped"
      all_ok=1
    fi
    printf '%-12s %-40s %s\n' "$s" "$state" "$(url_of "$s")"
  done
  return "$all_ok"
}

cmd_env() {
  printf 'export MLFLOW_TRACKING_URI=%q\n' "http://$HOST:$MLFLOW_PORT"
  printf 'export MONGODB_URI=%q\n' "mongodb://$HOST:$FERRETDB_PORT/"
  printf 'export PROMETHEUS_PUSHGATEWAY_URL=%q\n' "http://$HOST:$PUSHGATEWAY_PORT"
  printf 'export SMTP_HOST=%q\n' "$HOST"
  printf 'export SMTP_PORT=%q\n' "$SMTP_PORT"
  printf 'export MM_SMTP_SPOOL=%q\n' "$MM_RUN_DIR/smtp"
  printf 'export SLACK_WEBHOOK_URL=%q\n' "http://$HOST:$SLACK_PORT$SLACK_PATH"
  printf 'export MM_SLACK_RECORD=%q\n' "$MM_RUN_DIR/slack/requests.jsonl"
  printf 'export MM_LLM_STANDIN_URL=%q\n' "http://$HOST:$LLM_PORT"
  printf 'export MM_LLM_RECORD=%q\n' "$MM_RUN_DIR/llm/requests.jsonl"
}

with_lock() {
  # Serialise concurrent start/stop (parallel test runners may call start at the same time).
  mkdir -p "$MM_RUN_DIR"
  exec 9>"$MM_RUN_DIR/.services.lock"
  flock -w "$((START_TIMEOUT + 30))" 9 || die "could not lock $MM_RUN_DIR/.services.lock"
  "$@"
}

usage() {
  sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

command="${1:-}"
(($# > 0)) && shift
if (($# > 0)); then
  for s in "$@"; do
    [[ " ${SERVICES[*]} " == *" $s "* ]] || die "unknown service '$s' (known: ${SERVICES[*]})"
  done
  SERVICES=("$@")
fi

case "$command" in
  start) with_lock cmd_start ;;
  stop) with_lock cmd_stop ;;
  restart) with_lock cmd_stop && with_lock cmd_start ;;
  status) cmd_status ;;
  env) cmd_env ;;
  -h | --help | help) usage ;;
  *)
    usage >&2
    exit 2
    ;;
esac
