"""End to end: `mlflow run training/specialist --env-manager local ...`, as model-monitor launches
it, against a real tracking server. The run is created first through the REST API and handed over
with --run-id, which is what model-monitor does."""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.error
import urllib.request

import synthetic
from conftest import PROJECT_DIR, VENV_BIN


def _rest(uri, method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"{uri}/api/2.0/mlflow/{path}",
        data=data,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def _create_run(uri, experiment_name):
    try:
        exp_id = _rest(uri, "POST", "experiments/create", {"name": experiment_name})["experiment_id"]
    except urllib.error.HTTPError:
        exp_id = _rest(uri, "GET", f"experiments/get-by-name?experiment_name={experiment_name}")[
            "experiment"
        ]["experiment_id"]
    run = _rest(
        uri,
        "POST",
        "runs/create",
        {
            "experiment_id": exp_id,
            "run_name": "retrain-e2e",
            "start_time": int(time.time() * 1000),
            "tags": [{"key": "model_monitor.trigger", "value": "test"}],
        },
    )["run"]
    return exp_id, run["info"]["run_id"]


def _mlflow_run(uri, cwd, *args):
    env = dict(os.environ)
    env["MLFLOW_TRACKING_URI"] = uri
    # --env-manager local runs `python` from PATH: it must be the venv's.
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] = "true"
    for var in ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME"):
        env.pop(var, None)
    cmd = [str(VENV_BIN / "mlflow"), "run", str(PROJECT_DIR), "--env-manager", "local", *args]
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_mlflow_run_with_run_id_finishes_with_metrics_and_an_unpromoted_version(
    tracking_uri, specialist_type, tmp_path
):
    dataset = synthetic.write(
        tmp_path / "dataset.parquet",
        synthetic.make_table(1000, 100, specialist_type=specialist_type),
    )
    exp_id, run_id = _create_run(tracking_uri, f"{specialist_type}-specialist")

    t0 = time.monotonic()
    p = _mlflow_run(
        tracking_uri,
        tmp_path,  # anywhere: the project runs from its own directory
        "--experiment-id", exp_id,
        "--run-id", run_id,
        "-P", f"dataset_path={dataset}",
        "-P", f"specialist_type={specialist_type}",
    )  # fmt: skip
    elapsed = time.monotonic() - t0
    assert p.returncode == 0, p.stderr[-3000:]
    summary = json.loads([line for line in p.stdout.splitlines() if line.startswith("{")][-1])
    assert summary["run_id"] == run_id
    print(f"mlflow run took {elapsed:.1f} s; train.py {summary['seconds']} s")

    run = _rest(tracking_uri, "GET", f"runs/get?run_id={run_id}")["run"]
    assert run["info"]["status"] == "FINISHED"
    assert run["info"]["experiment_id"] == exp_id
    metrics = {m["key"]: m["value"] for m in run["data"]["metrics"]}
    for k in ("precision", "recall", "f1_score", "accuracy"):
        assert 0.0 <= metrics[k] <= 1.0
    assert metrics["eval_rows"] == 50 and metrics["feedback_rows"] == 100
    tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
    assert tags["eval_set"] == "feedback_only"
    assert tags["metric_average"] == "weighted"
    assert tags["model_monitor.trigger"] == "test"  # the run model-monitor created, resumed
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    # mlflow run does not log the entry point's parameters into a resumed run; train.py does.
    assert params["specialist_type"] == specialist_type
    assert params["dataset_path"] == dataset
    assert params["model_name"] == "{specialist_type}-specialist"
    assert params["registered_model_name"] == f"{specialist_type}-specialist"

    name = f"{specialist_type}-specialist"
    mv = _rest(tracking_uri, "GET", f"model-versions/get?name={name}&version=1")["model_version"]
    assert mv["run_id"] == run_id
    assert mv["status"] == "READY"
    assert mv["current_stage"] == "None"
    assert not mv.get("aliases")
    rm = _rest(tracking_uri, "GET", f"registered-models/get?name={name}")["registered_model"]
    assert not rm.get("aliases")


def test_mlflow_run_without_run_id_creates_the_run_in_the_named_experiment(
    tracking_uri, specialist_type, tmp_path
):
    dataset = synthetic.write(tmp_path / "d.parquet", synthetic.make_table(200, specialist_type=None))
    p = _mlflow_run(
        tracking_uri,
        tmp_path,
        "--experiment-name", f"{specialist_type}-specialist",
        "-P", f"dataset_path={dataset}",
        "-P", f"specialist_type={specialist_type}",
        "-P", "model_name={type}-evaluator",
        "-P", "random_state=7",
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-3000:]
    summary = json.loads([line for line in p.stdout.splitlines() if line.startswith("{")][-1])
    run = _rest(tracking_uri, "GET", f"runs/get?run_id={summary['run_id']}")["run"]
    assert run["info"]["status"] == "FINISHED"
    exp = _rest(tracking_uri, "GET", f"experiments/get?experiment_id={run['info']['experiment_id']}")
    assert exp["experiment"]["name"] == f"{specialist_type}-specialist"
    params = {p["key"]: p["value"] for p in run["data"]["params"]}
    assert params["random_state"] == "7"
    assert summary["model_name"] == f"{specialist_type}-evaluator" and summary["model_version"] == "1"


def test_mlflow_run_with_a_bad_dataset_fails_the_run_with_one_error_line(
    tracking_uri, specialist_type, tmp_path
):
    exp_id, run_id = _create_run(tracking_uri, f"{specialist_type}-specialist")
    missing = tmp_path / "missing.parquet"
    p = _mlflow_run(
        tracking_uri,
        tmp_path,
        "--experiment-id", exp_id,
        "--run-id", run_id,
        "-P", f"dataset_path={missing}",
        "-P", f"specialist_type={specialist_type}",
    )  # fmt: skip
    assert p.returncode != 0
    errors = [line for line in p.stderr.splitlines() if line.startswith("specialist-training: error: ")]
    assert errors == [f"specialist-training: error: dataset {missing}: no such file"]
    run = _rest(tracking_uri, "GET", f"runs/get?run_id={run_id}")["run"]
    assert run["info"]["status"] == "FAILED"
    tags = {t["key"]: t["value"] for t in run["data"]["tags"]}
    assert tags["training_error"] == f"dataset {missing}: no such file"
