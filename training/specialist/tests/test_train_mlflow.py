"""train.main in this process against a real MLflow tracking server and registry."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mlflow import MlflowClient

import synthetic
import train

FOUR = ("precision", "recall", "f1_score", "accuracy")


def _run(tmp_path, specialist_type, table, *extra):
    path = tmp_path / f"{specialist_type}.parquet"
    synthetic.write(path, table)
    return train.main(["--dataset-path", str(path), "--specialist-type", specialist_type, *extra])


def _summary(capsys):
    out = capsys.readouterr().out.strip().splitlines()
    return json.loads(out[-1])


def test_trains_logs_and_registers_without_promoting(tmp_path, mlflow_env, specialist_type, capsys):
    table = synthetic.make_table(300, 20, specialist_type=specialist_type)
    assert _run(tmp_path, specialist_type, table) == 0
    summary = _summary(capsys)
    c = MlflowClient()
    run = c.get_run(summary["run_id"])

    assert run.info.status == "FINISHED"
    exp = c.get_experiment(run.info.experiment_id)
    assert exp.name == f"{specialist_type}-specialist"
    m = run.data.metrics
    for k in FOUR:
        assert 0.0 <= m[k] <= 1.0, k
    assert m["f1_score"] > 0.3  # the synthetic labels are learnable
    assert (m["train_rows"], m["eval_rows"], m["feedback_rows"], m["llm_rows"]) == (240, 60, 20, 280)
    assert run.data.tags["metric_average"] == "weighted"
    assert run.data.tags["eval_set"] == "mixed"
    assert run.data.params["eval_set"] == "mixed"
    assert run.data.params["specialist_type"] == specialist_type
    assert run.data.params["random_state"] == "42"
    assert run.data.tags["dataset.specialist_type"] == specialist_type
    assert len(run.inputs.dataset_inputs) == 1

    name = f"{specialist_type}-specialist"
    assert summary["model_name"] == name and summary["model_version"] == "1"
    mv = c.get_model_version(name, "1")
    assert mv.run_id == run.info.run_id
    assert mv.status == "READY"
    assert mv.current_stage == "None"
    assert not mv.aliases
    assert not c.get_registered_model(name).aliases
    assert mv.tags["specialist_type"] == specialist_type

    artifacts = [f.path for f in c.list_artifacts(run.info.run_id, "evaluation")]
    assert artifacts == ["evaluation/report.json"]


def test_model_loads_and_predicts_labels(tmp_path, mlflow_env, specialist_type, capsys, monkeypatch):
    import mlflow

    table = synthetic.make_table(200, specialist_type=specialist_type)
    assert _run(tmp_path, specialist_type, table, "--register", "false") == 0
    summary = _summary(capsys)
    assert summary["model_version"] is None
    assert MlflowClient().search_registered_models(f"name='{specialist_type}-specialist'") == []

    # MLflow 3.17 refuses to deserialize any sklearn model (skops included) without this.
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")
    model = mlflow.pyfunc.load_model(summary["model_uri"])
    X = table.to_pandas()[train.FEATURES].head(10)
    pred = np.asarray(model.predict(X))
    assert pred.shape == (10,) and set(pred.tolist()) <= {0, 1, 2, 3}
    schema = model.metadata.get_input_schema()
    assert schema.input_names() == train.FEATURES
    model_sk = mlflow.sklearn.load_model(summary["model_uri"])
    assert [n for n, _ in model_sk.steps] == ["scaler", "classifier"]


def test_feedback_rows_become_the_evaluation_set(tmp_path, mlflow_env, specialist_type, capsys):
    table = synthetic.make_table(300, 80, specialist_type=specialist_type)
    assert _run(tmp_path, specialist_type, table, "--min-real-eval-rows", "60") == 0
    summary = _summary(capsys)
    run = MlflowClient().get_run(summary["run_id"])
    assert run.data.tags["eval_set"] == "feedback_only"
    m = run.data.metrics
    # max(60, ceil(0.2 * 80)) feedback rows evaluate; all of them are feedback.
    assert m["eval_rows"] == 60 and m["eval_feedback_rows"] == 60
    assert m["train_rows"] == 240 and m["train_feedback_rows"] == 20
    for k in FOUR:
        assert 0.0 <= m[k] <= 1.0


def test_single_class_fails_clearly_and_marks_the_run_failed(tmp_path, mlflow_env, specialist_type, capsys):
    table = synthetic.make_table(100, labels=np.ones(100), specialist_type=specialist_type)
    assert _run(tmp_path, specialist_type, table) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("specialist-training: error: ")
    assert "single class (approve=100)" in err[-1]
    c = MlflowClient()
    exp = c.get_experiment_by_name(f"{specialist_type}-specialist")
    (run,) = c.search_runs([exp.experiment_id])
    assert run.info.status == "FAILED"
    assert "single class" in run.data.tags["training_error"]
    assert "f1_score" not in run.data.metrics
    assert c.search_registered_models(f"name='{specialist_type}-specialist'") == []


def test_schema_error_names_the_column_and_fails_the_run(tmp_path, mlflow_env, specialist_type, capsys):
    table = synthetic.make_table(50, specialist_type=specialist_type).drop_columns(["avg_diversity"])
    assert _run(tmp_path, specialist_type, table) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("specialist-training: error: ") and "missing column(s) avg_diversity" in err[-1]


def test_dataset_of_another_specialist_is_refused(tmp_path, mlflow_env, specialist_type, capsys):
    table = synthetic.make_table(50, specialist_type="business")
    assert _run(tmp_path, specialist_type, table) == 2
    assert "written for specialist_type 'business'" in capsys.readouterr().err


def test_unreachable_tracking_server_is_one_line_without_credentials(tmp_path, monkeypatch, capsys):
    import mlflow

    uri = "http://user:s3cret@127.0.0.1:9"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "2")
    monkeypatch.delenv("MLFLOW_RUN_ID", raising=False)
    mlflow.set_tracking_uri(uri)
    path = synthetic.write(tmp_path / "d.parquet", synthetic.make_table(20))
    try:
        assert train.main(["--dataset-path", path, "--specialist-type", "technical"]) == 1
    finally:
        mlflow.set_tracking_uri(None)  # then monkeypatch restores the environment
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("specialist-training: error: cannot start the MLflow run at http://***@127.0.0.1:9")
    assert "s3cret" not in "\n".join(err)
