"""Every metric the alert rules and the dashboard read is one that model-monitor really pushes.

The list of pushed metrics comes from the real binary, never from a list written here: the file
named by MM_PUSHED_METRICS holds the text exposition of a real Pushgateway
(`curl $PROMETHEUS_PUSHGATEWAY_URL/metrics`) scraped after a real `model-monitor check
--export-metrics` and a real `retrain` that retrained. Only samples of the groups of
job="model-performance-monitor" count (which also brings the Pushgateway's own
push_time_seconds of those groups, which the dead-man's switch reads).

    MM_PUSHED_METRICS=/tmp/pushed.txt python -m pytest tests/monitoring

Metrics that alerts already use but the binary does not push yet can be listed in PENDING: they
show as an expected failure naming them (pytest -rx) until they appear in the exposition.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import mm_promql as pq

JOB = "model-performance-monitor"

# PENDING: metrics an alert already reads but the binary does not push yet, name -> what the
# alert expects of it. Each one missing from the exposition is reported as an expected failure
# naming it (pytest -rx) instead of failing the name test; one that appears must be removed from
# here (the test says so), so that losing it later fails. Empty now:
# neural_hive_mongodb_circuit_breaker_state and neural_hive_mlflow_connection_errors_total were
# pending until `check` pushed them.
PENDING: dict[str, str] = {}

# Series Prometheus itself creates (not pushed by anyone); the dashboard's alert annotations read them.
PROMETHEUS_INTERNAL = {"ALERTS", "ALERTS_FOR_STATE"}

# Label values the alert and dashboard matchers may rely on (src/core/retrain_metrics.cpp,
# src/pipeline/retrain_pipeline.cpp, DESIGN §6).
KNOWN_LABEL_VALUES = {
    "reason": {"degradation", "forced"},
    "status": {"success", "failed"},
    "improved": {"true", "false"},
    "state": {"closed", "open", "half_open"},
}
# Labels every series of the job carries (the grouping key, what the Pushgateway adds).
GROUPING_LABELS = {"job", "instance", "specialist_type"}

# Functions that only make sense on counters (and the histogram's counter series).
COUNTER_FUNCTIONS = {"rate", "irate", "increase", "resets"}


def _uses() -> list[tuple[str, pq.Selector]]:
    """(where, selector) for every selector in the alert rules and the dashboard."""
    uses = []
    for rule in pq.load_rules():
        for sel in pq.selectors(rule["expr"]):
            uses.append((f"alert {rule['alert']}", sel))
    for where, expr in pq.dashboard_queries(pq.load_dashboard()):
        for sel in pq.selectors(expr):
            uses.append((f"dashboard {where}", sel))
    return uses


@pytest.fixture(scope="module")
def pushed() -> pq.Exposition:
    path = os.environ.get("MM_PUSHED_METRICS")
    if not path:
        pytest.fail(
            "MM_PUSHED_METRICS is not set. It must name a file holding the Pushgateway's /metrics "
            "scraped after a real `model-monitor check --export-metrics URL` and a real "
            "`model-monitor retrain` that retrained, e.g.\n"
            "  curl -fsS $PROMETHEUS_PUSHGATEWAY_URL/metrics > /tmp/pushed.txt\n"
            "  MM_PUSHED_METRICS=/tmp/pushed.txt scripts/test_monitoring.sh\n"
            "The metric names this test accepts come only from that file (the real binary).",
            pytrace=False,
        )
    p = Path(path)
    if not p.is_file() or p.stat().st_size == 0:
        pytest.fail(f"MM_PUSHED_METRICS={path}: no such file, or empty", pytrace=False)
    exp = pq.parse_exposition(p.read_text(encoding="utf-8")).filtered(job=JOB)
    if not exp.samples:
        pytest.fail(
            f"MM_PUSHED_METRICS={path} has no sample with job=\"{JOB}\": was it scraped from the "
            "Pushgateway model-monitor pushed to, after the runs?",
            pytrace=False,
        )
    return exp


def _resolve(name: str, exp: pq.Exposition) -> tuple[str | None, str | None]:
    """(family, type) the sample name belongs to in the exposition, or (None, None)."""
    if name in exp.sample_names():
        fam = next(f for (f, n, _) in exp.samples if n == name)
        return fam, exp.types.get(fam, "untyped")
    return None, None


def test_pending_list_is_used_by_the_alerts():
    used = {sel.name for _, sel in _uses()}
    assert set(PENDING) <= used, f"PENDING names no alert uses: {sorted(set(PENDING) - used)}"


def test_every_metric_used_is_pushed(pushed):
    missing = {}
    for where, sel in _uses():
        if sel.name in PENDING or sel.name in PROMETHEUS_INTERNAL:
            continue
        family, _ = _resolve(sel.name, pushed)
        if family is None:
            missing.setdefault(sel.name, set()).add(where)
    pushed_names = sorted(pushed.sample_names())
    assert not missing, (
        "metrics read by alerts/dashboard but absent from what model-monitor pushed:\n"
        + "\n".join(f"  {n}  (used by: {', '.join(sorted(w))})" for n, w in sorted(missing.items()))
        + "\npushed (job=%s): %s" % (JOB, ", ".join(pushed_names))
    )


def test_histogram_series_map_to_a_pushed_histogram(pushed):
    """A _bucket/_sum/_count name must be a series of a pushed *histogram* family."""
    for where, sel in _uses():
        for suffix in ("_bucket", "_sum", "_count"):
            if not sel.name.endswith(suffix) or sel.name in PENDING:
                continue
            base = sel.name[: -len(suffix)]
            if base not in pushed.types:
                continue  # a plain metric that merely ends like that; the name test covers it
            assert pushed.types[base] in ("histogram", "summary"), (where, sel.name)
            family, _ = _resolve(sel.name, pushed)
            assert family == base, f"{where}: {sel.name} is not a series of the histogram {base}"


def test_functions_match_metric_types(pushed):
    problems = []
    for where, sel in _uses():
        if sel.name in PENDING or sel.name in PROMETHEUS_INTERNAL:
            continue
        family, kind = _resolve(sel.name, pushed)
        if family is None:
            continue  # reported by test_every_metric_used_is_pushed
        inner = sel.functions[0] if sel.functions else None
        if inner in COUNTER_FUNCTIONS:
            if kind not in ("counter", "histogram", "summary"):
                problems.append(f"{where}: {inner}() over {sel.name}, a {kind}")
        if "histogram_quantile" in sel.functions:
            if not (kind == "histogram" and sel.name.endswith("_bucket")):
                problems.append(f"{where}: histogram_quantile over {sel.name} ({kind})")
            if inner not in COUNTER_FUNCTIONS:
                problems.append(f"{where}: histogram_quantile needs rate()/increase() of the buckets")
    assert not problems, "\n".join(problems)


def test_label_matchers_name_labels_the_binary_sets(pushed):
    problems = []
    for where, sel in _uses():
        if sel.name in PENDING or sel.name in PROMETHEUS_INTERNAL:
            continue
        have = pushed.label_names(sel.name)
        for label, op, value in sel.matchers:
            if label in GROUPING_LABELS or label == "__name__":
                continue
            if have and label not in have:
                problems.append(f"{where}: {sel.name} has no label {label!r} (it has {sorted(have)})")
            if label in KNOWN_LABEL_VALUES and op == "=" and value not in KNOWN_LABEL_VALUES[label]:
                problems.append(f"{where}: {label}={value!r} is not one of {sorted(KNOWN_LABEL_VALUES[label])}")
    # And the values the binary really pushed are the ones the matchers were written against.
    for label, known in KNOWN_LABEL_VALUES.items():
        seen = {v for name in pushed.sample_names() for v in pushed.label_values(name, label)}
        if not seen <= known:
            problems.append(f"pushed values of {label!r} {sorted(seen - known)} are unknown to the alerts")
    assert not problems, "\n".join(problems)


def test_pending_metrics(pushed):
    arrived = sorted(n for n in PENDING if n in pushed.families())
    assert not arrived, (
        f"{arrived} are pushed now: remove them from PENDING in {__file__} so that losing them fails"
    )
    missing = sorted(PENDING)
    if missing:
        pytest.xfail(
            "PENDING, not pushed by model-monitor yet: "
            + "; ".join(f"{n} ({PENDING[n]})" for n in missing)
        )
