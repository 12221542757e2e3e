#!/usr/bin/env python3
"""Seeds the demo state into running local services (scripts/services.sh start).

    eval "$(scripts/services.sh env)"
    $MM_VENV/bin/python scripts/seed_demo.py            # seed unless already seeded
    $MM_VENV/bin/python scripts/seed_demo.py --reset    # delete the demo data, seed again

Reads MLFLOW_TRACKING_URI, MONGODB_URI and MONGODB_DATABASE (default neural_hive),
FEEDBACK_MONGODB_COLLECTION (specialist_feedback), OPINIONS_MONGODB_COLLECTION (cognitive_ledger).

What the demo looks like (thresholds of DESIGN §2: precision 0.75, recall 0.70, F1 0.72,
feedback average 0.6; window FEEDBACK_WINDOW_DAYS 30):

  technical     healthy. Versions 1 (alias previous-production) and 2 (alias production); a newer
                FINISHED run that is not registered and scores lower (must not be the baseline).
  business      healthy. Version 1 (alias production); a newer unregistered run.
  behavior      degraded: the production version (2) has recall 0.62 and F1 0.69; version 1
                (previous-production) was fine.
  evolution     degraded through feedback only: model metrics fine, feedback average ~0.45.
  architecture  no alias: version 2 is in the legacy stage "Production" (version 1 "Archived"),
                then a newer unregistered FINISHED run and a newest FAILED run with bad metrics.
                (If the MLflow server refuses stage transitions, no registered model is created
                and the monitor must fall back to the latest FINISHED run; the script says which.)

Each specialist also gets a few feedback documents 40 days old (outside the window) whose
ratings would change the averages if they were counted. Metrics are logged at steps 0..2; the
value at the highest step is the one that counts ("latest value").

Idempotent: without --reset, an existing complete demo is detected and left alone (runs and
model versions added later, e.g. by a demo `retrain`, are kept); a specialist whose demo data is
missing or partial is deleted and recreated. Deterministic: fixed random seed; only timestamps (relative to
now) and server-generated ids (run ids, experiment ids) change between runs.
Deleting MLflow demo data: registered models are deleted; runs are deleted (soft, MLflow keeps
them with lifecycle_stage=deleted; searches with the default ACTIVE_ONLY do not see them).
Mongo: documents of the five demo specialist types are deleted from the two collections only.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
import uuid
from pathlib import Path
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

SEED = 20240611
SPECIALISTS = ["technical", "business", "behavior", "evolution", "architecture"]
DEMO_TAG = "model_monitor.demo"  # set on experiments and registered models the demo created

FEATURES = [
    "num_tasks", "priority_score", "total_duration_ms", "avg_duration_ms", "risk_score",
    "complexity_score", "domain_risk_weight", "avg_task_complexity_factor",
    "num_patterns_detected", "num_anti_patterns_detected", "avg_pattern_quality",
    "total_anti_pattern_penalty", "num_nodes", "num_edges", "density", "avg_in_degree",
    "max_in_degree", "critical_path_length", "max_parallelism", "num_levels", "avg_coupling",
    "num_bottlenecks", "graph_complexity_score", "mean_norm", "std_norm", "avg_diversity",
]
assert len(FEATURES) == 26


@dataclass
class RunSpec:
    name: str
    precision: float
    recall: float
    accuracy: float
    days_ago: float                 # start time, relative to now
    status: str = "FINISHED"
    register: bool = False          # becomes a model version (versions numbered in order)
    aliases: list[str] = field(default_factory=list)
    stage: str | None = None        # legacy stage, for the architecture specialist

    @property
    def f1(self) -> float:
        return round(2 * self.precision * self.recall / (self.precision + self.recall), 4)


@dataclass
class FeedbackSpec:
    count: int        # inside the window
    mean: float       # target mean rating inside the window
    spread: float
    old_count: int    # 40 days old, outside the window
    old_mean: float


PLAN: dict[str, tuple[list[RunSpec], FeedbackSpec]] = {
    "technical": ([
        RunSpec("baseline-v1", 0.81, 0.77, 0.83, 20, register=True, aliases=["previous-production"]),
        RunSpec("retrain-v2", 0.86, 0.82, 0.87, 9, register=True, aliases=["production"]),
        RunSpec("tuning-experiment", 0.79, 0.74, 0.80, 2),
    ], FeedbackSpec(180, 0.80, 0.12, 6, 0.20)),
    "business": ([
        RunSpec("baseline-v1", 0.81, 0.78, 0.83, 12, register=True, aliases=["production"]),
        RunSpec("feature-trial", 0.77, 0.72, 0.79, 3),
    ], FeedbackSpec(120, 0.75, 0.14, 5, 0.25)),
    "behavior": ([
        RunSpec("baseline-v1", 0.80, 0.76, 0.82, 25, register=True, aliases=["previous-production"]),
        RunSpec("retrain-v2", 0.78, 0.62, 0.74, 6, register=True, aliases=["production"]),
    ], FeedbackSpec(90, 0.70, 0.15, 4, 0.30)),
    "evolution": ([
        RunSpec("baseline-v1", 0.84, 0.80, 0.85, 15, register=True, aliases=["production"]),
        RunSpec("feature-trial", 0.82, 0.79, 0.83, 4),
    ], FeedbackSpec(150, 0.45, 0.15, 6, 0.90)),
    "architecture": ([
        RunSpec("baseline-v1", 0.79, 0.73, 0.80, 30, register=True, stage="Archived"),
        RunSpec("retrain-v2", 0.80, 0.76, 0.82, 14, register=True, stage="Production"),
        RunSpec("candidate", 0.77, 0.71, 0.78, 5),
        RunSpec("crashed-retrain", 0.31, 0.22, 0.35, 1, status="FAILED"),
    ], FeedbackSpec(60, 0.68, 0.15, 3, 0.15)),
}

REVIEWERS = ["ana.souza@example.com", "bruno.lima@example.com", "carla.mendes@example.com",
             "diego.rocha@example.com", "elisa.ferreira@example.com"]
NOTES = {
    "approve": ["Sound analysis, agree with the recommendation.", "Well justified.",
                "Matches our own review.", ""],
    "reject": ["Missed an obvious risk in the plan.", "Recommendation contradicts the evidence.",
               "Too optimistic about the dependencies.", ""],
    "review_required": ["Partially right; needs a second look.", "Unclear reasoning on priority.",
                        ""],
}


def log(msg: str) -> None:
    print(f"[seed] {msg}", flush=True)


# ----------------------------------------------------------------------------- features

# ----------------------------------------------------------------------------- Mongo

def _plan_world():
    """The demo's one notion of ground truth: the LLM stand-in's plan generator and labelling
    rule (scripts/llm_standin.py). Human reviewers in the demo judge plans by the same rule the
    stand-in "LLM" labels them with, so a model trained on generated rows can be evaluated on
    feedback rows honestly, as in a real deployment where the LLM imitates the reviewers."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "llm_standin", Path(__file__).resolve().parent / "llm_standin.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.make_record


def reviewed_plan(rng: random.Random, make_record) -> tuple[dict, str]:
    """A plan's 26 features and the reviewer's recommendation for it."""
    record = make_record(rng.getrandbits(32), 0)
    features = {k: float(record[k]) for k in FEATURES}
    label = record["label"]
    # Reviewers have three answers: "conditional" plans are sent back for review.
    rec = "review_required" if label == "conditional" else label
    if rng.random() < 0.03:  # reviewers are not perfectly consistent
        rec = rng.choice(["approve", "reject", "review_required"])
    return features, rec


def gen_docs(rng: random.Random, stype: str, spec: FeedbackSpec, now: datetime):
    feedback, opinions = [], []
    make_record = _plan_world()

    def one(mean: float, spread: float, age: timedelta) -> None:
        rating = round(min(1.0, max(0.0, rng.gauss(mean, spread))), 2)
        features, rec = reviewed_plan(rng, make_record)
        opinion_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        plan_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        submitted = (now - age).replace(microsecond=(now - age).microsecond // 1000 * 1000)
        opinion_rec = rng.choice(["approve", "reject", "review_required", "conditional"])
        opinions.append({
            "opinion_id": opinion_id,
            "plan_id": plan_id,
            "specialist_type": stype,
            "recommendation": opinion_rec,
            "confidence_score": round(rng.uniform(0.5, 0.99), 3),
            "features": features,
            "created_at": submitted - timedelta(hours=rng.uniform(1, 48)),
        })
        feedback.append({
            "feedback_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
            "schema_version": "1.0.0",
            "opinion_id": opinion_id,
            "plan_id": plan_id,
            "specialist_type": stype,
            "human_rating": float(rating),
            "human_recommendation": rec,
            "feedback_notes": rng.choice(NOTES[rec]),
            "submitted_by": rng.choice(REVIEWERS),
            "submitted_at": submitted,
            "feedback_source": "human_expert",
            "metadata": {},
        })

    for _ in range(spec.count):
        # inside the window: up to 29.5 days ago, never in the future
        one(spec.mean, spec.spread, timedelta(seconds=rng.uniform(60, 29.5 * 86400)))
    for _ in range(spec.old_count):
        one(spec.old_mean, 0.05, timedelta(days=40, seconds=rng.uniform(0, 3 * 86400)))
    return feedback, opinions


FEEDBACK_INDEXES = [
    ([("opinion_id", 1)], {}),
    ([("specialist_type", 1), ("submitted_at", -1)], {}),
    ([("human_rating", 1)], {}),
    ([("feedback_id", 1)], {"unique": True}),
]


def seed_mongo(db, fb_coll: str, op_coll: str, reset: bool, now: datetime) -> dict:
    fb, op = db[fb_coll], db[op_coll]
    rng = random.Random(SEED)
    expected = {}
    docs = {}
    for stype in SPECIALISTS:
        f, o = gen_docs(rng, stype, PLAN[stype][1], now)
        docs[stype] = (f, o)
        expected[stype] = len(f)

    index_report = {}
    for keys, opts in FEEDBACK_INDEXES:
        name = "_".join(f"{k}_{d}" for k, d in keys)
        try:
            fb.create_index(keys, **opts)
            index_report[name + (" (unique)" if opts.get("unique") else "")] = "ok"
        except Exception as e:  # report, do not hide: FerretDB support matters to the C++ side
            index_report[name] = f"FAILED: {e}"
    try:
        op.create_index([("opinion_id", 1)])
        index_report[f"{op_coll}.opinion_id_1"] = "ok"
    except Exception as e:
        index_report[f"{op_coll}.opinion_id_1"] = f"FAILED: {e}"

    have = {s: fb.count_documents({"specialist_type": s}) for s in SPECIALISTS}
    have_op = {s: op.count_documents({"specialist_type": s}) for s in SPECIALISTS}
    # The demo's documents are recognised by their (seeded, hence fixed) feedback ids.
    first_ids = [docs[s][0][0]["feedback_id"] for s in SPECIALISTS]
    ids_present = fb.count_documents({"feedback_id": {"$in": first_ids}}) == len(first_ids)
    complete = ids_present and all(have[s] >= expected[s] and have_op[s] >= expected[s]
                                   for s in SPECIALISTS)
    if complete and not reset:
        log(f"mongo: demo data already present ({sum(have.values())} feedback documents); "
            "use --reset to recreate it (submitted_at is relative to the seeding time)")
    else:
        fb.delete_many({"specialist_type": {"$in": SPECIALISTS}})
        op.delete_many({"specialist_type": {"$in": SPECIALISTS}})
        for stype in SPECIALISTS:
            f, o = docs[stype]
            op.insert_many(o, ordered=True)
            fb.insert_many(f, ordered=True)
        log(f"mongo: inserted {sum(expected.values())} feedback documents and as many opinions "
            f"into {db.name}.{fb_coll} / {db.name}.{op_coll}")
    return {"expected": expected, "indexes": index_report}


def report_mongo(db, fb_coll: str, now: datetime, window_days: int) -> None:
    fb = db[fb_coll]
    d1, d2 = now - timedelta(days=window_days), datetime.now(timezone.utc)
    log(f"mongo: window stats over the last {window_days} days (server-side $match + $group/$count):")
    for stype in SPECIALISTS:
        match = {"specialist_type": stype, "submitted_at": {"$gte": d1, "$lte": d2},
                 "human_rating": {"$gte": 0, "$lte": 1}}
        # One accumulator per $group: FerretDB 1.24 computes only the first accumulator of a
        # $group and returns 0 for the others (FerretDB issue 4616); $avg is not implemented.
        g = list(fb.aggregate([{"$match": match},
                               {"$group": {"_id": None, "s": {"$sum": "$human_rating"}}}]))
        c = list(fb.aggregate([{"$match": match}, {"$count": "n"}]))
        pos = fb.count_documents({**match, "human_rating": {"$gte": 0.6, "$lte": 1}})
        neg = fb.count_documents({**match, "human_rating": {"$gte": 0, "$lt": 0.4}})
        total_all = fb.count_documents({"specialist_type": stype})
        n = c[0]["n"] if c else 0
        avg = g[0]["s"] / n if n and g else float("nan")
        log(f"  {stype:<13} in window {n:>3} (all {total_all:>3})  avg {avg:.3f}"
            f"  positive {pos}  negative {neg}  neutral {n - pos - neg}")


# ----------------------------------------------------------------------------- MLflow

def tiny_model(rng: random.Random, run: RunSpec):
    """A small real scikit-learn classifier over the 26 features (so versions are loadable)."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    r = np.random.default_rng(rng.getrandbits(32))
    x = r.normal(size=(120, len(FEATURES)))
    y = (x[:, 4] + 0.5 * x[:, 5] + r.normal(scale=1.0 - run.accuracy, size=120) > 0).astype(int)
    return LogisticRegression(max_iter=200).fit(x, y)


def mlflow_state_complete(client, stype: str) -> bool:
    from mlflow.exceptions import MlflowException

    runs, _ = PLAN[stype]
    exp = client.get_experiment_by_name(f"{stype}-specialist")
    if exp is None or exp.lifecycle_stage != "active" or exp.tags.get(DEMO_TAG) != str(SEED):
        return False
    # Subset checks, not equality: runs and versions added later (a demo `retrain`) are kept.
    found = client.search_runs([exp.experiment_id], max_results=1000)
    if not {r.name for r in runs} <= {r.data.tags.get("mlflow.runName", "") for r in found}:
        return False
    n_versions = sum(1 for r in runs if r.register)
    if n_versions == 0:
        return True
    try:
        versions = client.search_model_versions(f"name='{stype}-specialist'")
    except MlflowException:
        return False
    return len(versions) >= n_versions or (stype == "architecture" and len(versions) == 0)


def delete_mlflow_demo(client, stype: str) -> None:
    from mlflow.entities import ViewType
    from mlflow.exceptions import MlflowException

    name = f"{stype}-specialist"
    try:
        client.delete_registered_model(name)
        log(f"mlflow: deleted registered model {name}")
    except MlflowException as e:
        if "RESOURCE_DOES_NOT_EXIST" not in str(e.error_code):
            raise
    exp = client.get_experiment_by_name(name)
    if exp is None:
        return
    if exp.lifecycle_stage != "active":
        client.restore_experiment(exp.experiment_id)
    n = 0
    page = None
    while True:
        runs = client.search_runs([exp.experiment_id], run_view_type=ViewType.ACTIVE_ONLY,
                                  max_results=1000, page_token=page)
        for r in runs:
            client.delete_run(r.info.run_id)
            n += 1
        page = runs.token
        if not page:
            break
    if n:
        log(f"mlflow: deleted {n} runs of experiment {name}")


def seed_mlflow_specialist(client, stype: str, rng: random.Random, now_ms: int,
                           stages_supported: bool) -> str:
    import mlflow
    import mlflow.sklearn
    from mlflow.entities import Metric, Param, RunTag

    runs, _ = PLAN[stype]
    exp_name = model_name = f"{stype}-specialist"
    exp = client.get_experiment_by_name(exp_name)
    exp_id = exp.experiment_id if exp else client.create_experiment(exp_name)
    client.set_experiment_tag(exp_id, DEMO_TAG, str(SEED))
    client.set_experiment_tag(exp_id, "specialist_type", stype)

    use_registry = any(r.register for r in runs) and (
        stype != "architecture" or stages_supported)
    if use_registry:
        client.create_registered_model(
            model_name, tags={DEMO_TAG: str(SEED), "specialist_type": stype},
            description=f"{stype} specialist (model-monitor demo)")

    path = "alias"
    version_no = 0
    for i, run in enumerate(runs):
        start = now_ms - int(run.days_ago * 86400_000)
        created = client.create_run(exp_id, start_time=start, run_name=run.name, tags={
            "specialist_type": stype, "mlflow.source.type": "LOCAL",
            "mlflow.user": "model-monitor-demo"})
        rid = created.info.run_id
        finals = {"precision": run.precision, "recall": run.recall, "f1_score": run.f1,
                  "accuracy": run.accuracy}
        metrics = []
        for key, final in finals.items():
            # A short history: the value at the highest step is the one that counts.
            for step, factor in enumerate((0.90, 0.96, 1.0)):
                metrics.append(Metric(key, round(final * factor, 4),
                                      start + 60_000 * (step + 1), step))
        params = [Param("model_type", "logistic_regression"), Param("n_features", "26"),
                  Param("dataset_samples", str(1000 + 250 * i))]
        client.log_batch(rid, metrics=metrics, params=params,
                         tags=[RunTag("model_monitor.demo_run", run.name)])
        if run.register and use_registry:
            with mlflow.start_run(run_id=rid):
                info = mlflow.sklearn.log_model(
                    tiny_model(rng, run), name="model",
                    pip_requirements=["scikit-learn", "numpy"])
            version_no += 1
            mv = client.create_model_version(
                model_name, source=info.model_uri, run_id=rid, model_id=info.model_id,
                tags={"specialist_type": stype},
                description=f"{run.name}: f1 {run.f1}")
            assert int(mv.version) == version_no, (mv.version, version_no)
            for alias in run.aliases:
                client.set_registered_model_alias(model_name, alias, mv.version)
            if run.stage:
                client.transition_model_version_stage(model_name, mv.version, run.stage,
                                                      archive_existing_versions=False)
                path = "legacy stage"
        client.set_terminated(rid, run.status, end_time=start + 20 * 60_000)
    if not use_registry:
        path = "no registered model (latest FINISHED run fallback)"
    return path


def mlflow_version() -> str:
    import mlflow

    return f"mlflow {mlflow.__version__}"


def stages_supported_by_server(client) -> bool:
    """Probe: can this server still transition a version to a legacy stage?"""
    from mlflow.exceptions import MlflowException

    name = "model-monitor-seed-stage-probe"
    try:
        client.create_registered_model(name)
    except MlflowException:
        pass
    try:
        exp_id = client.get_experiment_by_name("Default").experiment_id
        run = client.create_run(exp_id, run_name="stage-probe")
        mv = client.create_model_version(name, source=f"{run.info.artifact_uri}/model",
                                         run_id=run.info.run_id)
        client.transition_model_version_stage(name, mv.version, "Production")
        client.delete_run(run.info.run_id)
        log(f"mlflow: the server still accepts legacy stage transitions ({mlflow_version()} client; "
            "deprecated API): architecture uses stage 'Production' without an alias")
        return True
    except MlflowException as e:
        log(f"mlflow: legacy stage transition refused: {e}")
        return False
    finally:
        try:
            client.delete_registered_model(name)
        except MlflowException:
            pass


def seed_mlflow(reset: bool, now_ms: int) -> dict:
    import logging
    import warnings

    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")
    import mlflow
    from mlflow import MlflowClient

    logging.getLogger("mlflow").setLevel(logging.WARNING)

    warnings.filterwarnings("ignore", category=FutureWarning)  # stage API deprecation notes
    mlflow.set_tracking_uri(os.environ["MLFLOW_TRACKING_URI"])
    client = MlflowClient()
    stages_ok = None
    paths = {}
    for stype in SPECIALISTS:
        rng = random.Random(f"{SEED}-{stype}")
        if not reset and mlflow_state_complete(client, stype):
            log(f"mlflow: {stype}: demo data already present")
            paths[stype] = "present"
            continue
        delete_mlflow_demo(client, stype)
        if stype == "architecture" and stages_ok is None:
            stages_ok = stages_supported_by_server(client)
        paths[stype] = seed_mlflow_specialist(client, stype, rng, now_ms, bool(stages_ok))
        log(f"mlflow: {stype}: seeded {len(PLAN[stype][0])} runs; production via {paths[stype]}")
    return paths


# ----------------------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description="Seed the model-monitor demo state.")
    ap.add_argument("--reset", action="store_true",
                    help="delete the demo data and recreate it (fresh timestamps)")
    ap.add_argument("--skip-mlflow", action="store_true")
    ap.add_argument("--skip-mongo", action="store_true")
    args = ap.parse_args()

    missing = [v for v in ("MLFLOW_TRACKING_URI", "MONGODB_URI") if not os.environ.get(v)]
    if missing:
        log(f"error: {', '.join(missing)} not set; run: eval \"$(scripts/services.sh env)\"")
        return 2

    now = datetime.now(timezone.utc)
    t0 = time.monotonic()
    if not args.skip_mongo:
        from pymongo import MongoClient

        mc = MongoClient(os.environ["MONGODB_URI"], serverSelectionTimeoutMS=5000, tz_aware=True)
        db = mc[os.environ.get("MONGODB_DATABASE", "neural_hive")]
        fb_coll = os.environ.get("FEEDBACK_MONGODB_COLLECTION", "specialist_feedback")
        op_coll = os.environ.get("OPINIONS_MONGODB_COLLECTION", "cognitive_ledger")
        res = seed_mongo(db, fb_coll, op_coll, args.reset, now)
        for name, state in res["indexes"].items():
            log(f"mongo: index {name}: {state}")
        report_mongo(db, fb_coll, now, int(os.environ.get("FEEDBACK_WINDOW_DAYS", "30")))
    if not args.skip_mlflow:
        seed_mlflow(args.reset, int(now.timestamp() * 1000))
    log(f"done in {time.monotonic() - t0:.1f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
