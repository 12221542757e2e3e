"""Writes the Parquet files that test_parquet_pyarrow.cpp reads, with pyarrow and pandas as the
Python training project and a team's DATASET_GENERATOR_COMMAND would (DESIGN §5).

    make_fixtures.py OUT_DIR

Values are a formula the C++ test recomputes: row r, feature f = r * 100 + f + 0.25; labels
0, 1, 2, 3, 1; created_at 2026-01-02T03:04:05.123456789Z + r seconds.
The feature names are copied from DESIGN §5, not from the C++ code, so a typo on either side
shows up here.
"""

import os
import sys
from pathlib import Path

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
ROWS = 5
LABELS = [0, 1, 2, 3, 1]
SOURCES = ["llm", "feedback", "llm", "llm", "feedback"]
START = pd.Timestamp("2026-01-02T03:04:05.123456789Z")
METADATA = {
    "specialist_type": "technical",
    "provider": "external",
    "model": "team-generator",
    "prompt_hash": "0123abcd",
    "temperature": "0.7",
    "schema_version": "1.0.0",
    "row_count": str(ROWS),
}


def frame() -> pd.DataFrame:
    """The dataset as pandas builds it: float64 features, int64 label, datetime64[ns, UTC]."""
    data = {name: [r * 100 + f + 0.25 for r in range(ROWS)] for f, name in enumerate(FEATURES)}
    data["label"] = LABELS
    data["source"] = SOURCES
    data["created_at"] = [START + pd.Timedelta(seconds=r) for r in range(ROWS)]
    return pd.DataFrame(data)


# A consistent plan of 10 tasks and 15 dependencies (the ranges and relations of
# src/core/plan_features.cpp, which a DATASET_GENERATOR_COMMAND's rows must meet too).
PLAUSIBLE = {
    "num_tasks": 10, "priority_score": 0.5, "total_duration_ms": 50000, "avg_duration_ms": 5000,
    "risk_score": 0.3, "complexity_score": 0.4, "domain_risk_weight": 0.2,
    "avg_task_complexity_factor": 0.5, "num_patterns_detected": 2, "num_anti_patterns_detected": 1,
    "avg_pattern_quality": 0.8, "total_anti_pattern_penalty": 0.5, "num_nodes": 10,
    "num_edges": 15, "density": 15 / 90, "avg_in_degree": 1.5, "max_in_degree": 3,
    "critical_path_length": 5, "max_parallelism": 3, "num_levels": 5, "avg_coupling": 0.3,
    "num_bottlenecks": 1, "graph_complexity_score": 0.4, "mean_norm": 1.2, "std_norm": 0.3,
    "avg_diversity": 0.6,
}


def generated_frame() -> pd.DataFrame:
    """What a team's generator writes: rows 0, 1 and 4 plausible and distinct, row 2 a repeat of
    row 0, row 3 a plan whose num_nodes differs from its num_tasks."""
    rows = [dict(PLAUSIBLE, risk_score=0.1 * (r + 1)) for r in range(ROWS)]
    rows[2] = dict(rows[0])
    rows[3]["num_nodes"] = 12
    data = {name: [float(row[name]) for row in rows] for name in FEATURES}
    data["label"] = LABELS
    data["source"] = ["llm"] * ROWS
    data["created_at"] = [START + pd.Timedelta(seconds=r) for r in range(ROWS)]
    return pd.DataFrame(data)


def with_metadata(table: pa.Table, metadata: dict) -> pa.Table:
    merged = dict(table.schema.metadata or {})
    merged.update({k.encode(): v.encode() for k, v in metadata.items()})
    return table.replace_schema_metadata(merged)


def write(out: Path, name: str, df: pd.DataFrame, metadata=None, **kwargs) -> None:
    table = pa.Table.from_pandas(df, preserve_index=kwargs.pop("preserve_index", None))
    table = with_metadata(table, METADATA if metadata is None else metadata)
    pq.write_table(table, out / name, **kwargs)


def replace_column(df: pd.DataFrame, name: str, array: pa.Array) -> pa.Table:
    """A table with one column of an exact Arrow type (pandas would coerce NaN/None)."""
    table = pa.Table.from_pandas(df, preserve_index=False)
    i = table.schema.get_field_index(name)
    return with_metadata(table.set_column(i, name, array), METADATA)


def main() -> None:
    out = Path(sys.argv[1])
    df = frame()

    # Good files. Row groups of 2 rows: the reader must stitch chunks together.
    write(out, "pandas_good.parquet", df, row_group_size=2)
    # Readable, but with rows the generator's screening drops (see generated_frame).
    write(out, "generated_mixed.parquet", generated_frame())
    # What a team's generator may well write: an index column, an extra column, a categorical
    # source, naive timestamps and none of our metadata. Readable, with warnings.
    loose = df.copy()
    loose["plan_id"] = [f"plan-{r}" for r in range(ROWS)]
    loose["source"] = loose["source"].astype("category")
    loose["created_at"] = loose["created_at"].dt.tz_localize(None)
    loose.index = pd.Index([10, 11, 12, 13, 14])
    write(out, "pandas_loose.parquet", loose, metadata={}, preserve_index=True)

    # Schema errors.
    write(out, "missing_column.parquet", df.drop(columns=["density"]))
    as_int = df.copy()
    as_int["num_tasks"] = as_int["num_tasks"].astype("int64")
    write(out, "int_feature.parquet", as_int)
    as_text = df.copy()
    as_text["risk_score"] = as_text["risk_score"].astype(str)
    write(out, "string_feature.parquet", as_text)
    label_float = df.copy()
    label_float["label"] = label_float["label"].astype("float64")
    write(out, "float_label.parquet", label_float)
    time_text = df.copy()
    time_text["created_at"] = time_text["created_at"].astype(str)
    write(out, "string_created_at.parquet", time_text)

    # Value errors.
    values = [r * 100 + 20 + 0.25 for r in range(ROWS)]
    pq.write_table(replace_column(df, "avg_coupling", pa.array(values[:2] + [None] + values[3:],
                                                                pa.float64())),
                   out / "null_feature.parquet")
    pq.write_table(replace_column(df, "avg_coupling", pa.array(values[:3] + [float("nan")]
                                                                + values[4:], pa.float64())),
                   out / "nan_feature.parquet")
    pq.write_table(replace_column(df, "avg_coupling", pa.array(values[:1] + [float("inf")]
                                                                + values[2:], pa.float64())),
                   out / "inf_feature.parquet")
    pq.write_table(replace_column(df, "label", pa.array([0, 1, None, 3, 1], pa.int64())),
                   out / "null_label.parquet")
    pq.write_table(replace_column(df, "label", pa.array([0, 1, 7, 3, 1], pa.int64())),
                   out / "label_7.parquet")
    pq.write_table(replace_column(df, "label", pa.array([0, -1, 2, 3, 1], pa.int64())),
                   out / "label_negative.parquet")
    pq.write_table(replace_column(df, "source", pa.array(["llm", "human", "llm", "llm", "llm"])),
                   out / "bad_source.parquet")
    # Sliced in Arrow: an empty pandas frame would lose the string type of `source`.
    empty = pa.Table.from_pandas(df, preserve_index=False).slice(0, 0)
    pq.write_table(with_metadata(empty, {**METADATA, "row_count": "0"}), out / "zero_rows.parquet")

    # Metadata errors.
    write(out, "wrong_row_count.parquet", df, metadata={**METADATA, "row_count": "99"})
    write(out, "schema_v2.parquet", df, metadata={**METADATA, "schema_version": "2.0.0"})
    write(out, "bad_temperature.parquet", df, metadata={**METADATA, "temperature": "warm"})


if __name__ == "__main__":
    code = main() or 0
    # No interpreter teardown: a pyarrow thread still joinable then can abort Python
    # (apache/arrow#34314), failing a run whose work is done.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
