"""The alert rules: the spec's alerts with their severities, thresholds equal to the binary's
defaults, annotations and runbooks, promtool tests for every alert, and the Prometheus Operator
file generated from the one rule file."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

import mm_promql as pq

GENERATOR = pq.ROOT / "monitoring" / "generate.py"
THRESHOLDS_HPP = pq.ROOT / "src" / "core" / "thresholds.hpp"

# Spec "Monitoramento & Alertas" + the dead-man's switch of issue 4.
EXPECTED = {
    "AutoRetrainFailed": "critical",
    "DatasetGenerationFailed": "critical",
    "MongoDBCircuitBreakerOpen": "critical",
    "MLflowConnectionFailed": "critical",
    "ModelPerformanceDegraded": "warning",
    "ModelPrecisionBelowThreshold": "warning",
    "ModelRecallBelowThreshold": "warning",
    "ModelF1BelowThreshold": "warning",
    "FeedbackAverageBelowThreshold": "warning",
    "AutoRetrainDurationHigh": "warning",
    "ModelNotRetrainedRecently": "info",
    "ModelMonitorNotRunning": "critical",
}

# Alert -> (field of mm::Thresholds, metric it compares).
THRESHOLD_ALERTS = {
    "ModelPerformanceDegraded": ("aggregate", "neural_hive_model_performance_score"),
    "ModelPrecisionBelowThreshold": ("precision", "neural_hive_mlflow_model_precision"),
    "ModelRecallBelowThreshold": ("recall", "neural_hive_mlflow_model_recall"),
    "ModelF1BelowThreshold": ("f1", "neural_hive_mlflow_model_f1"),
    "FeedbackAverageBelowThreshold": ("feedback_avg", "neural_hive_feedback_avg_rating"),
}


def binary_threshold_defaults() -> dict[str, float]:
    """The defaults compiled into model-monitor (src/core/thresholds.hpp)."""
    text = THRESHOLDS_HPP.read_text(encoding="utf-8")
    found = dict(re.findall(r"double\s+(\w+)\s*=\s*([0-9.]+)\s*;", text))
    return {k: float(v) for k, v in found.items()}


@pytest.fixture(scope="module")
def rules() -> dict[str, dict]:
    return {r["alert"]: r for r in pq.load_rules()}


def test_every_spec_alert_with_its_severity(rules):
    assert set(rules) == set(EXPECTED)
    for name, severity in EXPECTED.items():
        labels = rules[name]["labels"]
        assert labels["severity"] == severity, name
        if severity == "critical":
            assert labels.get("oncall") == "true", f"{name}: critical alerts page (oncall: \"true\")"
        else:
            assert "oncall" not in labels, name


def test_every_alert_has_for_and_annotations(troubleshooting_anchors, rules):
    for name, rule in rules.items():
        assert "for" in rule, f"{name}: state its `for:` explicitly"
        ann = rule["annotations"]
        assert set(ann) >= {"summary", "description", "runbook_url"}, name
        assert "$labels.specialist_type" in ann["summary"] + ann["description"], name
        assert "$value" in ann["description"], name
        path, _, anchor = ann["runbook_url"].partition("#")
        assert path == "docs/troubleshooting.md", name
        assert anchor in troubleshooting_anchors, (
            f"{name}: runbook anchor #{anchor} is not a heading of docs/troubleshooting.md "
            f"(headings: {sorted(troubleshooting_anchors)})"
        )


@pytest.fixture(scope="module")
def troubleshooting_anchors() -> set[str]:
    anchors = set()
    for line in pq.TROUBLESHOOTING_FILE.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if m:
            # GitHub's slug: lower case, punctuation dropped, spaces to hyphens.
            slug = re.sub(r"[^\w\- ]", "", m.group(1).lower()).replace(" ", "-")
            anchors.add(slug)
    return anchors


def test_thresholds_match_the_binary_defaults(rules):
    defaults = binary_threshold_defaults()
    assert set(defaults) >= {t for t, _ in THRESHOLD_ALERTS.values()}, defaults
    for name, (field, metric) in THRESHOLD_ALERTS.items():
        expr = " ".join(rules[name]["expr"].split())
        m = re.fullmatch(
            r"min by \(specialist_type\) \((\w+)\) < ([0-9.]+) - 1e-9", expr
        )
        assert m, f"{name}: unexpected expression shape {expr!r}"
        assert m.group(1) == metric, name
        assert float(m.group(2)) == defaults[field], (
            f"{name} compares with {m.group(2)} but the binary's default {field} is {defaults[field]}"
        )


def test_every_alert_has_a_firing_and_a_silent_promtool_case(rules):
    fires, silent = set(), set()
    files = sorted(pq.PROMTOOL_TESTS_DIR.glob("*.yaml"))
    assert files, "no promtool tests"
    for f in files:
        doc = yaml.safe_load(f.read_text(encoding="utf-8"))
        assert doc["rule_files"] == ["../rules/model-performance.rules.yaml"], f
        for case in doc["tests"]:
            for t in case.get("alert_rule_test", []):
                exp = t.get("exp_alerts") or []
                (fires if exp else silent).add(t["alertname"])
                for a in exp:
                    # Exact labels and annotations, not just "something fired".
                    assert set(a["exp_annotations"]) == {"summary", "description", "runbook_url"}
                    assert a["exp_labels"]["severity"] == EXPECTED[t["alertname"]]
    assert set(rules) - fires == set(), f"alerts never shown firing: {sorted(set(rules) - fires)}"
    assert set(rules) - silent == set(), f"alerts never shown silent: {sorted(set(rules) - silent)}"


def test_operator_file_is_a_fresh_generation():
    proc = subprocess.run(
        [sys.executable, str(GENERATOR), "--check"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_operator_file_is_a_prometheusrule_of_the_same_rules():
    manifest = yaml.safe_load(pq.OPERATOR_FILE.read_text(encoding="utf-8"))
    source = yaml.safe_load(pq.RULES_FILE.read_text(encoding="utf-8"))
    assert manifest["apiVersion"] == "monitoring.coreos.com/v1"
    assert manifest["kind"] == "PrometheusRule"
    meta = manifest["metadata"]
    assert meta["name"] == "model-performance-alerts"
    assert meta["namespace"] == "ml-pipelines"
    assert meta["labels"]["app"] == "model-performance-monitor"
    assert all(isinstance(v, str) for v in meta["labels"].values())
    assert manifest["spec"] == source
    for group in manifest["spec"]["groups"]:
        for rule in group["rules"]:
            # The CRD wants strings: an unquoted `true` would be a YAML boolean.
            assert all(isinstance(v, str) for v in rule.get("labels", {}).values()), rule["alert"]


def test_promtool_accepts_the_operator_spec(tmp_path: Path):
    if shutil.which("promtool") is None:
        pytest.fail("promtool not found: install Debian's prometheus package (scripts/setup.sh)")
    manifest = yaml.safe_load(pq.OPERATOR_FILE.read_text(encoding="utf-8"))
    extracted = tmp_path / "spec.rules.yaml"
    extracted.write_text(yaml.safe_dump(manifest["spec"], sort_keys=False), encoding="utf-8")
    proc = subprocess.run(["promtool", "check", "rules", str(extracted)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
