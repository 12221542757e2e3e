"""The rules and the dashboard's queries against a real Prometheus scraping the real Pushgateway.

Starts Debian's `prometheus` on an ephemeral 127.0.0.1 port, scraping PROMETHEUS_PUSHGATEWAY_URL
with `honor_labels: true` (as monitoring/README.md says to) and loading the rule file, then checks
that every rule evaluates without error on what model-monitor pushed and that every panel query
of the dashboard returns data. Runs when PROMETHEUS_PUSHGATEWAY_URL is set (the README's test
command starts the services and sets it); skipped otherwise, since the file-based checks of
test_metric_names.py already cover the names.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
import yaml

import mm_promql as pq

PUSHGATEWAY = os.environ.get("PROMETHEUS_PUSHGATEWAY_URL", "")

pytestmark = pytest.mark.skipif(
    not PUSHGATEWAY, reason="PROMETHEUS_PUSHGATEWAY_URL not set (no Pushgateway to scrape)"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as resp:
        return json.load(resp)


@pytest.fixture(scope="module")
def prometheus(tmp_path_factory):
    binary = shutil.which("prometheus")
    if binary is None:
        pytest.fail("prometheus not found: install Debian's prometheus package (scripts/setup.sh)")
    target = urllib.parse.urlparse(PUSHGATEWAY)
    work = tmp_path_factory.mktemp("prometheus")
    config = {
        "global": {"scrape_interval": "2s", "evaluation_interval": "2s"},
        "rule_files": [str(pq.RULES_FILE)],
        "scrape_configs": [
            {
                "job_name": "pushgateway",
                "honor_labels": True,
                "scheme": target.scheme or "http",
                "static_configs": [{"targets": [target.netloc]}],
            }
        ],
    }
    (work / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = _free_port()
    log = open(work / "prometheus.log", "wb")
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={work / 'prometheus.yml'}",
            f"--storage.tsdb.path={work / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                up = _get(f"{base}/api/v1/query?query=up")["data"]["result"]
                rules = _get(f"{base}/api/v1/rules")["data"]["groups"]
                evaluated = rules and all(
                    not r["lastEvaluation"].startswith("0001") for g in rules for r in g["rules"]
                )
                if up and up[0]["value"][1] == "1" and evaluated:
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    "prometheus did not scrape the Pushgateway and evaluate the rules in 60 s:\n"
                    + (work / "prometheus.log").read_text(errors="replace")[-3000:]
                )
            time.sleep(0.5)
        time.sleep(2.5)  # one more evaluation, now with the scraped data
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def test_every_rule_evaluates_without_error(prometheus):
    groups = _get(f"{prometheus}/api/v1/rules")["data"]["groups"]
    rules = [r for g in groups for r in g["rules"]]
    assert len(rules) == len(pq.load_rules())
    bad = [f"{r['name']}: {r.get('lastError')}" for r in rules if r["health"] != "ok"]
    assert not bad, "\n".join(bad)


def test_every_panel_query_returns_data(prometheus):
    empty, errors = [], []
    for where, expr in pq.dashboard_queries(pq.load_dashboard()):
        if where.startswith("annotation"):
            continue  # ALERTS: empty when nothing fires
        query = pq.substitute_grafana_variables(expr)
        url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": query})
        try:
            result = _get(url)
        except urllib.error.HTTPError as e:
            errors.append(f"{where}: HTTP {e.code} {e.read()[:300]!r}")
            continue
        if not result["data"]["result"]:
            empty.append(f"{where}: {query}")
    assert not errors, "\n".join(errors)
    assert not empty, "queries without data on what model-monitor pushed:\n" + "\n".join(empty)


def test_series_carry_specialist_type_and_job(prometheus):
    """honor_labels keeps the grouping key the alerts aggregate by."""
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode(
        {"query": "neural_hive_model_performance_score"}
    )
    result = _get(url)["data"]["result"]
    assert result
    for series in result:
        assert series["metric"]["job"] == "model-performance-monitor"
        assert series["metric"].get("specialist_type")
