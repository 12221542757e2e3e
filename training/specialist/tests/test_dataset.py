"""Parameters and dataset validation: no MLflow needed."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

import synthetic
import train
from conftest import PROJECT_DIR


def _write(tmp_path, table, name="ds.parquet"):
    path = tmp_path / name
    pq.write_table(table, str(path))
    return str(path)


def _replace(table: pa.Table, name: str, array: pa.Array) -> pa.Table:
    i = table.schema.get_field_index(name)
    return table.set_column(i, pa.field(name, array.type), array)


def test_feature_list_is_the_platforms_schema():
    assert train.FEATURES == synthetic.FEATURES
    assert len(train.FEATURES) == 26 and len(set(train.FEATURES)) == 26


def test_valid_dataset_loads(tmp_path):
    path = _write(tmp_path, synthetic.make_table(100, 30))
    df, meta, digest = train.load_dataset(path)
    assert len(df) == 100
    assert (df[train.SOURCE] == "feedback").sum() == 30
    assert df[train.LABEL].dtype == np.int64
    assert meta["specialist_type"] == "technical" and meta["provider"] == "synthetic"
    assert len(digest) == 64


def test_extra_columns_and_other_order_are_accepted(tmp_path):
    t = synthetic.make_table(50)
    t = t.append_column("extra", pa.array(["x"] * 50))
    t = t.select(list(reversed(t.column_names)))
    df, _, _ = train.load_dataset(_write(tmp_path, t))
    assert len(df) == 50


def test_missing_file(tmp_path):
    with pytest.raises(train.TrainingError, match=r"no such file"):
        train.load_dataset(str(tmp_path / "absent.parquet"))


def test_relative_missing_path_hints_absolute():
    with pytest.raises(train.TrainingError, match=r"pass an absolute path"):
        train.load_dataset("nowhere/absent.parquet")


def test_not_parquet(tmp_path):
    p = tmp_path / "x.parquet"
    p.write_text("label,source\n1,llm\n")
    with pytest.raises(train.TrainingError, match=r"not a readable Parquet file"):
        train.load_dataset(str(p))


def test_missing_columns_are_named(tmp_path):
    t = synthetic.make_table(20).drop_columns(["density", "label"])
    with pytest.raises(train.TrainingError) as e:
        train.load_dataset(_write(tmp_path, t))
    msg = str(e.value)
    assert "missing column(s) density, label" in msg
    assert "\n" not in msg


def test_wrong_feature_type_is_named(tmp_path):
    t = synthetic.make_table(20)
    t = _replace(t, "num_tasks", pa.array(np.arange(20), pa.int64()))
    with pytest.raises(train.TrainingError, match=r"column num_tasks has type int64, expected float64"):
        train.load_dataset(_write(tmp_path, t))


def test_float32_feature_is_rejected(tmp_path):
    t = synthetic.make_table(20)
    t = _replace(t, "risk_score", pa.array(np.zeros(20), pa.float32()))
    with pytest.raises(train.TrainingError, match=r"column risk_score has type float, expected float64"):
        train.load_dataset(_write(tmp_path, t))


def test_wrong_label_type_is_named(tmp_path):
    t = synthetic.make_table(20)
    t = _replace(t, "label", pa.array(["approve"] * 20))
    with pytest.raises(train.TrainingError, match=r"column label has type string, expected int64"):
        train.load_dataset(_write(tmp_path, t))


def test_wrong_created_at_type_is_named(tmp_path):
    t = synthetic.make_table(20)
    t = _replace(t, "created_at", pa.array(["2026-01-01"] * 20))
    with pytest.raises(train.TrainingError, match=r"column created_at has type string, expected timestamp"):
        train.load_dataset(_write(tmp_path, t))


def test_label_out_of_range(tmp_path):
    t = synthetic.make_table(20, labels=[0, 1, 2, 3, 7] * 4)
    with pytest.raises(train.TrainingError, match=r"column label has value\(s\) \[7\] outside 0..3"):
        train.load_dataset(_write(tmp_path, t))


def test_unknown_source(tmp_path):
    t = synthetic.make_table(20)
    t = _replace(t, "source", pa.array(["llm"] * 19 + ["human"]))
    with pytest.raises(train.TrainingError, match=r"column source has value\(s\) \['human'\]"):
        train.load_dataset(_write(tmp_path, t))


def test_dictionary_encoded_source_is_accepted(tmp_path):
    t = synthetic.make_table(20)
    t = _replace(t, "source", pa.array(["llm"] * 10 + ["feedback"] * 10).dictionary_encode())
    df, _, _ = train.load_dataset(_write(tmp_path, t))
    assert (df[train.SOURCE] == "feedback").sum() == 10


def test_nan_feature(tmp_path):
    t = synthetic.make_table(20)
    vals = np.ones(20)
    vals[3] = np.nan
    vals[5] = np.inf
    t = _replace(t, "avg_coupling", pa.array(vals, pa.float64()))
    with pytest.raises(train.TrainingError, match=r"column avg_coupling has 2 null/NaN/infinite"):
        train.load_dataset(_write(tmp_path, t))


def test_empty_dataset(tmp_path):
    t = synthetic.make_table(20).slice(0, 0)
    with pytest.raises(train.TrainingError, match=r"is empty \(0 rows\)"):
        train.load_dataset(_write(tmp_path, t))


@pytest.mark.parametrize(
    "args, pattern",
    [
        (["--specialist-type", "technical"], r"required: --dataset-path"),
        (["--dataset-path", "x", "--specialist-type", "Bad Type"], r"specialist_type='Bad Type'"),
        (["--dataset-path", "x", "--specialist-type", "t", "--test-size", "1.5"], r"test_size='1.5'"),
        (["--dataset-path", "x", "--specialist-type", "t", "--test-size", "abc"], r"not a number"),
        (["--dataset-path", "x", "--specialist-type", "t", "--random-state", "1.5"], r"not an integer"),
        (["--dataset-path", "x", "--specialist-type", "t", "--min-real-eval-rows", "0"], r">= 1"),
        (["--dataset-path", "x", "--specialist-type", "t", "--register", "maybe"], r"true or false"),
        (["--dataset-path", "x", "--specialist-type", "t", "--model-name", "a b"], r"model_name"),
        (["--dataset-path", "x", "--specialist-type", "t", "--unknown", "1"], r"unrecognized"),
    ],
)
def test_bad_parameters(args, pattern):
    with pytest.raises(train.TrainingError, match=pattern):
        train.parse_options(args)


def test_bad_parameters_exit_2_with_one_line(capsys):
    assert train.main(["--dataset-path", "x", "--specialist-type", "NO"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("specialist-training: error: ")


def test_model_name_template():
    base = ["--dataset-path", "x", "--specialist-type", "business"]
    assert train.parse_options(base).model_name == "business-specialist"
    assert train.parse_options(base + ["--model-name", "{type}-evaluator"]).model_name == "business-evaluator"
    assert train.parse_options(base + ["--model-name", "fixed"]).model_name == "fixed"
    assert train.parse_options(base + ["--register", "FALSE"]).register is False


def test_mlproject_matches_train_cli():
    spec = yaml.safe_load((PROJECT_DIR / "MLproject").read_text())
    assert spec["name"] == "specialist-training"
    main = spec["entry_points"]["main"]
    params = main["parameters"]
    assert list(params) == [
        "dataset_path",
        "specialist_type",
        "model_name",
        "test_size",
        "random_state",
        "min_real_eval_rows",
        "register",
    ]
    assert params["model_name"]["default"] == "{specialist_type}-specialist"
    assert float(params["test_size"]["default"]) == 0.2
    assert int(params["random_state"]["default"]) == 42
    assert int(params["min_real_eval_rows"]["default"]) == 50
    assert params["register"]["default"] == "true"
    # Every parameter reaches train.py under its own option, and the defaults parse.
    argv = main["command"].split()[2:]
    for name in params:
        assert f"--{name.replace('_', '-')}" in argv and f"{{{name}}}" in argv
    defaults = {k: (v["default"] if isinstance(v, dict) else "x") for k, v in params.items()}
    defaults["specialist_type"] = "technical"
    opts = train.parse_options([str(a).format(**defaults) for a in argv])
    assert (opts.test_size, opts.random_state, opts.min_real_eval_rows, opts.register) == (0.2, 42, 50, True)
