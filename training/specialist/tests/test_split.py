"""Evaluation split and determinism: no MLflow needed."""

from __future__ import annotations

import numpy as np

import synthetic
import train


def _df(rows, feedback, seed=7):
    return synthetic.make_table(rows, feedback, seed=seed).to_pandas()


def _opts(**kw):
    argv = ["--dataset-path", "unused", "--specialist-type", "technical"]
    for k, v in kw.items():
        argv += [f"--{k.replace('_', '-')}", str(v)]
    return train.parse_options(argv)


def test_enough_feedback_evaluates_on_feedback_only():
    df = _df(600, 200)
    s = train.split_dataset(df, _opts())
    assert s.eval_set == "feedback_only"
    assert set(df.loc[s.eval_idx, "source"]) == {"feedback"}
    # max(min_real_eval_rows=50, ceil(0.2 * 200) = 40) feedback rows evaluate; the rest train.
    assert len(s.eval_idx) == 50
    assert len(s.train_idx) == 550
    assert set(s.train_idx).isdisjoint(s.eval_idx)
    assert (df.loc[s.train_idx, "source"] == "feedback").sum() == 150


def test_feedback_eval_size_follows_test_size_above_the_minimum():
    df = _df(2000, 1000)
    s = train.split_dataset(df, _opts(test_size=0.25))
    assert s.eval_set == "feedback_only" and len(s.eval_idx) == 250
    assert s.stratified


def test_exactly_min_feedback_rows_all_evaluate():
    df = _df(400, 50)
    s = train.split_dataset(df, _opts())
    assert s.eval_set == "feedback_only"
    assert sorted(s.eval_idx) == sorted(df.index[df.source == "feedback"])


def test_too_little_feedback_gives_a_stratified_mixed_split():
    df = _df(500, 49)
    s = train.split_dataset(df, _opts())
    assert s.eval_set == "mixed" and s.stratified
    assert len(s.eval_idx) == 100 and len(s.train_idx) == 400
    # Stratified: each class keeps about its share in the evaluation set.
    full = df.label.value_counts(normalize=True)
    ev = df.loc[s.eval_idx].label.value_counts(normalize=True)
    assert max(abs(full - ev.reindex(full.index, fill_value=0))) < 0.02


def test_min_real_eval_rows_is_the_switch():
    df = _df(500, 49)
    assert train.split_dataset(df, _opts(min_real_eval_rows=40)).eval_set == "feedback_only"
    assert train.split_dataset(df, _opts(min_real_eval_rows=49)).eval_set == "feedback_only"
    assert train.split_dataset(df, _opts(min_real_eval_rows=50)).eval_set == "mixed"


def test_rare_class_falls_back_to_unstratified():
    labels = np.array([1] * 60 + [0] * 39 + [3])  # one row of "conditional"
    df = synthetic.make_table(100, labels=labels).to_pandas()
    s = train.split_dataset(df, _opts())
    assert s.eval_set == "mixed" and not s.stratified
    assert len(s.eval_idx) == 20


def test_split_and_model_are_deterministic():
    df = _df(400, 100)
    X, y = df[train.FEATURES], df[train.LABEL]
    results = []
    for _ in range(2):
        s = train.split_dataset(df, _opts(random_state=123))
        m = train.build_model(123).fit(X.loc[s.train_idx], y.loc[s.train_idx])
        pred = m.predict(X.loc[s.eval_idx])
        results.append((s.eval_idx, s.train_idx, pred.tolist(), train.evaluate(y.loc[s.eval_idx], pred)))
    assert results[0] == results[1]
    other = train.split_dataset(df, _opts(random_state=124))
    assert other.eval_idx != results[0][0]


def test_metrics_are_weighted_averages():
    y_true = np.array([0, 0, 0, 1])
    y_pred = np.array([0, 0, 1, 1])
    m = train.evaluate(y_true, y_pred)
    # class 0: p=1, r=2/3, f1=0.8 (support 3); class 1: p=0.5, r=1, f1=2/3 (support 1)
    assert np.isclose(m["precision"], (3 * 1 + 1 * 0.5) / 4)
    assert np.isclose(m["recall"], (3 * 2 / 3 + 1 * 1) / 4)
    assert np.isclose(m["f1_score"], (3 * 0.8 + 1 * 2 / 3) / 4)
    assert m["accuracy"] == 0.75
