"""Synthetic datasets in the platform's training schema (DESIGN §5), for tests and demos.

The rows are plausible plan records (durations consistent with task counts, density consistent
with nodes/edges, ...) and the label is a noisy function of risk, complexity and pattern quality,
so a classifier has something to learn. Nothing here is a real model of the platform's data.

    python tests/synthetic.py OUT.parquet [--rows 1000] [--feedback 200] [--seed 7]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

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

# The platform's Arrow schema: 26 float64 features, int64 label, string source, UTC timestamp.
SCHEMA = pa.schema(
    [pa.field(name, pa.float64(), nullable=False) for name in FEATURES]
    + [
        pa.field("label", pa.int64(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("created_at", pa.timestamp("us", tz="UTC"), nullable=False),
    ]
)


def make_features(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    num_tasks = rng.integers(1, 40, n).astype(float)
    avg_duration = rng.uniform(200.0, 60_000.0, n)
    num_nodes = num_tasks.copy()
    max_edges = np.maximum(num_nodes * (num_nodes - 1) / 2, 0)
    num_edges = np.floor(rng.uniform(0, 1, n) * np.minimum(max_edges, num_nodes * 2))
    density = np.where(num_nodes > 1, num_edges / np.maximum(num_nodes * (num_nodes - 1), 1), 0.0)
    avg_in_degree = np.where(num_nodes > 0, num_edges / num_nodes, 0.0)
    num_levels = np.maximum(1, np.minimum(num_nodes, np.ceil(rng.uniform(0.2, 1.0, n) * num_nodes)))
    n_patterns = rng.integers(0, 8, n).astype(float)
    n_anti = rng.integers(0, 5, n).astype(float)
    risk = rng.beta(2, 3, n)
    complexity = rng.beta(2, 2, n)
    quality = rng.beta(3, 2, n)
    return {
        "num_tasks": num_tasks,
        "priority_score": rng.uniform(0, 1, n),
        "total_duration_ms": avg_duration * num_tasks,
        "avg_duration_ms": avg_duration,
        "risk_score": risk,
        "complexity_score": complexity,
        "domain_risk_weight": rng.uniform(0.5, 1.5, n),
        "avg_task_complexity_factor": rng.uniform(0.5, 3.0, n),
        "num_patterns_detected": n_patterns,
        "num_anti_patterns_detected": n_anti,
        "avg_pattern_quality": quality,
        "total_anti_pattern_penalty": n_anti * rng.uniform(0.05, 0.3, n),
        "num_nodes": num_nodes,
        "num_edges": num_edges,
        "density": density,
        "avg_in_degree": avg_in_degree,
        "max_in_degree": np.ceil(avg_in_degree * rng.uniform(1.0, 3.0, n)),
        "critical_path_length": num_levels,
        "max_parallelism": np.maximum(1, np.ceil(num_nodes / num_levels)),
        "num_levels": num_levels,
        "avg_coupling": rng.uniform(0, 1, n),
        "num_bottlenecks": rng.integers(0, 4, n).astype(float),
        "graph_complexity_score": np.clip(density * 0.5 + complexity * 0.5, 0, 1),
        "mean_norm": rng.uniform(0, 1, n),
        "std_norm": rng.uniform(0, 0.5, n),
        "avg_diversity": rng.uniform(0, 1, n),
    }


def make_labels(rng: np.random.Generator, f: dict[str, np.ndarray], noise: float) -> np.ndarray:
    score = (
        0.9 * f["avg_pattern_quality"]
        - 0.8 * f["risk_score"] * f["domain_risk_weight"]
        - 0.5 * f["complexity_score"]
        - 0.15 * f["total_anti_pattern_penalty"]
        + rng.normal(0, noise, len(f["risk_score"]))
    )
    # Quartile-like cut points of the score: reject < conditional < review_required < approve.
    return np.select(
        [score < -0.45, score < -0.2, score < 0.05],
        [0, 3, 2],
        default=1,
    ).astype(np.int64)


def make_table(
    rows: int = 1000,
    feedback_rows: int = 0,
    seed: int = 7,
    noise: float = 0.08,
    specialist_type: str | None = "technical",
    labels: np.ndarray | None = None,
) -> pa.Table:
    """`rows` rows in total, the last `feedback_rows` of them with source "feedback"."""
    rng = np.random.default_rng(seed)
    f = make_features(rng, rows)
    y = make_labels(rng, f, noise) if labels is None else np.asarray(labels, dtype=np.int64)
    source = ["llm"] * (rows - feedback_rows) + ["feedback"] * feedback_rows
    t0 = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    created = [t0 + dt.timedelta(minutes=i) for i in range(rows)]
    arrays = [pa.array(f[name], pa.float64()) for name in FEATURES] + [
        pa.array(y, pa.int64()),
        pa.array(source, pa.string()),
        pa.array(created, pa.timestamp("us", tz="UTC")),
    ]
    meta = {"provider": "synthetic", "model": "none", "prompt_hash": "0" * 64, "temperature": "0"}
    if specialist_type:
        meta["specialist_type"] = specialist_type
    return pa.Table.from_arrays(arrays, schema=SCHEMA.with_metadata(meta))


def write(path, table: pa.Table) -> str:
    pq.write_table(table, str(path))
    return str(path)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=1000)
    ap.add_argument("--feedback", type=int, default=0)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--specialist-type", default="technical")
    a = ap.parse_args()
    write(a.out, make_table(a.rows, a.feedback, a.seed, specialist_type=a.specialist_type))


if __name__ == "__main__":
    code = main() or 0
    # No interpreter teardown: a pyarrow thread still joinable then can abort Python
    # (apache/arrow#34314), failing a run whose work is done.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
