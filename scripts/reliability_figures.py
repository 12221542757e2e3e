#!/usr/bin/env python3
"""The figures of docs/reliability.md, counted from the test suite itself.

    scripts/reliability_figures.py [--build-dir build] --write   # rewrite the figures block
    scripts/reliability_figures.py [--build-dir build] --check   # exit 1 if the block is stale

Counts come from the test executables' own listings (--gtest_list_tests), the fuzz targets and
their regression inputs, and ctest's list, so the document cannot claim more than the suite does.
scripts/test.sh runs --check after the tests.
"""
import argparse
import pathlib
import re
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "reliability.md"
BEGIN = "<!-- figures:begin (scripts/reliability_figures.py --write) -->"
END = "<!-- figures:end -->"

# The training failures of tests/integration/retrain that are fault scenarios too.
TRAINING_FAULTS = {
    "RetrainE2E.FailingTrainingNotifiesFailureAndPromotesNothing",
    "RetrainE2E.TrainingTimeoutKillsTheRunAndMarksItFailed",
    "RetrainE2E.SigtermDuringTrainingMarksTheRunKilledNotRunning",
}


def gtest_names(build: pathlib.Path, exe: str) -> list[str]:
    path = build / exe
    if not path.exists():
        sys.exit(f"reliability_figures: {path} does not exist; build the tests first")
    out = subprocess.run([str(path), "--gtest_list_tests"], check=True, capture_output=True,
                         text=True).stdout
    names, suite = [], ""
    for line in out.splitlines():
        if not line.strip() or line.startswith("Running main()"):
            continue
        if not line.startswith(" "):
            suite = line.strip()
            continue
        names.append(suite + line.strip().split("  #")[0].strip())
    return names


def ctest_count(build: pathlib.Path) -> int:
    out = subprocess.run(["ctest", "--test-dir", str(build), "-N"], check=True,
                         capture_output=True, text=True).stdout
    m = re.search(r"Total Tests:\s*(\d+)", out)
    return int(m.group(1)) if m else 0


def figures(build: pathlib.Path) -> str:
    bad = [n for n in gtest_names(build, "mm_it_bad_inputs") if n.startswith("All/BadInput.")]
    faults = [n for n in gtest_names(build, "mm_it_faults") if not n.startswith("FaultProxy")]
    retrain = gtest_names(build, "mm_it_retrain")
    ledger_e2e = [n for n in retrain if n.startswith("RetrainLedgerE2E.")]
    training = [n for n in retrain if n in TRAINING_FAULTS]
    ledger_unit = [n for n in gtest_names(build, "mm_pipeline_tests")
                   if n.startswith("LedgerTest.") or n.startswith("LeaseKeeper.")]
    lease_it = [n for n in gtest_names(build, "mm_it_mongo") if n.startswith("MongoLedgerIT.")]
    secrets = gtest_names(build, "mm_it_secrets")
    targets = sorted(p.stem for p in (ROOT / "tests" / "fuzz").glob("fuzz_*.cpp"))
    regressions = [p for p in (ROOT / "tests" / "fuzz" / "regressions").glob("*/*") if p.is_file()]
    total = ctest_count(build)
    real_faults = len(faults) + len(ledger_e2e) + len(training)
    return "\n".join([
        BEGIN,
        "| what | count | where |",
        "|---|---|---|",
        f"| bad inputs tried, each with its exact message and exit code | {len(bad)} | "
        "`mm_it_bad_inputs` (docs/bad-inputs.md) |",
        f"| faults injected against the real services and survived | {real_faults} | "
        f"`mm_it_faults` {len(faults)}, lease/kill -9 `RetrainLedgerE2E` {len(ledger_e2e)}, "
        f"training failed/timed out/SIGTERM {len(training)} (docs/faults.md) |",
        f"| lease and ledger branches with in-memory ports | {len(ledger_unit)} | "
        "`LedgerTest`, `LeaseKeeper` (tests/unit/pipeline) |",
        f"| lease races and records against FerretDB | {len(lease_it)} | `MongoLedgerIT` |",
        f"| secret-leak tests over a full run's outputs | {len(secrets)} | `mm_it_secrets` "
        "(docs/secrets.md) |",
        f"| fuzz targets (parsers of outside data) | {len(targets)} | "
        f"{', '.join('`' + t + '`' for t in targets)} (docs/fuzzing.md) |",
        f"| crash inputs kept as regression tests | {len(regressions)} | tests/fuzz/regressions |",
        f"| tests run again under ASan + UBSan | {total} | every ctest test, build-asan/ |",
        END,
    ])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--build-dir", default=str(ROOT / "build"))
    mode = ap.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = ap.parse_args()
    text = DOC.read_text()
    if BEGIN not in text or END not in text:
        sys.exit(f"reliability_figures: {DOC} lacks the figures markers")
    start, stop = text.index(BEGIN), text.index(END) + len(END)
    block = figures(pathlib.Path(args.build_dir))
    if args.write:
        DOC.write_text(text[:start] + block + text[stop:])
        return 0
    if text[start:stop] != block:
        print("docs/reliability.md: the figures differ from the suite's own count; run "
              "scripts/reliability_figures.py --write and commit. Expected:\n" + block,
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
