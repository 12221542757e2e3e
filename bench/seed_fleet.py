"""Seeds a fleet of N specialists for the benchmarks: per specialist an MLflow experiment
`{type}-specialist` with one FINISHED run (precision, recall, f1_score, accuracy), a registered
model `{type}-specialist` whose version 1 carries the `production` alias, and FEEDBACK_PER_TYPE
feedback documents in the window. Talks to MLflow REST directly (threads) so 1,000 specialists
seed in about a minute. Idempotent: specialists that already have their alias are skipped.

    python bench/seed_fleet.py --count 1000 [--feedback-per-type 20] [--prefix fleet]
"""

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import os
import random
import sys
import time
import urllib.error
import urllib.request
import uuid

import pymongo


def call(base, method, endpoint, body=None, query=""):
    url = f"{base}/api/2.0/mlflow/{endpoint}{query}"
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for attempt in range(5):
        try:
            with urllib.request.urlopen(req, timeout=60) as resp:
                return resp.status, json.loads(resp.read() or b"{}")
        except urllib.error.HTTPError as e:
            payload = e.read()
            try:
                return e.code, json.loads(payload or b"{}")
            except ValueError:
                return e.code, {"raw": payload.decode(errors="replace")}
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"{method} {url} kept failing")


def seed_one(base, name, rng_seed):
    rng = random.Random(rng_seed)
    model = f"{name}-specialist"
    status, body = call(base, "GET", "registered-models/alias", query=f"?name={model}&alias=production")
    if status == 200:
        return "skipped"
    status, body = call(base, "GET", "experiments/get-by-name", query=f"?experiment_name={model}")
    if status == 200:
        exp_id = body["experiment"]["experiment_id"]
    else:
        status, body = call(base, "POST", "experiments/create", {"name": model})
        exp_id = body["experiment_id"]
    now = int(time.time() * 1000)
    _, body = call(base, "POST", "runs/create", {"experiment_id": exp_id, "start_time": now - 60000})
    run_id = body["run"]["info"]["run_id"]
    p, r = rng.uniform(0.65, 0.95), rng.uniform(0.6, 0.95)
    f1 = 2 * p * r / (p + r)
    metrics = [{"key": k, "value": v, "timestamp": now, "step": 0}
               for k, v in (("precision", p), ("recall", r), ("f1_score", f1), ("accuracy", (p + r) / 2))]
    call(base, "POST", "runs/log-batch", {"run_id": run_id, "metrics": metrics})
    call(base, "POST", "runs/update", {"run_id": run_id, "status": "FINISHED", "end_time": now})
    call(base, "POST", "registered-models/create", {"name": model})
    _, body = call(base, "POST", "model-versions/create",
                   {"name": model, "source": f"runs:/{run_id}/model", "run_id": run_id})
    version = body["model_version"]["version"]
    call(base, "POST", "registered-models/alias", {"name": model, "alias": "production", "version": version})
    return "seeded"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--prefix", default="fleet")
    ap.add_argument("--feedback-per-type", type=int, default=20)
    ap.add_argument("--threads", type=int, default=8)
    args = ap.parse_args()
    base = os.environ["MLFLOW_TRACKING_URI"].rstrip("/")
    names = [f"{args.prefix}{i:04d}" for i in range(args.count)]

    started = time.time()
    with cf.ThreadPoolExecutor(args.threads) as pool:
        results = list(pool.map(lambda i: seed_one(base, names[i], i), range(len(names))))
    print(f"mlflow: {results.count('seeded')} seeded, {results.count('skipped')} already there "
          f"({time.time() - started:.1f} s)")

    db = pymongo.MongoClient(os.environ["MONGODB_URI"])[os.environ.get("MONGODB_DATABASE", "neural_hive")]
    col = db[os.environ.get("FEEDBACK_MONGODB_COLLECTION", "specialist_feedback")]
    have = set(col.distinct("specialist_type", {"metadata.bench": True}))
    now = dt.datetime.now(dt.timezone.utc)
    docs = []
    rng = random.Random(7)
    for name in names:
        if name in have:
            continue
        for _ in range(args.feedback_per_type):
            docs.append({
                "feedback_id": str(uuid.uuid4()), "schema_version": "1.0.0",
                "opinion_id": str(uuid.uuid4()), "plan_id": str(uuid.uuid4()),
                "specialist_type": name, "human_rating": round(rng.uniform(0.2, 1.0), 3),
                "human_recommendation": rng.choice(["approve", "reject", "review_required"]),
                "feedback_notes": "", "submitted_by": "bench",
                "submitted_at": now - dt.timedelta(hours=rng.uniform(1, 24 * 29)),
                "feedback_source": "human_expert", "metadata": {"bench": True},
            })
    for i in range(0, len(docs), 5000):
        col.insert_many(docs[i:i + 5000], ordered=False)
    print(f"mongodb: {len(docs)} feedback documents inserted, {col.count_documents({})} in the collection")
    return 0


if __name__ == "__main__":
    sys.exit(main())
