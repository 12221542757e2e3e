"""Fixtures of the training project's tests.

`tracking_uri` is a real MLflow tracking server + model registry: the one in MLFLOW_TRACKING_URI
when it points at this machine (scripts/test.sh starts one), otherwise one started here on a free
127.0.0.1 port with a temporary SQLite store and stopped at the end. A non-local
MLFLOW_TRACKING_URI is never used: tests create experiments and registered models.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
TESTS_DIR = Path(__file__).resolve().parent
for p in (str(PROJECT_DIR), str(TESTS_DIR)):
    if p not in sys.path:
        sys.path.insert(0, p)

VENV_BIN = Path(sys.executable).parent
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(uri: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


@pytest.fixture(scope="session")
def tracking_uri(tmp_path_factory):
    env_uri = os.environ.get("MLFLOW_TRACKING_URI", "")
    host = urllib.parse.urlparse(env_uri).hostname if env_uri.startswith("http") else None
    if host in LOOPBACK and _healthy(env_uri):
        yield env_uri
        return

    mlflow_bin = VENV_BIN / "mlflow"
    if not mlflow_bin.exists():
        pytest.fail(f"{mlflow_bin} missing: install requirements-dev.txt into the venv")
    root = tmp_path_factory.mktemp("mlflow-server")
    port = _free_port()
    uri = f"http://127.0.0.1:{port}"
    log = open(root / "server.log", "wb")
    env = dict(os.environ, MLFLOW_SERVER_ENABLE_JOB_EXECUTION="false")
    proc = subprocess.Popen(
        [
            str(mlflow_bin),
            "server",
            "--backend-store-uri",
            f"sqlite:///{root / 'mlflow.db'}",
            "--artifacts-destination",
            str(root / "artifacts"),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,  # its own process group: the workers stop with it
    )
    try:
        deadline = time.monotonic() + 90
        while not _healthy(uri, timeout=1.0):
            if proc.poll() is not None:
                pytest.fail(
                    f"mlflow server exited with {proc.returncode}:\n"
                    + (root / "server.log").read_text(errors="replace")[-3000:]
                )
            if time.monotonic() > deadline:
                pytest.fail(f"mlflow server on {uri} not healthy after 90 s")
            time.sleep(0.25)
        yield uri
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@pytest.fixture
def mlflow_env(tracking_uri, monkeypatch):
    """In-process MLflow clients (train.main) talk to the test server."""
    import mlflow

    monkeypatch.setenv("MLFLOW_TRACKING_URI", tracking_uri)
    for var in ("MLFLOW_RUN_ID", "MLFLOW_EXPERIMENT_ID", "MLFLOW_EXPERIMENT_NAME"):
        monkeypatch.delenv(var, raising=False)
    mlflow.set_tracking_uri(tracking_uri)
    yield tracking_uri
    while mlflow.active_run() is not None:
        mlflow.end_run()
    mlflow.set_tracking_uri(None)  # then monkeypatch restores the environment


@pytest.fixture
def specialist_type():
    """A fresh specialist type per test: experiments and registered models never collide, even
    on a shared server."""
    return f"t{uuid.uuid4().hex[:10]}"
