"""The Grafana dashboard "Continuous Learning - Feedback & Retraining": the spec's panels 16-20
(types, titles, thresholds, colours, series), templated by specialist, and queries that are valid
PromQL."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

import mm_promql as pq

DS = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}


@pytest.fixture(scope="module")
def dash() -> dict:
    return pq.load_dashboard()


@pytest.fixture(scope="module")
def panels(dash) -> dict[int, dict]:
    out = {}
    for p in dash["panels"]:
        assert p["id"] not in out, f"duplicate panel id {p['id']}"
        out[p["id"]] = p
    return out


def _steps(panel: dict) -> list[tuple[str, float | None]]:
    return [(s["color"], s["value"]) for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]


def test_identity(dash):
    assert dash["title"] == "Continuous Learning - Feedback & Retraining"
    assert dash["uid"] == "continuous-learning"
    assert dash["schemaVersion"] >= 36
    assert "id" not in dash or dash["id"] is None, "an exported id breaks importing into another Grafana"


def test_templating(dash):
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    ds = variables["DS_PROMETHEUS"]
    assert ds["type"] == "datasource" and ds["query"] == "prometheus"
    spec = variables["specialist_type"]
    assert spec["type"] == "query"
    assert spec["datasource"] == DS
    query = spec["query"]["query"] if isinstance(spec["query"], dict) else spec["query"]
    assert query == "label_values(neural_hive_model_performance_score, specialist_type)"
    assert spec["multi"] is True and spec["includeAll"] is True


def test_every_panel_and_query_uses_the_datasource_variable(dash):
    for p in dash["panels"]:
        assert p["datasource"] == DS, p["id"]
        for t in p.get("targets", []):
            assert t["datasource"] == DS, (p["id"], t["refId"])
    for a in dash["annotations"]["list"]:
        if a.get("expr"):
            assert a["datasource"] == DS


def test_every_metric_query_is_filtered_by_specialist(dash):
    for where, expr in pq.dashboard_queries(dash):
        if where.startswith("variable"):
            continue
        for sel in pq.selectors(expr):
            assert ("specialist_type", "=~", "$specialist_type") in sel.matchers, (where, sel.name)


def test_spec_panels(panels):
    want = {
        16: ("timeseries", "Model Performance Score by Specialist"),
        17: ("stat", "Model Degradation Alerts"),
        18: ("timeseries", "MLflow Metrics - Precision/Recall/F1"),
        19: ("table", "Auto-Retrain Triggers"),
        20: ("timeseries", "Dataset Generation Duration"),
    }
    for pid, (ptype, title) in want.items():
        assert pid in panels, f"panel {pid} missing"
        assert (panels[pid]["type"], panels[pid]["title"]) == (ptype, title)


def test_panel_16_score_bands(panels):
    p = panels[16]
    assert _steps(p) == [("red", None), ("yellow", 0.6), ("green", 0.75)]
    assert p["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] != "off"
    (t,) = p["targets"]
    assert pq.metric_names(t["expr"]) == {"neural_hive_model_performance_score"}
    assert "specialist_type" in t["legendFormat"]


def test_panel_17_red_background_when_degraded(panels):
    p = panels[17]
    assert p["options"]["colorMode"] == "background"
    defaults = p["fieldConfig"]["defaults"]
    assert defaults["color"]["mode"] == "thresholds"
    assert ("red", 1) in _steps(p)
    mapping = defaults["mappings"][0]["options"]
    assert mapping["1"]["color"] == "red" and mapping["0"]["color"] == "green"
    (t,) = p["targets"]
    assert pq.metric_names(t["expr"]) == {"neural_hive_model_degradation_detected"}


def test_panel_18_three_series_and_threshold_lines(panels):
    p = panels[18]
    names = [pq.metric_names(t["expr"]) for t in p["targets"]]
    metrics = [n for n in names if n]
    assert metrics == [
        {"neural_hive_mlflow_model_precision"},
        {"neural_hive_mlflow_model_recall"},
        {"neural_hive_mlflow_model_f1"},
    ]
    lines = {
        float(re.fullmatch(r"vector\(([0-9.]+)\)", t["expr"]).group(1)): t["refId"]
        for t in p["targets"]
        if not pq.metric_names(t["expr"])
    }
    assert set(lines) == {0.75, 0.70, 0.72}
    dashed = {
        o["matcher"]["options"]
        for o in p["fieldConfig"]["overrides"]
        if o["matcher"]["id"] == "byFrameRefID"
        and any(prop["id"] == "custom.lineStyle" and prop["value"]["fill"] == "dash" for prop in o["properties"])
    }
    assert dashed == set(lines.values()), "threshold series are drawn as dashed lines"


def test_panel_18_thresholds_are_the_binary_defaults(panels):
    from test_alert_rules import binary_threshold_defaults

    d = binary_threshold_defaults()
    values = {
        float(re.fullmatch(r"vector\(([0-9.]+)\)", t["expr"]).group(1))
        for t in panels[18]["targets"]
        if t["expr"].startswith("vector(")
    }
    assert values == {d["precision"], d["recall"], d["f1"]}


def test_panel_19_table_columns(panels):
    p = panels[19]
    (t,) = p["targets"]
    assert t["instant"] is True and t.get("format") == "table"
    assert pq.metric_names(t["expr"]) == {"neural_hive_auto_retrain_triggered_total"}
    (org,) = [x for x in p["transformations"] if x["id"] == "organize"]
    rename = org["options"]["renameByName"]
    assert rename == {"specialist_type": "Specialist", "reason": "Reason", "status": "Status", "Value": "Count"}
    order = sorted(org["options"]["indexByName"], key=org["options"]["indexByName"].get)
    assert [rename[c] for c in order] == ["Specialist", "Reason", "Status", "Count"]
    assert org["options"]["excludeByName"].get("Time") is True


def test_panel_20_p50_p95_from_the_buckets(panels):
    p = panels[20]
    quantiles = set()
    for t in p["targets"]:
        m = re.match(r"histogram_quantile\(\s*([0-9.]+)\s*,", t["expr"])
        assert m, t["expr"]
        quantiles.add(float(m.group(1)))
        (sel,) = pq.selectors(t["expr"])
        assert sel.name == "neural_hive_dataset_generation_duration_seconds_bucket"
        assert sel.functions[0] in ("rate", "increase")
        assert re.search(r"by \([^)]*\ble\b", t["expr"]), "the sum must keep le"
    assert quantiles == {0.5, 0.95}
    assert p["fieldConfig"]["defaults"]["unit"] == "s"


def test_layout_has_no_overlaps(dash):
    cells = {}
    for p in dash["panels"]:
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["id"]
        for x in range(g["x"], g["x"] + g["w"]):
            for y in range(g["y"], g["y"] + g["h"]):
                assert (x, y) not in cells, f"panels {cells[(x, y)]} and {p['id']} overlap"
                cells[(x, y)] = p["id"]


def test_queries_are_valid_promql(dash, tmp_path: Path):
    """promtool parses every query (as a recording rule), Grafana variables substituted."""
    if shutil.which("promtool") is None:
        pytest.fail("promtool not found: install Debian's prometheus package (scripts/setup.sh)")
    rules = [
        {"record": f"dashboard:query_{i}", "expr": pq.substitute_grafana_variables(expr)}
        for i, (_, expr) in enumerate(pq.dashboard_queries(dash))
    ]
    f = tmp_path / "dashboard-queries.rules.yaml"
    f.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}), encoding="utf-8")
    proc = subprocess.run(["promtool", "check", "rules", "--lint=none", str(f)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
