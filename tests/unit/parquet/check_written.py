"""Reads a file written by write_dataset with pyarrow and pandas, as the Python training project
does, and checks it is the platform's schema (DESIGN §5). Exit 0 when it is; otherwise prints
what differs and exits 1.

    check_written.py FILE

The expected values mirror interop_dataset() in test_parquet_pyarrow.cpp: 4 rows, row r feature
f = r * 100 + f + 0.5, label r, source llm for even r else feedback, created_at
2026-01-02T03:04:05.123456Z + r seconds.
"""

import os
import sys

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

FEATURES = [
    "num_tasks", "priority_score", "total_duration_ms", "avg_duration_ms", "risk_score",
    "complexity_score", "domain_risk_weight", "avg_task_complexity_factor",
    "num_patterns_detected", "num_anti_patterns_detected", "avg_pattern_quality",
    "total_anti_pattern_penalty", "num_nodes", "num_edges", "density", "avg_in_degree",
    "max_in_degree", "critical_path_length", "max_parallelism", "num_levels", "avg_coupling",
    "num_bottlenecks", "graph_complexity_score", "mean_norm", "std_norm", "avg_diversity",
]
ROWS = 4


def main() -> int:
    path = sys.argv[1]
    problems = []

    def expect(what, got, want):
        if got != want:
            problems.append(f"{what}: got {got!r}, want {want!r}")

    table = pq.read_table(path)
    schema = table.schema
    expect("columns", schema.names, FEATURES + ["label", "source", "created_at"])
    for name in FEATURES:
        expect(f"type of {name}", schema.field(name).type, pa.float64())
    expect("type of label", schema.field("label").type, pa.int64())
    expect("type of source", schema.field("source").type, pa.string())
    expect("type of created_at", schema.field("created_at").type, pa.timestamp("us", tz="UTC"))

    meta = {k.decode(): v.decode() for k, v in pq.read_metadata(path).metadata.items()
            if not k.startswith(b"ARROW:")}
    expect("metadata", meta, {
        "specialist_type": "technical", "provider": "openai", "model": "gpt-4o-mini",
        "prompt_hash": "9f86d081884c7d65", "temperature": "0.7", "schema_version": "1.0.0",
        "row_count": str(ROWS),
    })

    df = pd.read_parquet(path)
    expect("rows", len(df), ROWS)
    for f, name in enumerate(FEATURES):
        expect(name, df[name].tolist(), [r * 100 + f + 0.5 for r in range(ROWS)])
    expect("label", df["label"].tolist(), list(range(ROWS)))
    expect("source", df["source"].tolist(), ["llm", "feedback", "llm", "feedback"])
    start = pd.Timestamp("2026-01-02T03:04:05.123456Z")
    expect("created_at", df["created_at"].tolist(),
           [start + pd.Timedelta(seconds=r) for r in range(ROWS)])

    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    code = main() or 0
    # No interpreter teardown: a pyarrow thread still joinable then can abort Python
    # (apache/arrow#34314), failing a run whose work is done.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
