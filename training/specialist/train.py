#!/usr/bin/env python3
"""Reference training entry point of a specialist (DESIGN §3, §5; spec "Auto-Retrain Flow").

Launched by model-monitor through `mlflow run <this dir> --env-manager local ...` (see README.md):
reads a Parquet dataset in the platform's training schema, validates it, trains a scikit-learn
classifier on the 26 features, evaluates it on a held-out set (real feedback rows only when there
are enough of them), logs params/metrics/model into the active MLflow run and registers a new
version of the model. It never promotes (no alias, no stage): model-monitor decides that.

Exit codes: 0 trained (and registered), 2 bad input (parameters or dataset), 1 anything else
(tracking server, registry, wrong Python, internal), 130 interrupted (SIGINT/SIGTERM; the run
ends KILLED). On failure stderr has exactly one line `specialist-training: error: <reason>` and
the run has the tag `training_error`. On success stdout's last line is a JSON summary.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import logging
import math
import os
import re
import signal
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field

PROG = "specialist-training"

# DESIGN §5: column order fixed by the platform.
FEATURES = [
    "num_tasks",
    "priority_score",
    "total_duration_ms",
    "avg_duration_ms",
    "risk_score",
    "complexity_score",
    "domain_risk_weight",
    "avg_task_complexity_factor",
    "num_patterns_detected",
    "num_anti_patterns_detected",
    "avg_pattern_quality",
    "total_anti_pattern_penalty",
    "num_nodes",
    "num_edges",
    "density",
    "avg_in_degree",
    "max_in_degree",
    "critical_path_length",
    "max_parallelism",
    "num_levels",
    "avg_coupling",
    "num_bottlenecks",
    "graph_complexity_score",
    "mean_norm",
    "std_norm",
    "avg_diversity",
]
LABEL = "label"
SOURCE = "source"
CREATED_AT = "created_at"
LABEL_NAMES = {0: "reject", 1: "approve", 2: "review_required", 3: "conditional"}
SOURCES = ("llm", "feedback")
# DESIGN §1: a specialist type ends up in URLs, filters and file names.
SPECIALIST_TYPE_RE = re.compile(r"[a-z][a-z0-9_-]{0,62}")
# MLflow registered model names: keep to what every registry and URL accepts.
MODEL_NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,255}")
MIN_ROWS = 10
MIN_ROWS_PER_SIDE = 2
METRIC_AVERAGE = "weighted"
MODEL_ARTIFACT_NAME = "model"

# The classifier: gradient-boosted trees, small and fast (about 2 s for 2k rows), deterministic
# given random_state (subsample draws from it). Plain GradientBoostingClassifier rather than the
# histogram variant on purpose: its predict is single-threaded, while HistGradientBoosting's
# OpenMP predict costs a thread rendezvous per tree, measured at 16 ms for one row (vs 1 ms) on a
# busy 2-core machine, which is what a CPU-limited serving pod looks like. Trees do not need
# scaling; the scaler keeps the usual Pipeline shape and costs nothing.
CLASSIFIER_PARAMS = {
    "n_estimators": 100,
    "learning_rate": 0.1,
    "max_depth": 3,
    "subsample": 0.8,
}
CLASSIFIER_NAME = "StandardScaler+GradientBoostingClassifier"

# skops (MLflow 3.17's default format, no pickle) refuses tree internals unless they are listed as
# trusted (a crafted file could hold out-of-range node indices); we built this model ourselves.
# The list is recorded in the model's MLmodel; loaders still need
# MLFLOW_ALLOW_PICKLE_DESERIALIZATION=true with MLflow 3.17.
SKOPS_TRUSTED_TYPES = ["sklearn.tree._tree.Tree"]


class TrainingError(Exception):
    """Bad input (parameters or dataset). The message is one line and names what is wrong."""


@dataclass
class Options:
    dataset_path: str
    specialist_type: str
    model_name_template: str
    model_name: str
    test_size: float
    random_state: int
    min_real_eval_rows: int
    register: bool
    raw: dict[str, str] = field(default_factory=dict)  # parameters as given (logged as params)


@dataclass
class Split:
    train_idx: list
    eval_idx: list
    eval_set: str  # feedback_only | mixed
    stratified: bool


# --------------------------------------------------------------------------------------------
# Parameters


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # one line, no usage dump
        raise TrainingError(f"invalid arguments: {message}")


def _parse_bool(name: str, value: str) -> bool:
    v = value.strip().lower()
    if v in ("true", "1", "yes"):
        return True
    if v in ("false", "0", "no"):
        return False
    raise TrainingError(f"parameter {name}={value!r}: expected true or false")


def parse_options(argv: list[str] | None) -> Options:
    p = _Parser(prog="train.py", description="Train and register a specialist model.")
    p.add_argument("--dataset-path", required=True)
    p.add_argument("--specialist-type", required=True)
    p.add_argument("--model-name", default="{specialist_type}-specialist")
    p.add_argument("--test-size", default="0.2")
    p.add_argument("--random-state", default="42")
    p.add_argument("--min-real-eval-rows", default="50")
    p.add_argument("--register", default="true")
    a = p.parse_args(argv)
    raw = {
        "dataset_path": a.dataset_path,
        "specialist_type": a.specialist_type,
        "model_name": a.model_name,
        "test_size": a.test_size,
        "random_state": a.random_state,
        "min_real_eval_rows": a.min_real_eval_rows,
        "register": a.register,
    }

    st = a.specialist_type
    if not SPECIALIST_TYPE_RE.fullmatch(st):
        raise TrainingError(f"parameter specialist_type={st!r}: must match [a-z][a-z0-9_-]{{0,62}}")

    # The template accepts {specialist_type} and {type} (MLFLOW_MODEL_NAME_TEMPLATE, DESIGN §3).
    model_name = a.model_name.replace("{specialist_type}", st).replace("{type}", st)
    if not MODEL_NAME_RE.fullmatch(model_name):
        raise TrainingError(
            f"parameter model_name={a.model_name!r} gives {model_name!r}: expected letters, digits, "
            "'.', '_', '-' (placeholders: {specialist_type}, {type})"
        )

    try:
        test_size = float(a.test_size)
    except ValueError:
        raise TrainingError(f"parameter test_size={a.test_size!r}: not a number") from None
    if not (0.0 < test_size < 1.0):
        raise TrainingError(f"parameter test_size={a.test_size!r}: must be in (0, 1)")

    def _int(name: str, value: str, minimum: int) -> int:
        try:
            n = int(value)
        except ValueError:
            raise TrainingError(f"parameter {name}={value!r}: not an integer") from None
        if n < minimum:
            raise TrainingError(f"parameter {name}={value!r}: must be >= {minimum}")
        return n

    random_state = _int("random_state", a.random_state, 0)
    if random_state > 2**32 - 1:
        raise TrainingError(f"parameter random_state={a.random_state!r}: must be < 2^32")
    min_real = _int("min_real_eval_rows", a.min_real_eval_rows, 1)

    return Options(
        dataset_path=a.dataset_path,
        specialist_type=st,
        model_name_template=a.model_name,
        model_name=model_name,
        test_size=test_size,
        random_state=random_state,
        min_real_eval_rows=min_real,
        register=_parse_bool("register", a.register),
        raw=raw,
    )


# --------------------------------------------------------------------------------------------
# Dataset


def _expected_type_ok(column: str, t) -> bool:
    import pyarrow as pa

    if column in FEATURES:
        return pa.types.is_float64(t)
    if column == LABEL:
        return pa.types.is_int64(t)
    if column == SOURCE:
        if pa.types.is_dictionary(t):
            t = t.value_type
        return pa.types.is_string(t) or pa.types.is_large_string(t)
    if column == CREATED_AT:
        return pa.types.is_timestamp(t)
    return True


_EXPECTED = {LABEL: "int64", SOURCE: "string", CREATED_AT: "timestamp"}


def load_dataset(path: str):
    """Reads and validates the dataset. Returns (DataFrame, file metadata dict, sha256)."""
    import pyarrow.parquet as pq

    if not os.path.isabs(path):
        hint = " (relative paths resolve against the project directory; pass an absolute path)"
    else:
        hint = ""
    if not os.path.exists(path):
        raise TrainingError(f"dataset {path}: no such file{hint}")
    if not os.path.isfile(path):
        raise TrainingError(f"dataset {path}: not a regular file")
    try:
        pf = pq.ParquetFile(path)
        schema = pf.schema_arrow
    except Exception as e:  # pyarrow raises several types for a bad file
        raise TrainingError(f"dataset {path}: not a readable Parquet file: {_one_line(e)}") from None

    names = list(schema.names)
    problems = []
    required = FEATURES + [LABEL, SOURCE, CREATED_AT]
    missing = [c for c in required if c not in names]
    if missing:
        problems.append("missing column(s) " + ", ".join(missing))
    dup = sorted({c for c in names if names.count(c) > 1 and c in required})
    if dup:
        problems.append("duplicate column(s) " + ", ".join(dup))
    for c in required:
        if c in names and c not in dup:
            t = schema.field(c).type
            if not _expected_type_ok(c, t):
                want = "float64 (double)" if c in FEATURES else _EXPECTED[c]
                problems.append(f"column {c} has type {t}, expected {want}")
    if problems:
        raise TrainingError(f"dataset {path}: schema mismatch: " + "; ".join(problems))

    meta = {}
    for k, v in (schema.metadata or {}).items():
        key = k.decode("utf-8", "replace")
        if key in ("pandas", "ARROW:schema"):
            continue
        meta[key] = v.decode("utf-8", "replace")

    try:
        table = pf.read(columns=required)
    except Exception as e:
        raise TrainingError(f"dataset {path}: cannot read: {_one_line(e)}") from None
    if table.num_rows == 0:
        raise TrainingError(f"dataset {path} is empty (0 rows)")
    df = table.to_pandas()

    import numpy as np

    for c in FEATURES:
        col = df[c].to_numpy(dtype=np.float64)
        bad = int((~np.isfinite(col)).sum())
        if bad:
            problems.append(f"column {c} has {bad} null/NaN/infinite value(s)")
    if df[LABEL].isna().any():
        problems.append(f"column {LABEL} has {int(df[LABEL].isna().sum())} null(s)")
    else:
        bad_labels = sorted(set(int(x) for x in df[LABEL].unique()) - set(LABEL_NAMES))
        if bad_labels:
            problems.append(
                f"column {LABEL} has value(s) {bad_labels[:5]} outside 0..3 "
                "(0 reject, 1 approve, 2 review_required, 3 conditional)"
            )
    src = df[SOURCE].astype("object")
    bad_src = sorted({str(x) for x in src[~src.isin(SOURCES)].unique()})
    if bad_src:
        problems.append(f"column {SOURCE} has value(s) {bad_src[:5]}, expected llm or feedback")
    if df[CREATED_AT].isna().any():
        problems.append(f"column {CREATED_AT} has {int(df[CREATED_AT].isna().sum())} null(s)")
    if problems:
        raise TrainingError(f"dataset {path}: " + "; ".join(problems))

    df[LABEL] = df[LABEL].astype(np.int64)
    df[SOURCE] = src.astype(str)
    return df, meta, _sha256(path)


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _label_summary(y) -> str:
    counts = y.value_counts().sort_index()
    return ", ".join(f"{LABEL_NAMES[int(k)]}={int(v)}" for k, v in counts.items())


# --------------------------------------------------------------------------------------------
# Split


def _can_stratify(y, n_eval: int) -> bool:
    counts = y.value_counts()
    n = len(y)
    k = len(counts)
    return k > 1 and counts.min() >= 2 and k <= n_eval <= n - k


def split_dataset(df, opts: Options) -> Split:
    """Held-out evaluation set.

    With at least `min_real_eval_rows` feedback rows (real human labels) the evaluation set is
    drawn only from them: max(min_real_eval_rows, ceil(test_size * feedback_rows)) of them,
    stratified when possible; everything else (all LLM rows and the remaining feedback rows)
    trains. Otherwise a stratified `test_size` split of all rows.
    """
    from sklearn.model_selection import train_test_split

    y = df[LABEL]
    feedback = df.index[df[SOURCE] == "feedback"]
    if len(feedback) >= opts.min_real_eval_rows:
        pool = feedback
        n_eval = min(len(pool), max(opts.min_real_eval_rows, math.ceil(opts.test_size * len(pool))))
        eval_set = "feedback_only"
    else:
        pool = df.index
        n_eval = max(1, math.ceil(opts.test_size * len(pool)))
        eval_set = "mixed"

    if n_eval >= len(pool):
        eval_idx, stratified = list(pool), False
    else:
        y_pool = y.loc[pool]
        stratified = _can_stratify(y_pool, n_eval)
        _, eval_idx = train_test_split(
            list(pool),
            test_size=n_eval,
            random_state=opts.random_state,
            shuffle=True,
            stratify=y_pool.to_numpy() if stratified else None,
        )
    eval_set_idx = set(eval_idx)
    train_idx = [i for i in df.index if i not in eval_set_idx]
    eval_idx = sorted(eval_set_idx)

    if len(train_idx) < MIN_ROWS_PER_SIDE or len(eval_idx) < 1:
        raise TrainingError(
            f"split leaves {len(train_idx)} training and {len(eval_idx)} evaluation row(s)"
        )
    train_classes = y.loc[train_idx].nunique()
    if train_classes < 2:
        raise TrainingError(
            f"the training part ({eval_set} evaluation) has a single class "
            f"({_label_summary(y.loc[train_idx])}); add rows of other labels"
        )
    return Split(train_idx=train_idx, eval_idx=eval_idx, eval_set=eval_set, stratified=stratified)


# --------------------------------------------------------------------------------------------
# Model


def build_model(random_state: int):
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import StandardScaler

    return Pipeline(
        [
            ("scaler", StandardScaler()),
            ("classifier", GradientBoostingClassifier(random_state=random_state, **CLASSIFIER_PARAMS)),
        ]
    )


def evaluate(y_true, y_pred) -> dict[str, float]:
    from sklearn.metrics import accuracy_score, precision_recall_fscore_support

    p, r, f, _ = precision_recall_fscore_support(
        y_true, y_pred, average=METRIC_AVERAGE, zero_division=0
    )
    return {
        "precision": float(p),
        "recall": float(r),
        "f1_score": float(f),
        "accuracy": float(accuracy_score(y_true, y_pred)),
    }


def report(y_true, y_pred) -> dict:
    from sklearn.metrics import classification_report, confusion_matrix

    labels = sorted(set(int(v) for v in y_true) | set(int(v) for v in y_pred))
    names = [LABEL_NAMES[v] for v in labels]
    return {
        "labels": names,
        "classification_report": classification_report(
            y_true, y_pred, labels=labels, target_names=names, output_dict=True, zero_division=0
        ),
        "confusion_matrix": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
        "confusion_matrix_axes": "rows: true label, columns: predicted label",
    }


# --------------------------------------------------------------------------------------------
# MLflow


_USERINFO = re.compile(r"(?<=://)[^/@\s]+@")


def _redact(text: str) -> str:
    """Masks credentials in URLs (scheme://user:password@host), DESIGN §7."""
    return _USERINFO.sub("***@", text)


def _one_line(e: BaseException) -> str:
    s = _redact(" ".join(str(e).split()))
    return s[:600] + ("..." if len(s) > 600 else "") if s else type(e).__name__


def _log_params_once(client, run_id: str, params: dict[str, str]) -> None:
    """Logs params not already on the run. `mlflow run` logs the entry point's parameters itself
    when it creates the run, but not when it resumes one (--run-id): log what is missing, never
    overwrite (MLflow refuses to change a param's value)."""
    from mlflow.entities import Param

    existing = client.get_run(run_id).data.params
    new = [Param(k, str(v)) for k, v in params.items() if k not in existing]
    for i in range(0, len(new), 100):
        client.log_batch(run_id, params=new[i : i + 100])


def _start_run(opts: Options):
    import mlflow

    if os.environ.get("MLFLOW_RUN_ID"):
        # Launched by `mlflow run` (with or without --run-id): resume the run it prepared.
        return mlflow.start_run()
    # Run by hand: the specialist's experiment (DESIGN §3) unless the environment says otherwise.
    if not os.environ.get("MLFLOW_EXPERIMENT_ID") and not os.environ.get("MLFLOW_EXPERIMENT_NAME"):
        mlflow.set_experiment(f"{opts.specialist_type}-specialist")
    return mlflow.start_run()


def train_in_run(opts: Options, run, out=None) -> dict:
    import mlflow
    import numpy as np
    import sklearn
    from mlflow.models import infer_signature

    out = out or sys.stdout
    client = mlflow.MlflowClient()
    run_id = run.info.run_id
    t0 = time.monotonic()

    _log_params_once(client, run_id, opts.raw)
    mlflow.set_tags(
        {
            "specialist_type": opts.specialist_type,
            "metric_average": METRIC_AVERAGE,
            "registered_model_name": opts.model_name,
            "training_project": PROG,
        }
    )

    df, meta, digest = load_dataset(opts.dataset_path)
    if opts.specialist_type and meta.get("specialist_type") not in (None, "", opts.specialist_type):
        raise TrainingError(
            f"dataset {opts.dataset_path} was written for specialist_type "
            f"{meta['specialist_type']!r}, not {opts.specialist_type!r}"
        )
    n_classes = df[LABEL].nunique()
    if len(df) < MIN_ROWS:
        raise TrainingError(f"dataset {opts.dataset_path} has {len(df)} row(s); at least {MIN_ROWS} are needed")
    if n_classes < 2:
        raise TrainingError(
            f"dataset {opts.dataset_path} has a single class ({_label_summary(df[LABEL])}); "
            "a classifier needs at least two labels"
        )
    n_feedback = int((df[SOURCE] == "feedback").sum())
    n_llm = int((df[SOURCE] == "llm").sum())
    print(
        f"{PROG}: dataset {opts.dataset_path}: {len(df)} rows ({n_llm} llm, {n_feedback} feedback); "
        f"labels {_label_summary(df[LABEL])}",
        file=out,
    )

    split = split_dataset(df, opts)
    X = df[FEATURES]
    y = df[LABEL]
    X_train, y_train = X.loc[split.train_idx], y.loc[split.train_idx]
    X_eval, y_eval = X.loc[split.eval_idx], y.loc[split.eval_idx]

    tags = {"eval_set": split.eval_set, "dataset_sha256": digest}
    tags.update({f"dataset.{k}": v[:5000] for k, v in meta.items()})
    mlflow.set_tags(tags)
    _log_params_once(
        client,
        run_id,
        {
            "registered_model_name": opts.model_name,
            "eval_set": split.eval_set,
            "stratified": str(split.stratified).lower(),
            "classifier": CLASSIFIER_NAME,
            **{f"classifier.{k}": v for k, v in CLASSIFIER_PARAMS.items()},
            "dataset_sha256": digest,
            "sklearn_version": sklearn.__version__,
        },
    )
    try:
        dataset = mlflow.data.from_pandas(
            df[FEATURES + [LABEL]],
            source=os.path.abspath(opts.dataset_path),
            targets=LABEL,
            name=os.path.basename(opts.dataset_path),
            digest=digest[:16],
        )
        mlflow.log_input(dataset, context="training")
    except Exception as e:  # lineage is a nicety; never fail a training for it
        print(f"{PROG}: warning: dataset lineage not logged: {_one_line(e)}", file=sys.stderr)

    model = build_model(opts.random_state)
    t_fit = time.monotonic()
    model.fit(X_train, y_train)
    fit_seconds = time.monotonic() - t_fit
    y_pred = model.predict(X_eval)
    metrics = evaluate(y_eval, y_pred)
    counts = {
        "train_rows": len(split.train_idx),
        "eval_rows": len(split.eval_idx),
        "feedback_rows": n_feedback,
        "llm_rows": n_llm,
        "eval_feedback_rows": int((df.loc[split.eval_idx, SOURCE] == "feedback").sum()),
        "train_feedback_rows": int((df.loc[split.train_idx, SOURCE] == "feedback").sum()),
    }
    print(
        f"{PROG}: eval_set={split.eval_set} train={counts['train_rows']} eval={counts['eval_rows']} "
        + " ".join(f"{k}={v:.4f}" for k, v in metrics.items()),
        file=out,
    )

    mlflow.log_dict(
        {"eval_set": split.eval_set, "metric_average": METRIC_AVERAGE, **report(y_eval, y_pred)},
        "evaluation/report.json",
    )

    example = X_train.head(5).astype(np.float64)
    signature = infer_signature(example, model.predict(example))
    from mlflow import sklearn as mlflow_sklearn

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        info = mlflow_sklearn.log_model(
            model,
            name=MODEL_ARTIFACT_NAME,
            signature=signature,
            input_example=example,
            serialization_format=mlflow_sklearn.SERIALIZATION_FORMAT_SKOPS,
            skops_trusted_types=SKOPS_TRUSTED_TYPES,
            # Explicit requirements: skips MLflow's slow requirement inference (a subprocess).
            pip_requirements=mlflow_sklearn.get_default_pip_requirements(include_skops=True),
        )
    mlflow.log_metrics(
        {**metrics, **{k: float(v) for k, v in counts.items()}, "fit_seconds": fit_seconds},
        model_id=info.model_id,
    )

    version = None
    if opts.register:
        # Registered last, once everything else is on the run. No alias, no stage: promotion is
        # model-monitor's decision (DESIGN §3).
        with contextlib.redirect_stderr(io.StringIO()):  # "Successfully registered model ..."
            mv = mlflow.register_model(info.model_uri, opts.model_name)
        version = mv.version
        try:
            for k, v in {
                "specialist_type": opts.specialist_type,
                "eval_set": split.eval_set,
                "dataset_sha256": digest,
            }.items():
                client.set_model_version_tag(opts.model_name, version, k, v)
        except Exception as e:
            print(f"{PROG}: warning: version tags not set: {_one_line(e)}", file=sys.stderr)
        mlflow.set_tag("registered_model_version", str(version))
        print(f"{PROG}: registered {opts.model_name} version {version} (not promoted)", file=out)

    return {
        "run_id": run_id,
        "experiment_id": run.info.experiment_id,
        "model_name": opts.model_name if opts.register else None,
        "model_version": str(version) if version is not None else None,
        "model_uri": info.model_uri,
        "eval_set": split.eval_set,
        "metric_average": METRIC_AVERAGE,
        "metrics": metrics,
        "rows": counts,
        "seconds": round(time.monotonic() - t0, 3),
    }


def _quiet_libraries() -> None:
    # stderr is for warnings and the one-line error; MLflow's INFO chatter ("View run at ...",
    # "Created version ...") would bury it.
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", category=UserWarning, module="mlflow")


def _on_sigterm(signum, frame):
    # Kubernetes stops a pod (and model-monitor a timed-out training) with SIGTERM: end the run
    # as KILLED instead of leaving it RUNNING forever.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    on_main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if on_main_thread else None
    try:
        return _main(argv)
    finally:
        if on_main_thread:
            signal.signal(signal.SIGTERM, previous)


def _main(argv: list[str] | None) -> int:
    try:
        opts = parse_options(argv)
    except TrainingError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2

    try:
        import mlflow
        import pyarrow  # noqa: F401
        import sklearn  # noqa: F401
    except ImportError as e:
        # With --env-manager local, `mlflow run` runs the `python` found first in PATH.
        print(
            f"{PROG}: error: {sys.executable} cannot import {e.name}: run with the Python that has "
            "training/specialist/requirements.txt installed first in PATH",
            file=sys.stderr,
        )
        return 1

    _quiet_libraries()  # after the import: MLflow sets its logger's level when imported

    try:
        run = _start_run(opts)
    except Exception as e:
        uri = _redact(str(mlflow.get_tracking_uri()))
        print(f"{PROG}: error: cannot start the MLflow run at {uri}: {_one_line(e)}", file=sys.stderr)
        return 1

    try:
        summary = train_in_run(opts, run)
    except TrainingError as e:
        _fail_run(str(e))
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        _fail_run("interrupted", status="KILLED")
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        return 130
    except Exception as e:
        msg = f"{type(e).__name__}: {_one_line(e)}"
        _fail_run(msg)
        print(f"{PROG}: error: {msg}", file=sys.stderr)
        return 1
    try:
        mlflow.end_run("FINISHED")
    except Exception as e:  # `mlflow run` marks the run FAILED on our non-zero exit
        print(f"{PROG}: error: cannot end the run: {_one_line(e)}", file=sys.stderr)
        return 1
    print(json.dumps(summary, sort_keys=True))
    return 0


def _fail_run(message: str, status: str = "FAILED") -> None:
    import mlflow

    try:
        mlflow.set_tag("training_error", message[:5000])
    except Exception:
        pass
    try:
        mlflow.end_run(status)
    except Exception:
        pass


def _exit_without_teardown(code: int) -> None:
    """Ends the process once everything is written, skipping the interpreter's teardown: a
    pyarrow thread still joinable then can abort Python ("terminate called without an active
    exception", exit 134, apache/arrow#34314; seen here about once in a few hundred runs). After a
    FINISHED run that exit code would read as a failed training to `mlflow run` and to
    model-monitor, and a good model would never be promoted."""
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    _exit_without_teardown(main())
