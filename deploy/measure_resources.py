#!/usr/bin/env python3
"""Measures what one `model-monitor` run uses, to size the CronJob's resources (deploy/README.md).

Runs the real binary against the local services of scripts/services.sh, the way the pod runs it:
as uid/gid 10001, root filesystem read-only, writable tmpfs only at /tmp, HOME and DATA_DIR
(the CronJob's emptyDirs and PVC), no git on PATH, the application read-only under /srv/app.
It samples the whole process tree (the binary, `mlflow run`, `python train.py`) every 100 ms
and reports the peak of the summed RSS and PSS, the largest single process, CPU seconds and
wall time.

    eval "$(bash scripts/services.sh env)"
    sudo $MM_VENV/bin/python deploy/measure_resources.py --binary BUILD/model-monitor \
        --venv /opt/model-monitor/venv [--samples 1000 --feedback 1000] [--command check]

Needs root (unshare -m, mount, setpriv) and a binary whose RUNPATH points at a venv that uid
10001 can read (the image's path, /opt/model-monitor/venv: see deploy/README.md, "Measured").
--no-sandbox runs it as the current user without the mount namespace instead.

Each run seeds its own specialist type (`dm<time>`): an MLflow experiment, a production model
version with degraded metrics (recall 0.62, F1 0.69) so `retrain` trains, and --feedback rated
opinions in a MongoDB database of its own (MONGODB_DATABASE=mm_deploy_measure); it removes all
of that (and its Pushgateway group) at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "mm_deploy_measure"


def seed(stype: str, feedback: int) -> None:
    from mlflow.tracking import MlflowClient
    import pymongo

    client = MlflowClient()
    name = f"{stype}-specialist"
    exp = client.create_experiment(name)
    run = client.create_run(exp, tags={"specialist_type": stype})
    rid = run.info.run_id
    for key, value in {"precision": 0.78, "recall": 0.62, "f1_score": 0.69, "accuracy": 0.7}.items():
        client.log_metric(rid, key, value)
    client.set_terminated(rid, "FINISHED")
    client.create_registered_model(name)
    mv = client.create_model_version(name, source=f"runs:/{rid}/model", run_id=rid)
    client.set_registered_model_alias(name, "production", mv.version)

    sys.path.insert(0, str(ROOT / "scripts"))
    from llm_standin import make_record  # the demo's labelling rule (scripts/seed_demo.py)
    from seed_demo import FEATURES

    rng = random.Random(7)
    now = datetime.now(timezone.utc)
    fb, ops = [], []
    for i in range(feedback):
        rec = make_record(rng.getrandbits(32), 0)
        label = "review_required" if rec["label"] == "conditional" else rec["label"]
        op, plan = str(uuid.uuid4()), str(uuid.uuid4())
        at = now - timedelta(hours=1 + i % 600)
        ops.append({"opinion_id": op, "plan_id": plan, "specialist_type": stype,
                    "recommendation": "approve", "features": {k: float(rec[k]) for k in FEATURES},
                    "created_at": at - timedelta(hours=1)})
        fb.append({"feedback_id": str(uuid.uuid4()), "schema_version": "1.0.0", "opinion_id": op,
                   "plan_id": plan, "specialist_type": stype, "human_rating": 0.7,
                   "human_recommendation": label, "feedback_notes": "", "submitted_by": "measure",
                   "submitted_at": at, "feedback_source": "human_expert", "metadata": {}})
    db = pymongo.MongoClient(os.environ["MONGODB_URI"])[DB]
    if fb:
        db["cognitive_ledger"].insert_many(ops)
        db["specialist_feedback"].insert_many(fb)


def cleanup(stype: str) -> None:
    from mlflow.tracking import MlflowClient
    import pymongo

    client = MlflowClient()
    name = f"{stype}-specialist"
    try:
        client.delete_registered_model(name)
    except Exception as e:  # noqa: BLE001 - best effort
        print(f"[measure] cleanup: registered model: {e}", file=sys.stderr)
    exp = client.get_experiment_by_name(name)
    if exp is not None:
        client.delete_experiment(exp.experiment_id)
    # The measurement's own database (feedback, opinions, and the binary's model_monitor_state).
    pymongo.MongoClient(os.environ["MONGODB_URI"]).drop_database(DB)
    pg = os.environ.get("PROMETHEUS_PUSHGATEWAY_URL")
    if pg:
        req = urllib.request.Request(
            f"{pg}/metrics/job/model-performance-monitor/specialist_type/{stype}", method="DELETE")
        try:
            urllib.request.urlopen(req, timeout=10).close()
        except Exception as e:  # noqa: BLE001
            print(f"[measure] cleanup: pushgateway: {e}", file=sys.stderr)


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(d))
    out, todo = [], [root]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def mem_kb(pid: int) -> tuple[int, int, str]:
    rss = pss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Rss:"):
                    rss = int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss = int(line.split()[1])
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")[:120]
    except OSError:
        return 0, 0, ""
    return rss, pss, cmd


class Sampler(threading.Thread):
    def __init__(self, root: int):
        super().__init__(daemon=True)
        self.root, self.stop = root, threading.Event()
        self.peak_rss = self.peak_pss = self.peak_one = self.peak_procs = 0
        self.peak_one_cmd = ""

    def run(self) -> None:
        while not self.stop.is_set():
            rss_sum = pss_sum = 0
            pids = descendants(self.root)
            for pid in pids:
                rss, pss, cmd = mem_kb(pid)
                rss_sum, pss_sum = rss_sum + rss, pss_sum + pss
                if rss > self.peak_one:
                    self.peak_one, self.peak_one_cmd = rss, cmd
            self.peak_rss = max(self.peak_rss, rss_sum)
            self.peak_pss = max(self.peak_pss, pss_sum)
            self.peak_procs = max(self.peak_procs, len(pids))
            time.sleep(0.1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", required=True)
    ap.add_argument("--venv", default="/opt/model-monitor/venv")
    ap.add_argument("--command", choices=["retrain", "check"], default="retrain")
    ap.add_argument("--samples", type=int, default=1000, help="DATASET_NUM_SAMPLES")
    ap.add_argument("--feedback", type=int, default=1000, help="rated opinions to seed")
    ap.add_argument("--no-sandbox", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the seeded data")
    args = ap.parse_args()
    for var in ("MLFLOW_TRACKING_URI", "MONGODB_URI", "MM_LLM_STANDIN_URL"):
        if not os.environ.get(var):
            sys.exit(f"{var} is not set: eval \"$(bash scripts/services.sh env)\" first")

    stype = f"dm{int(time.time())}"
    with contextlib.redirect_stdout(sys.stderr):  # MLflow prints "View run ..." lines
        seed(stype, args.feedback)
    stage = Path(tempfile.mkdtemp(prefix="mm-measure-"))
    app = stage / "app"
    (app / "bin").mkdir(parents=True)
    shutil.copy2(args.binary, app / "bin" / "model-monitor")
    shutil.copytree(ROOT / "prompts", app / "prompts")
    shutil.copytree(ROOT / "training" / "specialist", app / "training" / "specialist",
                    ignore=shutil.ignore_patterns("tests", "__pycache__", ".pytest_cache"))
    os.chmod(stage, 0o755)
    sandbox = not args.no_sandbox
    base = "/srv" if sandbox else str(stage)
    env = {
        "PATH": f"{args.venv}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "HOME": f"{base}/home", "DATA_DIR": f"{base}/data/training",
        "MLFLOW_CLI": f"{args.venv}/bin/mlflow", "PROMPTS_DIR": f"{base}/app/prompts",
        "RETRAINING_MLFLOW_PROJECT_URI": f"{base}/app/training/specialist",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1", "GIT_PYTHON_REFRESH": "quiet",
        "MLFLOW_DISABLE_TELEMETRY": "true", "DO_NOT_TRACK": "true",
        "MLFLOW_TRACKING_URI": os.environ["MLFLOW_TRACKING_URI"],
        "MONGODB_URI": os.environ["MONGODB_URI"], "MONGODB_DATABASE": DB,
        "PROMETHEUS_PUSHGATEWAY_URL": os.environ.get("PROMETHEUS_PUSHGATEWAY_URL", ""),
        "LLM_PROVIDER": "local", "LLM_BASE_URL": os.environ["MM_LLM_STANDIN_URL"],
        "LLM_MODEL": "llama3", "DATASET_NUM_SAMPLES": str(args.samples),
        "NOTIFICATION_CHANNELS": "", "LOG_FORMAT": "json", "SPECIALIST_TYPES": stype,
    }
    argv = [f"{base}/app/bin/model-monitor", args.command, "--specialist-type", "all",
            "--output-format", "json"]
    if sandbox:
        # The pod: read-only root, tmpfs where the CronJob mounts emptyDirs / the PVC, uid 10001,
        # no git (the image has none). Only this mount namespace sees any of it.
        setup = f"""set -e
mount -o remount,bind,ro /
mount -t tmpfs -o mode=755 tmpfs /srv
mkdir -p /srv/app /srv/home /srv/data/training
chown 10001:10001 /srv/home /srv/data/training
mount --bind {app} /srv/app && mount -o remount,bind,ro /srv/app
mount -t tmpfs -o mode=1777 tmpfs /tmp
[ -e /usr/bin/git ] && mount --bind /dev/null /usr/bin/git
cd /srv/app
rc=0
setpriv --reuid 10001 --regid 10001 --clear-groups env -i {' '.join(f'{k}={v!r}' for k, v in env.items())} {' '.join(argv)} || rc=$?
# What the run wrote where the pod has writable volumes (the rest is read-only).
echo "@@writable $(du -sk /tmp | cut -f1) $(du -sk /srv/home | cut -f1) $(du -sk /srv/data | cut -f1)" >&2
find /tmp /srv/home /srv/data -mindepth 1 -maxdepth 3 | sed 's/^/@@file /' >&2
exit $rc
"""
        cmd = ["unshare", "-m", "--propagation", "private", "bash", "-c", setup]
        cwd = None
    else:
        for d in ("home", "data/training"):
            (stage / d).mkdir(parents=True)
        cmd, cwd = argv, str(app)
    t0 = time.monotonic()
    before = os.times()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env if not sandbox else None,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    sampler = Sampler(proc.pid)
    sampler.start()
    out, err = proc.communicate()
    wall = time.monotonic() - t0
    sampler.stop.set()
    sampler.join()
    after = os.times()
    cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
    report = {
        "command": args.command, "specialist_type": stype, "exit_code": proc.returncode,
        "dataset_num_samples": args.samples, "feedback_seeded": args.feedback,
        "sandbox": sandbox, "wall_seconds": round(wall, 1), "cpu_seconds": round(cpu, 1),
        "peak_tree_rss_mib": round(sampler.peak_rss / 1024), "peak_tree_pss_mib": round(sampler.peak_pss / 1024),
        "peak_single_process_rss_mib": round(sampler.peak_one / 1024),
        "peak_single_process": sampler.peak_one_cmd, "peak_processes": sampler.peak_procs,
    }
    for line in err.splitlines():
        if line.startswith("@@writable "):
            tmp, home, data = (int(x) for x in line.split()[1:4])
            report["written_kib"] = {"/tmp": tmp, "HOME": home, "DATA_DIR": data}
        elif line.startswith("@@file "):
            report.setdefault("written_paths", []).append(line[7:])
        elif '"event":"promotion_decision"' in line or '"event":"retrain_finished"' in line:
            report.setdefault("events", []).append(json.loads(line))
    print(json.dumps(report, indent=2))
    if proc.returncode not in (0, 1):
        print(out[-3000:], file=sys.stderr)
        print(err[-6000:], file=sys.stderr)
    if os.environ.get("MM_MEASURE_DEBUG"):
        print(err[-20000:], file=sys.stderr)
    if not args.keep:
        with contextlib.redirect_stdout(sys.stderr):
            cleanup(stype)
        shutil.rmtree(stage, ignore_errors=True)
    return 0 if proc.returncode in (0, 1) else 1


if __name__ == "__main__":
    sys.exit(main())
