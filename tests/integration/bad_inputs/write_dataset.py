"""Writes one Parquet file for the bad-input table (docs/bad-inputs.md) with pyarrow, as a team's
DATASET_GENERATOR_COMMAND or the training project would (DESIGN §5), valid or broken on purpose.

    write_dataset.py KIND OUT

KIND: valid | truncated | wrong_schema | label_as_text | label_out_of_range | nan_feature |
      no_rows
The feature names are copied from DESIGN §5, not from the C++ code.
"""

import os
import sys
from datetime import datetime, timezone

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
METADATA = {
    b"specialist_type": b"badinput", b"provider": b"external", b"model": b"team-generator",
    b"prompt_hash": b"0123abcd", b"temperature": b"0.7", b"schema_version": b"1.0.0",
}


def table(rows: int, kind: str) -> pa.Table:
    columns = {name: pa.array([float(r + f) / 10 for r in range(rows)], pa.float64())
               for f, name in enumerate(FEATURES)}
    if kind == "nan_feature" and rows:
        columns["risk_score"] = pa.array([float("nan")] + [0.5] * (rows - 1), pa.float64())
    if kind == "label_as_text":
        columns["label"] = pa.array(["approve"] * rows, pa.string())
    elif kind == "label_out_of_range":
        columns["label"] = pa.array([7] + [1] * (rows - 1), pa.int64())
    else:
        columns["label"] = pa.array([r % 2 for r in range(rows)], pa.int64())
    columns["source"] = pa.array(["llm"] * rows, pa.string())
    now = datetime.now(timezone.utc)
    columns["created_at"] = pa.array([now] * rows, pa.timestamp("us", tz="UTC"))
    t = pa.table(columns)
    metadata = dict(METADATA, row_count=str(rows).encode())
    return t.replace_schema_metadata(metadata)


def main() -> None:
    kind, out = sys.argv[1], sys.argv[2]
    if kind == "wrong_schema":
        # A team's generator that wrote its own columns: plan ids and a text verdict.
        t = pa.table({"plan_id": ["p1", "p2"], "verdict": ["approve", "reject"],
                      "score": [0.9, 0.1]})
        pq.write_table(t, out)
        return
    rows = 0 if kind == "no_rows" else 20
    pq.write_table(table(rows, kind), out)
    if kind == "truncated":  # a copy cut short: the writer died, the disk filled up
        with open(out, "rb") as f:
            data = f.read()
        with open(out, "wb") as f:
            f.write(data[: len(data) // 2])


if __name__ == "__main__":
    code = main() or 0
    # No interpreter teardown: a pyarrow thread still joinable then can abort Python
    # (apache/arrow#34314), failing a run whose work is done.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
