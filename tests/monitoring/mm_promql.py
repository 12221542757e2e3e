"""Helpers of the monitoring tests: a small PromQL tokenizer that finds the metric names an
expression reads, a parser of the Prometheus text exposition format, and loaders for the alert
rules and the Grafana dashboard.

The tokenizer is not a PromQL parser; it only has to tell metric names apart from everything else
that looks like an identifier: function and aggregation names (followed by `(` or by a
`by`/`without` clause), label names (inside `{...}` and in `by`/`without`/`on`/`ignoring`/
`group_left`/`group_right` lists), keywords (`and`, `or`, `unless`, `offset`, `bool`, ...),
string literals (label values, which may well contain metric-like names), durations and numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
RULES_FILE = ROOT / "monitoring" / "alerts" / "rules" / "model-performance.rules.yaml"
OPERATOR_FILE = ROOT / "monitoring" / "alerts" / "model-performance-alerts.yaml"
PROMTOOL_TESTS_DIR = ROOT / "monitoring" / "alerts" / "tests"
DASHBOARD_FILE = ROOT / "monitoring" / "dashboards" / "continuous-learning.json"
TROUBLESHOOTING_FILE = ROOT / "docs" / "troubleshooting.md"

AGGREGATIONS = {
    "sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
    "bottomk", "topk", "quantile", "limitk", "limit_ratio",
}
# Keywords that take a parenthesised list of label names.
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
KEYWORDS = {"and", "or", "unless", "offset", "bool", "atan2"} | LABEL_LIST_KEYWORDS
LITERALS = {"inf", "nan"}

_IDENT = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")
_MATCHER = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*")


@dataclass
class Selector:
    """One vector selector: the metric it names and its label matchers."""

    name: str
    matchers: list[tuple[str, str, str]] = field(default_factory=list)  # (label, op, value)
    functions: list[str] = field(default_factory=list)  # enclosing functions, innermost first


def _read_string(expr: str, i: int) -> tuple[str, int]:
    """The string literal starting at expr[i] (a quote) and the index after it."""
    quote = expr[i]
    j = i + 1
    out = []
    while j < len(expr):
        c = expr[j]
        if c == "\\" and quote != "`" and j + 1 < len(expr):
            out.append(expr[j + 1])
            j += 2
            continue
        if c == quote:
            return "".join(out), j + 1
        out.append(c)
        j += 1
    raise ValueError(f"unterminated string in PromQL expression: {expr!r}")


def _read_matchers(expr: str, i: int) -> tuple[list[tuple[str, str, str]], int]:
    """The label matchers of the `{...}` starting at expr[i] and the index after `}`."""
    assert expr[i] == "{"
    j = i + 1
    matchers = []
    while True:
        while j < len(expr) and expr[j] in " \t\r\n,":
            j += 1
        if j >= len(expr):
            raise ValueError(f"unterminated {{...}} in PromQL expression: {expr!r}")
        if expr[j] == "}":
            return matchers, j + 1
        m = _MATCHER.match(expr, j)
        if not m or j + len(m.group(0)) >= len(expr) or expr[m.end()] not in "\"'`":
            raise ValueError(f"cannot read label matcher at {expr[j:j + 30]!r} in {expr!r}")
        value, j = _read_string(expr, m.end())
        matchers.append((m.group(1), m.group(2), value))


def _skip_brackets(expr: str, i: int) -> int:
    """Index after the `[...]` (range or subquery) starting at expr[i]."""
    depth = 0
    j = i
    while j < len(expr):
        if expr[j] == "[":
            depth += 1
        elif expr[j] == "]":
            depth -= 1
            if depth == 0:
                return j + 1
        j += 1
    raise ValueError(f"unterminated [...] in PromQL expression: {expr!r}")


def _skip_label_list(expr: str, i: int) -> int:
    """Index after the `(label, ...)` list starting at expr[i] (which is `(`)."""
    j = expr.index(")", i)
    return j + 1


def _next_non_space(expr: str, i: int) -> int:
    while i < len(expr) and expr[i].isspace():
        i += 1
    return i


def selectors(expr: str) -> list[Selector]:
    """Every vector selector in a PromQL expression, in order."""
    out: list[Selector] = []
    stack: list[str | None] = []  # per open paren: the function it belongs to (None: grouping)
    pending_fn: str | None = None  # an aggregation waiting for its `(` after a by/without clause
    i = 0
    n = len(expr)
    while i < n:
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "#":  # comment to the end of the line
            j = expr.find("\n", i)
            i = n if j < 0 else j
        elif c in "\"'`":
            _, i = _read_string(expr, i)
        elif c == "[":
            i = _skip_brackets(expr, i)
        elif c == "{":
            # A selector without a metric name before it: {__name__="..."}.
            matchers, i = _read_matchers(expr, i)
            names = [v for (label, op, v) in matchers if label == "__name__" and op == "="]
            if not names:
                raise ValueError(f"selector without an exact metric name in {expr!r}")
            out.append(Selector(names[0], matchers, [f for f in reversed(stack) if f]))
        elif c == "(":
            stack.append(pending_fn)
            pending_fn = None
            i += 1
        elif c == ")":
            if stack:
                stack.pop()
            i += 1
        elif c.isdigit() or (c == "." and i + 1 < n and expr[i + 1].isdigit()):
            # Number or duration: 0.65, 1e-9, 13, 12h, 1h30m, 0x1f.
            j = i + 1
            while j < n and (expr[j].isalnum() or expr[j] in "._"):
                if expr[j] in "eE" and j + 1 < n and expr[j + 1] in "+-":
                    j += 2
                    continue
                j += 1
            i = j
        elif _IDENT.match(expr, i):
            m = _IDENT.match(expr, i)
            word = m.group(0)
            j = _next_non_space(expr, m.end())
            lower = word.lower()
            if lower in LABEL_LIST_KEYWORDS:
                i = _skip_label_list(expr, j) if j < n and expr[j] == "(" else j
            elif lower in KEYWORDS or lower in LITERALS:
                i = m.end()
            elif word in AGGREGATIONS and j < n and (expr[j] == "(" or _IDENT.match(expr, j)):
                pending_fn = word
                i = m.end()
            elif j < n and expr[j] == "(":
                pending_fn = word  # a function call
                i = m.end()
            else:
                matchers: list[tuple[str, str, str]] = []
                i = m.end()
                if j < n and expr[j] == "{":
                    matchers, i = _read_matchers(expr, j)
                out.append(Selector(word, matchers, [f for f in reversed(stack) if f]))
        else:
            i += 1  # operators, commas, @ modifiers
    return out


def metric_names(expr: str) -> set[str]:
    return {s.name for s in selectors(expr)}


# ----------------------------------------------------------------------------------- exposition

_SAMPLE = re.compile(r"^([A-Za-z_:][A-Za-z0-9_:]*)(\{.*\})?\s+(\S+)(\s+\S+)?$")
_LABEL = re.compile(r'\s*([A-Za-z_][A-Za-z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?')


@dataclass
class Exposition:
    """Families and samples of a text exposition (e.g. a Pushgateway's /metrics)."""

    types: dict[str, str] = field(default_factory=dict)  # family -> counter|gauge|histogram|...
    samples: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)  # (family, name, labels)

    def filtered(self, **labels: str) -> "Exposition":
        keep = [s for s in self.samples if all(s[2].get(k) == v for k, v in labels.items())]
        families = {s[0] for s in keep}
        return Exposition({f: t for f, t in self.types.items() if f in families}, keep)

    def sample_names(self) -> set[str]:
        return {s[1] for s in self.samples}

    def families(self) -> set[str]:
        return {s[0] for s in self.samples}

    def label_names(self, sample_name: str) -> set[str]:
        return {k for (_, name, labels) in self.samples if name == sample_name for k in labels}

    def label_values(self, sample_name: str, label: str) -> set[str]:
        return {
            labels[label]
            for (_, name, labels) in self.samples
            if name == sample_name and label in labels
        }


def parse_labels(text: str) -> dict[str, str]:
    inner = text.strip()[1:-1]
    labels = {}
    pos = 0
    while pos < len(inner):
        m = _LABEL.match(inner, pos)
        if not m:
            raise ValueError(f"cannot parse labels {text!r}")
        labels[m.group(1)] = bytes(m.group(2), "utf-8").decode("unicode_escape")
        pos = m.end()
    return labels


def parse_exposition(text: str) -> Exposition:
    exp = Exposition()
    family = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split(None, 3)
            if len(parts) >= 4 and parts[1] == "TYPE":
                family = parts[2]
                exp.types[family] = parts[3].strip()
            continue
        m = _SAMPLE.match(line)
        if not m:
            raise ValueError(f"cannot parse exposition line {raw!r}")
        name = m.group(1)
        labels = parse_labels(m.group(2)) if m.group(2) else {}
        fam = name
        if family and exp.types.get(family) in ("histogram", "summary"):
            if name in {family, f"{family}_bucket", f"{family}_sum", f"{family}_count"}:
                fam = family
        exp.samples.append((fam, name, labels))
    return exp


# ------------------------------------------------------------------------- rules and dashboard


def load_rules() -> list[dict]:
    doc = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return [rule for group in doc["groups"] for rule in group["rules"]]


def load_dashboard() -> dict:
    return json.loads(DASHBOARD_FILE.read_text(encoding="utf-8"))


def dashboard_queries(dashboard: dict) -> list[tuple[str, str]]:
    """(where, PromQL) of every query of the dashboard: panel targets (rows' nested panels too),
    annotation queries and query variables."""
    out = []

    def walk(panels):
        for p in panels:
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((f"panel {p.get('id')} {p.get('title')!r} target {t.get('refId')}", t["expr"]))
            walk(p.get("panels", []))

    walk(dashboard.get("panels", []))
    for a in dashboard.get("annotations", {}).get("list", []):
        if a.get("expr"):
            out.append((f"annotation {a.get('name')!r}", a["expr"]))
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v.get("query")
        q = q.get("query") if isinstance(q, dict) else q
        if q:
            out.append((f"variable {v['name']!r}", template_query_to_promql(q)))
    return out


def template_query_to_promql(query: str) -> str:
    """Grafana's Prometheus variable functions, as the PromQL they read:
    label_values(metric, label) -> metric; label_values(label) -> nothing to check."""
    m = re.fullmatch(r"\s*label_values\(\s*(.*?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", query)
    if m:
        return m.group(1)
    m = re.fullmatch(r"\s*(?:query_result|metrics)\((.*)\)\s*", query)
    if m:
        return m.group(1)
    if re.fullmatch(r"\s*label_(names|values)\(\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*", query):
        return ""
    return query


def substitute_grafana_variables(expr: str) -> str:
    """A dashboard expression with Grafana's variables replaced by valid PromQL text."""
    expr = re.sub(r"\$__(rate_interval|interval|range)\b", "5m", expr)
    expr = re.sub(r"\$\{?specialist_type(:\w+)?\}?", ".+", expr)
    return expr
