"""CPU of two commands measured in pairs: A, then B, then B, then A, ... so that the machine's
drift (other load, a busy hypervisor) touches both alike, and B's cost beyond A is the median of
the per-pair differences rather than the difference of two means taken minutes apart.

    python3 bench/cpu_pairs.py --runs 10 --warmup 1 --json out.json -- A... -- B...

CPU is user+sys of the child from wait4 (what hyperfine reports too), wall time from a monotonic
clock; both in milliseconds. The commands' output goes to /dev/null; their exit codes are kept
(a degraded specialist exits 1, which is no measurement error).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time


def run_once(argv: list[str]) -> dict:
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
    return {
        "cpu_ms": (usage.ru_utime + usage.ru_stime) * 1000.0,
        "wall_ms": wall * 1000.0,
        "exit_code": proc.returncode,
    }


def split_commands(rest: list[str]) -> tuple[list[str], list[str]]:
    if rest[:1] == ["--"]:
        rest = rest[1:]
    if "--" not in rest:
        raise SystemExit("cpu_pairs.py: expected two commands: -- A... -- B...")
    cut = rest.index("--")
    a, b = rest[:cut], rest[cut + 1 :]
    if not a or not b:
        raise SystemExit("cpu_pairs.py: both commands must be non-empty")
    return a, b


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--json", required=True, help="where to write the figures")
    args, rest = parser.parse_known_args()
    if args.runs < 1 or args.warmup < 0:
        raise SystemExit("cpu_pairs.py: --runs must be >= 1 and --warmup >= 0")
    a, b = split_commands(rest)
    for _ in range(args.warmup):
        run_once(a)
        run_once(b)
    runs: dict[str, list[dict]] = {"a": [], "b": []}
    for i in range(args.runs):
        order = ("a", "b") if i % 2 == 0 else ("b", "a")
        for name in order:
            runs[name].append(run_once(a if name == "a" else b))
    diffs = [rb["cpu_ms"] - ra["cpu_ms"] for ra, rb in zip(runs["a"], runs["b"])]
    out = {
        "runs": args.runs,
        "a": {"argv": a, "runs": runs["a"]},
        "b": {"argv": b, "runs": runs["b"]},
        "b_minus_a_cpu_ms": diffs,
        "b_minus_a_cpu_ms_median": statistics.median(diffs),
    }
    for name in ("a", "b"):
        cpu = [r["cpu_ms"] for r in runs[name]]
        wall = [r["wall_ms"] for r in runs[name]]
        out[name]["cpu_ms_mean"] = statistics.fmean(cpu)
        out[name]["wall_ms_mean"] = statistics.fmean(wall)
        out[name]["wall_ms_stdev"] = statistics.stdev(wall) if len(wall) > 1 else 0.0
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(out, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
