#pragma once
// Retrain notifications used by the notification tests (unit and integration).

#include "ports/notifier.hpp"

#include <chrono>

namespace mm::test {

// 2026-05-09T07:35:25Z, a Saturday.
inline const TimePoint k_sample_time = TimePoint(std::chrono::seconds(1778312125));

inline RetrainNotification promoted_sample() {
  RetrainNotification n;
  n.kind = RetrainNotification::Kind::success;
  n.specialist_type = "technical";
  n.timestamp = k_sample_time;
  n.trigger = "degradation";
  n.run_id = "4f1c2a9be0d84c7f";
  n.promoted = true;
  n.f1_before = 0.70;
  n.f1_after = 0.83;
  n.decision = "f1 0.8300 >= baseline 0.7000 + 0.02; precision and recall within 0.01 of baseline";
  n.model_version = "7";
  n.mlflow_url = "http://mlflow.mlflow:5000/#/experiments/3/runs/4f1c2a9be0d84c7f";
  return n;
}

inline RetrainNotification failure_sample() {
  RetrainNotification n;
  n.kind = RetrainNotification::Kind::failure;
  n.specialist_type = "technical";
  n.timestamp = k_sample_time;
  n.trigger = "forced";
  n.run_id = "9a8b7c6d";
  n.failed_step = "training";
  n.error = "MLflow run 9a8b7c6d ended FAILED after 312 s";
  n.what_to_do = "Open the run's logs in MLflow, fix the training project, rerun with --force";
  return n;
}

} // namespace mm::test
