"""The tokenizer the metric-name test relies on: metric names, and only metric names."""

import pytest

import mm_promql as pq


@pytest.mark.parametrize(
    "expr, names",
    [
        ("neural_hive_a", {"neural_hive_a"}),
        ('neural_hive_a{status="failed"} > 0', {"neural_hive_a"}),
        # Label values that look like metric names are strings, not selectors.
        ('neural_hive_a{job="neural_hive_fake", x=~"neural_hive_.*"}', {"neural_hive_a"}),
        # Label lists of by/without/on/ignoring/group_left are labels.
        (
            "sum by (neural_hive_label) (neural_hive_a) / on (x, y) group_left (z) neural_hive_b",
            {"neural_hive_a", "neural_hive_b"},
        ),
        ("sum without (le) (rate(neural_hive_h_bucket[5m]))", {"neural_hive_h_bucket"}),
        # Aggregation with the clause after the argument.
        ("max(neural_hive_a) by (specialist_type)", {"neural_hive_a"}),
        # Functions, keywords, offsets, durations, numbers, literals.
        (
            "time() - max by (t) (last_over_time(neural_hive_ts[1d] offset 12h)) > 13 * 3600 "
            "and bool neural_hive_b unless vector(1e-9) or absent(neural_hive_c) > Inf",
            {"neural_hive_ts", "neural_hive_b", "neural_hive_c"},
        ),
        ("neural_hive_a < 0.65 - 1e-9", {"neural_hive_a"}),
        ("histogram_quantile(0.95, sum by (le) (increase(neural_hive_h_bucket[$__range])))",
         {"neural_hive_h_bucket"}),
        ("rate(neural_hive_a[5m:1m])", {"neural_hive_a"}),
        ('{__name__="neural_hive_a", x="y"}', {"neural_hive_a"}),
        ("# a comment naming neural_hive_fake\nneural_hive_a", {"neural_hive_a"}),
        ("vector(0.75)", set()),
        ('label_replace(neural_hive_a, "dst", "$1", "src", "(neural_hive_x)")', {"neural_hive_a"}),
    ],
)
def test_metric_names(expr, names):
    assert pq.metric_names(expr) == names


def test_enclosing_functions_innermost_first():
    (sel,) = pq.selectors("histogram_quantile(0.5, sum by (le) (increase(neural_hive_h_bucket[7d])))")
    assert sel.functions == ["increase", "sum", "histogram_quantile"]


def test_matchers_are_read():
    (sel,) = pq.selectors('neural_hive_a{status="failed", reason!~"x|y"}')
    assert sel.matchers == [("status", "=", "failed"), ("reason", "!~", "x|y")]


def test_exposition_parser_groups_histogram_series():
    text = """# HELP h Duration
# TYPE h histogram
h_bucket{job="j",le="30"} 1
h_bucket{job="j",le="+Inf"} 1
h_sum{job="j"} 0.2
h_count{job="j"} 1
# TYPE c counter
c{job="j",reason="forced",status="success"} 1
c{job="other"} 3
"""
    exp = pq.parse_exposition(text)
    assert exp.types == {"h": "histogram", "c": "counter"}
    assert {(f, n) for f, n, _ in exp.samples} == {("h", "h_bucket"), ("h", "h_sum"), ("h", "h_count"), ("c", "c")}
    only_j = exp.filtered(job="j")
    assert only_j.label_values("c", "status") == {"success"}
    assert len(only_j.samples) == 5
