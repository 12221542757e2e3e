#!/usr/bin/env bash
# Measures model-monitor against the real local services and writes docs/performance.md.
#
#   bash bench/run.sh            # fleet of 1,000 specialists (seeded once, then reused)
#   BENCH_FLEET=200 bash bench/run.sh
#   BENCH_RUNS=5 bash bench/run.sh   # runs per fleet measurement (default 3; the median is kept)
#   BENCH_ONE_RUNS=20 bash bench/run.sh   # pairs (floor, one specialist's check) (default 10)
#
# Uses its own service instance (ports 35000/37117/39091/30025, run dir /tmp/mm-bench) so it never
# disturbs the services of tests or the demo. Needs hyperfine and /usr/bin/time (scripts/setup.sh).
# The machine's load average is written with the figures: other processes on the same cores slow
# the servers (and so every wall time) down.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

FLEET="${BENCH_FLEET:-1000}"
SMALL=$((FLEET / 10))
RUNS="${BENCH_RUNS:-3}"
ONE_RUNS="${BENCH_ONE_RUNS:-10}"
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
trap 'rm -rf "$OUT"' EXIT
LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# CPU seconds (user+sys) used so far by every process of a service's process group
# (scripts/services.sh starts each service with setsid; MLflow's gunicorn workers included).
service_cpu() { # service
  local pgid
  pgid="$(cat "$MM_RUN_DIR/pids/$1.pid")"
  python3 - "$pgid" <<'PY'
import os, sys
pgid, tick, total = int(sys.argv[1]), os.sysconf("SC_CLK_TCK"), 0
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        stat = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    if int(stat[2]) == pgid:  # field 5, pgrp
        total += sum(int(x) for x in stat[11:15])  # utime stime cutime cstime
print(f"{total / tick:.2f}")
PY
}

# 1. The process alone: `version` (start-up, no I/O) and one `check` of one specialist, as whole
#    processes. CPU is user+sys of the process (from wait4: hyperfine's means, and cpu_pairs.py's
#    for the check), i.e. what model-monitor adds beyond waiting for the servers; RSS from
#    /usr/bin/time -v.
hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/version.json" "$BIN version" >/dev/null 2>&1
/usr/bin/time -v "$BIN" version >/dev/null 2>"$OUT/version.time"
# shellcheck disable=SC2046 # pkg-config's flags are words
cc -O2 bench/floor.c -o "$OUT/floor" $(pkg-config --cflags --libs libmongoc-1.0 libcurl)
hyperfine -N --warmup 3 --runs 30 --export-json "$OUT/floor.json" "$OUT/floor" >/dev/null 2>&1
/usr/bin/time -v "$OUT/floor" >/dev/null 2>"$OUT/floor.time"
# One check's CPU beyond the floor: floor and check run in alternating pairs (bench/cpu_pairs.py),
# the median of the per-pair differences, so that the machine's drift between two separate
# series (easily a millisecond here) does not pass for model-monitor's cost.
python3 bench/cpu_pairs.py --runs "$ONE_RUNS" --warmup 1 --json "$OUT/one.json" -- "$OUT/floor" -- \
  "$BIN" check --specialist-type fleet0000 --output-format json
/usr/bin/time -v "$BIN" check --specialist-type fleet0000 --output-format json \
  >/dev/null 2>"$OUT/one.time" || true
arrow_libs="$(ldd "$BIN" | grep -cE 'libarrow|libparquet' || true)"
all_libs="$(ldd "$BIN" | grep -c '=>' || true)"

# 2. The fleet: SMALL then FULL specialists, bounded concurrency, one MongoDB pool. Each size runs
#    RUNS times (after one warm-up of the servers' caches); the median wall time is reported, and
#    the servers' CPU during the median-sized full runs.
fleet() { # name types extra-args...
  local name="$1" types="$2"
  shift 2
  SPECIALIST_TYPES="$types" hyperfine -N -i --runs "$RUNS" --export-json "$OUT/$name.json" \
    "$BIN check --specialist-type all --concurrency $CONC --output-format json $*" \
    >/dev/null 2>&1 || true
  SPECIALIST_TYPES="$types" /usr/bin/time -v "$BIN" check --specialist-type all \
    --concurrency "$CONC" --output-format json "$@" >"$OUT/$name.out" 2>"$OUT/$name.time" || true
}
# How many specialists of a fleet run's report (its last, /usr/bin/time run) had an error: a run
# that failed fast must not pass for a fast run.
errors_of() { python3 -c "import json;print(json.load(open('$OUT/$1.out'))['summary']['errors'])" 2>/dev/null || echo "no report"; }
SPECIALIST_TYPES="$TYPES_SMALL" "$BIN" check --specialist-type all --concurrency "$CONC" \
  --output-format json >/dev/null 2>&1 || true # warm the servers' caches once
fleet small "$TYPES_SMALL"
fdb0="$(service_cpu ferretdb)" mlf0="$(service_cpu mlflow)" pgw0="$(service_cpu pushgateway)"
fleet full "$TYPES_FULL"
fdb1="$(service_cpu ferretdb)" mlf1="$(service_cpu mlflow)" pgw1="$(service_cpu pushgateway)"
fleet discover "$TYPES_FULL" --discover
# The same fleet without the push (no PROMETHEUS_PUSHGATEWAY_URL): what the Pushgateway's share is.
PROMETHEUS_PUSHGATEWAY_URL= fleet nopush "$TYPES_FULL"
# And with a second Pushgateway of our own that skips its per-push consistency check (a
# deployment choice, see below), once warmed up to hold the fleet's groups as in steady state.
PGW_NOCHECK_PORT=39092
/usr/bin/prometheus-pushgateway --web.listen-address="127.0.0.1:$PGW_NOCHECK_PORT" \
  --persistence.file= --log.level=warn --push.disable-consistency-check >"$OUT/pgw.log" 2>&1 &
PGW_NOCHECK_PID=$!
trap 'kill "$PGW_NOCHECK_PID" 2>/dev/null || true; rm -rf "$OUT"' EXIT
for _ in $(seq 50); do
  curl -fsS "http://127.0.0.1:$PGW_NOCHECK_PORT/-/ready" >/dev/null 2>&1 && break
  sleep 0.1
done
PROMETHEUS_PUSHGATEWAY_URL="http://127.0.0.1:$PGW_NOCHECK_PORT" SPECIALIST_TYPES="$TYPES_FULL" \
  "$BIN" check --specialist-type all --concurrency "$CONC" --output-format json >/dev/null 2>&1 || true
PROMETHEUS_PUSHGATEWAY_URL="http://127.0.0.1:$PGW_NOCHECK_PORT" fleet nocheck "$TYPES_FULL"
kill "$PGW_NOCHECK_PID" 2>/dev/null || true
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"

field() { grep -F "$2" "$OUT/$1.time" | awk -F': ' '{print $2}' | tail -1; }
hf() { # file expression over d (the hyperfine result) and runs (its times)
  python3 -c "import json,statistics;d=json.load(open('$OUT/$1.json'))['results'][0];runs=d['times'];print($2)"
}
mb() { python3 -c "print(f'{$(field "$1" "Maximum resident")/1024:.1f}')"; }

version_cpu_ms=$(hf version "f\"{(d['user']+d['system'])*1000:.1f}\"")
version_rss_mb=$(mb version)
floor_cpu_ms=$(hf floor "f\"{(d['user']+d['system'])*1000:.1f}\"")
floor_rss_mb=$(mb floor)
pairs() { python3 -c "import json;d=json.load(open('$OUT/one.json'));print($1)"; }
one_wall=$(pairs "f\"{d['b']['wall_ms_mean']:.0f} ± {d['b']['wall_ms_stdev']:.0f}\"")
one_cpu_ms=$(pairs "f\"{d['b']['cpu_ms_mean']:.1f}\"")
one_floor_ms=$(pairs "f\"{d['a']['cpu_ms_mean']:.1f}\"")
one_rss_mb=$(mb one)
one_added_ms=$(pairs "f\"{d['b_minus_a_cpu_ms_median']:.1f}\"")
small_s=$(hf small "f\"{statistics.median(runs):.2f}\"")
full_s=$(hf full "f\"{statistics.median(runs):.2f}\"")
full_range=$(hf full "f\"{min(runs):.2f}–{max(runs):.2f}\"")
disc_s=$(hf discover "f\"{statistics.median(runs):.2f}\"")
nopush_s=$(hf nopush "f\"{statistics.median(runs):.2f}\"")
nocheck_s=$(hf nocheck "f\"{statistics.median(runs):.2f}\"")
groups=$(curl -fsS "$PROMETHEUS_PUSHGATEWAY_URL/metrics" | grep -c '^push_time_seconds{' || true)
full_cpu_s=$(hf full "f\"{d['user']+d['system']:.2f}\"")
full_rss_mb=$(mb full)
ratio=$(python3 -c "print(f'{$full_s/$small_s:.1f}')")
full_errors=$(errors_of full)
nopush_errors=$(errors_of nopush)
nocheck_errors=$(errors_of nocheck)
per_run() { python3 -c "print(f'{($2 - $1) / ($RUNS + 1):.1f}')"; } # RUNS timed + 1 for RSS
fdb_cpu=$(per_run "$fdb0" "$fdb1")
mlf_cpu=$(per_run "$mlf0" "$mlf1")
pgw_cpu=$(per_run "$pgw0" "$pgw1")
push_ms=$(python3 -c "print(f'{$pgw_cpu * 1000 / $FLEET:.0f}')")
docs=$("$MM_VENV/bin/python" -c "import pymongo,os;print(pymongo.MongoClient(os.environ['MONGODB_URI']).neural_hive.specialist_feedback.count_documents({}))")
met() { python3 -c "print('met' if $1 else 'not met')"; }
full_met=$(met "$full_s <= 10")
nopush_met=$(met "$nopush_s <= 10")
nocheck_met=$(met "$nocheck_s <= 10")
ratio_met=$(met "$ratio <= 11")
cpu_met=$(met "$one_cpu_ms <= 5")
added_met=$(met "$one_added_ms <= 5")
rss_met=$(met "$one_rss_mb <= 25")

cat >docs/performance.md <<MD
# Performance

Measured by \`bash bench/run.sh\` (BENCH_FLEET=$FLEET, concurrency $CONC, $RUNS runs per fleet size)
on $(date -u +%Y-%m-%d), $(nproc) cores, against the real local services of \`scripts/services.sh\`
on 127.0.0.1: MLflow 3.17 (gunicorn, 2 workers x 4 threads, SQLite), FerretDB 1.24 (SQLite)
holding $docs feedback documents, the Pushgateway. Release build. Load average (1, 5, 15 min)
when the measurements started: $LOAD_BEFORE; when they ended: $LOAD_AFTER (the services share
the machine's cores with model-monitor and anything else running: a load above the core count
slows every server, hence every wall time below). Re-run the script to reproduce; it rewrites
this file.

| measurement | result | target |
|---|---|---|
| \`model-monitor version\`: CPU of the process (user+sys, mean of 30) / peak RSS | $version_cpu_ms ms / $version_rss_mb MB | |
| the floor: a C program that only links libcurl and libmongoc (\`bench/floor.c\`), same figures | $floor_cpu_ms ms / $floor_rss_mb MB | |
| libraries the binary maps at start (\`ldd\`): Arrow/Parquet among them | $all_libs: $arrow_libs | 0 (only \`retrain\` loads them) |
| one \`check\` as a whole process, wall time (mean ± sd of $ONE_RUNS runs) | $one_wall ms | servers' time + ~5 ms |
| CPU spent by the model-monitor process itself for one \`check\` (user+sys, mean of $ONE_RUNS; the floor in the same pairs: $one_floor_ms ms) | $one_cpu_ms ms | ≤ ~5 ms for the whole process: $cpu_met |
| of which beyond the floor: what model-monitor's own code, connections and requests cost (median of $ONE_RUNS differences check − floor, run in alternating pairs by \`bench/cpu_pairs.py\`) | $one_added_ms ms | ≤ ~5 ms beyond the floor: $added_met |
| peak RSS of one \`check\` | $one_rss_mb MB | ≤ ~25 MB: $rss_met |
| \`check --specialist-type all\`, $SMALL specialists (median) | $small_s s | |
| \`check --specialist-type all\`, $FLEET specialists (median; range) | $full_s s ($full_range s) | ≤ 10 s: $full_met |
| specialists with an error in the last run of each $FLEET-specialist row: pushed / no push / no consistency check | $full_errors / $nopush_errors / $nocheck_errors | 0 |
| ratio $FLEET / $SMALL | ${ratio}x | ≤ 11x: $ratio_met |
| the same, pushing to a Pushgateway run with \`--push.disable-consistency-check\` (median) | $nocheck_s s | ≤ 10 s: $nocheck_met |
| the same without pushing the metrics (no \`PROMETHEUS_PUSHGATEWAY_URL\`), $FLEET specialists (median) | $nopush_s s | ≤ 10 s: $nopush_met |
| \`check all --discover\` (registry search), $FLEET specialists (median) | $disc_s s | |
| peak RSS, $FLEET specialists | $full_rss_mb MB | |
| CPU of the model-monitor process, $FLEET specialists (user+sys, mean) | $full_cpu_s s | |
| CPU of the servers per $FLEET-specialist run: FerretDB / MLflow / Pushgateway | $fdb_cpu s / $mlf_cpu s / $pgw_cpu s | |

How a fleet stays cheap: the MongoDB statistics of the whole fleet are five grouped aggregations,
two at a time on the one \`mongoc_client_pool_t\` (FerretDB decodes the whole collection for
each: per-specialist queries would grow with fleet x collection size), each under
\`MONGODB_QUERY_TIMEOUT\` (default 20 s); MLflow is
asked for the whole fleet with four paged searches (registered models with their aliases, their
versions, the experiments, the production runs by id: ~0.7 s for 1,000 here), and only the
specialists those do not settle are looked up one by one; at most \`--concurrency\` specialists
are checked and pushed at once.

## Reading the figures

- **Where the time goes.** Three servers, in this order of cost for a fleet:
  - *The Pushgateway* checks every push for consistency against everything it holds (it
    gathers all its $groups groups, one per specialist, and it does so one push at a time):
    $push_ms ms of its CPU per push here, so N pushes cost O(N²) and a $FLEET-specialist run spends
    most of its time waiting for them (compare the row without the push, and the Pushgateway's
    CPU). This is the price of one group per specialist (a push never erases another
    specialist's series). A Pushgateway run with \`--push.disable-consistency-check\` does not
    gather anything on a push (its row above); whether to run it so (a malformed push is then
    accepted and can break the scrape; model-monitor's pushes come from a tested encoder) is a
    deployment decision, not model-monitor's.
  - *FerretDB v1* (SQLite backend) pushes no filter down but \`_id\`: every aggregation reads
    and decodes every document of the collection (~60% of its profile is JSON decoding,
    \`sjson.Unmarshal\`), \`\$group\` finds a document's group by a linear search among the
    groups so far, and it computes only the first accumulator of a \`\$group\`, so the five
    numbers of the statistics are five full scans. Five at once take as long together as two at
    a time (the scans compete for the same two cores and FerretDB's garbage collector; it holds
    every matched document of a \`\$group\` in memory), but then each of them takes the whole
    time and runs into its time limit: with 20,000 documents, on a busy day of this sandbox,
    five at once took 17.7 s and 17 s each, two at a time 18.8 s and ~7 s each, one after the
    other 22.8 s. Hence two at a time. The range of types instead of a 1,000-element \`\$in\` saves ~0.35 s per scan. On
    MongoDB the \`{specialist_type: 1, submitted_at: -1}\` index serves these \`\$match\`es.
    No way around the five scans was found that FerretDB v1 runs correctly: it has no \`\$cond\`,
    \`\$facet\`, \`\$bucket\` or comparison operators in expressions, and \`\$group\` hands one
    iterator to all of its accumulators, so every one after the first sees no document.
  - *MLflow*'s Python workers answer ~4 ms of CPU per request: the fleet's four searches replace
    two requests per specialist (2,000 for 1,000 specialists).
- **What model-monitor itself costs** is the CPU rows. The Arrow/Parquet code is a module,
  \`model-monitor-parquet.so\`, that only \`retrain\` loads (\`dlopen\`): \`check\` and
  \`version\` no longer map libarrow and libparquet, which cost ~6 ms of CPU and ~18 MB of RSS at
  every start (\`version\`: 33.4 MB before). What is left of a start is the floor row: loading
  libcurl and libmongoc (whose library constructor runs \`mongoc_init\`: OpenSSL, Cyrus SASL's
  plugins, ICU) with the ~40 libraries they pull in; \`version\` adds little to it, and a
  \`check\` adds its connections, threads and requests: for one specialist, three MongoDB
  connections (the pool's monitor, the calling thread's, one helper's for the second of the two
  parallel reads), two threads, one MLflow and one Pushgateway connection; the feedback is read
  on the calling thread once MLflow has answered (before, a thread of its own and a fourth
  connection cost ~1 ms more). Counted by callgrind for one \`check\`
  (~40 M instructions): the dynamic loader ~18 M, \`mongoc_init\` ~16 M (OpenSSL 3's
  \`SSL_CTX_new\` alone ~8 M, the SASL plugins it \`dlopen\`s ~5.5 M), model-monitor's own \`main\`
  ~3 M. The floor's milliseconds depend on the machine more than on the instructions: where
  a page fault is dear (~14 µs each in this sandbox on a busy day, ~840 for the floor), the
  floor was ~23 ms; on a quiet day it is ~10 ms (the run above), and the same binary's check
  varies by several milliseconds from one series to the next: hence the pairs. No program that
  links Debian's libmongoc and libcurl starts in ~5 ms here; what is model-monitor's to cut is
  the row beyond the floor. ~1 ms of the floor is Cyrus SASL loading its mechanism plugins
  (\`libsasl2-modules\`, installed here as a Recommends; libmongoc uses Cyrus only for GSSAPI):
  the container image installs without Recommends and loads only the sasldb plugin
  (\`libsasl2-modules-db\`, a Depends).
- **One run per row** when \`BENCH_RUNS=1\`: the rows that push to the Pushgateway with its
  consistency check vary most from run to run (its CPU per push depends on what it holds and
  on its garbage collector); the rows without the push are steadier.
- **Scaling** is linear or better (the ratio row): the MongoDB and MLflow work per run is a fixed
  number of requests; the pushes are one per specialist, bounded by \`--concurrency\` on our side
  and serialised by the Pushgateway on its side.
MD
cat docs/performance.md
