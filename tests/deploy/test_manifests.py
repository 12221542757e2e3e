"""Offline tests of deploy/: the Kubernetes manifests against docs/configuration.md and the
Dockerfile, the Dockerfile against scripts/setup.sh (one source for install steps), and the
ConfigMap against the binary's own validation. Run by scripts/test_deploy.sh (which also runs
kubernetes-validate, checkov and hadolint); needs PyYAML and pytest only.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
DOCKERFILE = ROOT / "deploy" / "docker" / "Dockerfile"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import render  # noqa: E402

APP_LABEL = {"app": "model-performance-monitor"}
NAMESPACE = "ml-pipelines"
# Values of the ConfigMap that deliberately differ from the binary's built-in defaults
# (configmap.yaml says why). Anything else must equal docs/configuration.md.
DEPLOYMENT_VALUES = {
    "PROMETHEUS_PUSHGATEWAY_URL": "http://prometheus-pushgateway.monitoring:9091",
    "MLFLOW_CLI": "/opt/model-monitor/venv/bin/mlflow",
    "PROMPTS_DIR": "/app/prompts",
    "RETRAINING_MLFLOW_PROJECT_URI": "/app/training/specialist",
    "LOG_FORMAT": "json",
}
# Not marked secret in the docs, but a credential that belongs with its password: in the Secret.
CREDENTIALS_IN_SECRET = {"MLFLOW_TRACKING_USERNAME"}


# ----------------------------------------------------------------------------- helpers

def config_reference() -> dict[str, tuple[str, bool]]:
    """name -> (default, secret) from the generated table of docs/configuration.md."""
    rows = {}
    for line in (ROOT / "docs" / "configuration.md").read_text().splitlines():
        m = re.match(r"^\| `([A-Z][A-Z0-9_]*)` \| (.*?) \| (.*?) \| (.*) \|$", line)
        if not m:
            continue
        name, default, _accepted, what = m.groups()
        default = "" if default == "(empty)" else default.strip("`")
        secret = "secret: never printed" in what or name == "MONGODB_URI"
        rows[name] = (default, secret)
    assert len(rows) > 40, "could not read the variable table of docs/configuration.md"
    return rows


def objects() -> list[dict]:
    return render(K8S)


def one(kind: str, objs: list[dict] | None = None) -> dict:
    found = [o for o in (objs or objects()) if o["kind"] == kind]
    assert len(found) == 1, f"expected one {kind}, found {len(found)}"
    return found[0]


def secret_example() -> dict:
    return yaml.safe_load((K8S / "secret.example.yaml").read_text())


def pod_spec(cronjob: dict) -> dict:
    return cronjob["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def dockerfile() -> list[tuple[str, str, str]]:
    """(stage, INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    out, stage, buf = [], "", ""
    for raw in DOCKERFILE.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        line, buf = buf + line, ""
        instr, _, args = line.partition(" ")
        instr = instr.upper()
        if instr == "FROM":
            stage = args.split()[-1] if " AS " in args.upper() else args
        out.append((stage, instr, args.strip()))
    return out


def dockerfile_env(stage: str = "runtime") -> dict[str, str]:
    env = {}
    for st, instr, args in dockerfile():
        if st == stage and instr == "ENV":
            for item in shlex.split(args):
                key, _, value = item.partition("=")
                env[key] = value
    return env


# ----------------------------------------------------------------------------- kustomization

def test_kustomization_lists_every_manifest_but_the_secret_example():
    listed = set(yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"])
    on_disk = {p.name for p in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert "secret.example.yaml" not in listed, "placeholders would overwrite the real Secret"
    assert on_disk - listed == {"secret.example.yaml"}, f"manifests not in kustomization: {on_disk - listed}"
    assert listed <= on_disk


def test_rendering_has_the_expected_objects():
    kinds = sorted((o["kind"], o["metadata"]["name"]) for o in objects())
    assert kinds == sorted([
        ("Namespace", NAMESPACE), ("ServiceAccount", "model-performance-monitor"),
        ("Role", "model-performance-monitor"), ("RoleBinding", "model-performance-monitor"),
        ("ConfigMap", "model-monitor-config"), ("PersistentVolumeClaim", "model-monitor-data"),
        ("NetworkPolicy", "model-performance-monitor"), ("CronJob", "model-performance-monitor"),
    ])


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed: the "
                    "Python rendering is not cross-checked against `kubectl kustomize`")
def test_python_rendering_equals_kubectl_kustomize():
    out = subprocess.run(["kubectl", "kustomize", str(K8S)], check=True, capture_output=True,
                         text=True).stdout
    theirs = [d for d in yaml.safe_load_all(out) if d]
    key = lambda o: (o["kind"], o["metadata"]["name"])  # noqa: E731
    assert sorted(theirs, key=key) == sorted(objects(), key=key)


def test_every_object_is_labelled_and_namespaced():
    for o in objects():
        meta = o["metadata"]
        assert APP_LABEL.items() <= meta.get("labels", {}).items(), f"{o['kind']} lacks app label"
        if o["kind"] != "Namespace":
            assert meta.get("namespace") == NAMESPACE, f"{o['kind']} not in {NAMESPACE}"
    cj = one("CronJob")
    assert APP_LABEL.items() <= cj["spec"]["jobTemplate"]["metadata"]["labels"].items()
    assert APP_LABEL.items() <= cj["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"].items()
    assert APP_LABEL.items() <= secret_example()["metadata"]["labels"].items()
    assert secret_example()["metadata"]["namespace"] == NAMESPACE
    assert one("NetworkPolicy")["spec"]["podSelector"]["matchLabels"] == APP_LABEL


# ----------------------------------------------------------------------------- configuration

def test_configmap_holds_every_non_secret_variable_with_its_default():
    ref = config_reference()
    data = one("ConfigMap")["data"]
    expected = {n for n, (_, secret) in ref.items() if not secret} - CREDENTIALS_IN_SECRET
    assert sorted(expected - set(data)) == [], "variables of docs/configuration.md missing"
    assert sorted(set(data) - set(ref)) == [], "keys that model-monitor does not read"
    for name in expected:
        want = DEPLOYMENT_VALUES.get(name, ref[name][0])
        assert data[name] == want, f"{name}={data[name]!r}, documented default {ref[name][0]!r}"
    assert all(isinstance(v, str) for v in data.values())


def test_configmap_holds_no_secret():
    ref = config_reference()
    data = one("ConfigMap")["data"]
    secrets = {n for n, (_, s) in ref.items() if s} | CREDENTIALS_IN_SECRET
    assert sorted(secrets & set(data)) == []


def test_secret_example_holds_every_secret_and_nothing_else():
    ref = config_reference()
    s = secret_example()
    assert s["kind"] == "Secret" and s["metadata"]["name"] == "model-monitor-secrets"
    keys = set(s.get("stringData", {})) | set(s.get("data", {}))
    assert keys == {n for n, (_, sec) in ref.items() if sec} | CREDENTIALS_IN_SECRET
    # No real values: placeholders or empty.
    for k, v in s["stringData"].items():
        assert v == "" or "REPLACE" in v or "PLACEHOLDER" in v, f"{k} looks like a real value"


def test_image_paths_agree_between_configmap_and_dockerfile():
    data = one("ConfigMap")["data"]
    env = dockerfile_env()
    shared = set(data) & set(env)
    assert {"MLFLOW_CLI", "PROMPTS_DIR", "RETRAINING_MLFLOW_PROJECT_URI", "DATA_DIR"} <= shared
    for k in shared:
        assert data[k] == env[k], f"{k}: ConfigMap {data[k]!r} would override image ENV {env[k]!r}"


def _binary() -> Path | None:
    b = Path(os.environ.get("MM_BINARY", ROOT / "build" / "model-monitor"))
    return b if b.is_file() and os.access(b, os.X_OK) else None


@pytest.mark.skipif(_binary() is None, reason="no built binary (build/model-monitor or MM_BINARY)")
@pytest.mark.parametrize("command", ["check", "retrain"])
def test_the_binary_accepts_the_configmap_and_secret_example(command):
    env = {**one("ConfigMap")["data"], **secret_example()["stringData"], "PATH": "/usr/bin:/bin"}
    r = subprocess.run([str(_binary()), command, "--print-config"], env=env, capture_output=True,
                       text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    printed = dict(l.split("=", 1) for l in r.stdout.splitlines() if "=" in l)
    for k, v in one("ConfigMap")["data"].items():
        assert printed.get(k) == v, f"{k}: binary sees {printed.get(k)!r}, ConfigMap has {v!r}"
    # ...and the check is real: a bad value is refused with exit 2 naming the variable.
    bad = subprocess.run([str(_binary()), command, "--print-config"],
                         env={**env, "TRAINING_TIMEOUT": "-1"}, capture_output=True, text=True)
    assert bad.returncode == 2 and "TRAINING_TIMEOUT" in bad.stderr


# ----------------------------------------------------------------------------- CronJob

def test_cronjob_schedule_and_job_policy():
    cj = one("CronJob")
    spec, job = cj["spec"], cj["spec"]["jobTemplate"]["spec"]
    assert spec["schedule"] == "0 */6 * * *"
    assert spec["concurrencyPolicy"] == "Forbid"
    assert 0 < spec["startingDeadlineSeconds"] < 6 * 3600
    assert spec["successfulJobsHistoryLimit"] >= 1 and spec["failedJobsHistoryLimit"] >= 1
    assert job["backoffLimit"] <= 2
    assert pod_spec(cj)["restartPolicy"] == "Never"
    c = pod_spec(cj)["containers"][0]
    assert c["args"] == ["retrain", "--specialist-type", "all"]
    # podFailurePolicy names the real container
    for rule in job.get("podFailurePolicy", {}).get("rules", []):
        if "onExitCodes" in rule:
            assert rule["onExitCodes"]["containerName"] == c["name"]


def test_active_deadline_covers_every_specialist_one_by_one():
    data = one("ConfigMap")["data"]
    n = len([t for t in data["SPECIALIST_TYPES"].split(",") if t.strip()])
    per = int(data["DATASET_GENERATION_TIMEOUT"]) + int(data["TRAINING_TIMEOUT"])
    deadline = one("CronJob")["spec"]["jobTemplate"]["spec"]["activeDeadlineSeconds"]
    assert deadline > n * per, f"{deadline} s < {n} specialists x {per} s"
    assert deadline <= n * per * 1.25, "so generous that a hung run blocks many schedules"


def test_cronjob_security_context():
    cj = one("CronJob")
    pod = pod_spec(cj)
    c = pod["containers"][0]
    psc, csc = pod["securityContext"], c["securityContext"]
    user = next(a for _, i, a in dockerfile() if i == "USER")
    assert psc["runAsNonRoot"] and csc["runAsNonRoot"]
    assert psc["runAsUser"] == csc["runAsUser"] == 10001 == int(user.split(":")[0])
    assert psc["seccompProfile"]["type"] == "RuntimeDefault"
    assert csc["readOnlyRootFilesystem"] is True
    assert csc["allowPrivilegeEscalation"] is False
    assert csc["capabilities"]["drop"] == ["ALL"] and "add" not in csc["capabilities"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["serviceAccountName"] == one("ServiceAccount")["metadata"]["name"]
    assert one("ServiceAccount")["automountServiceAccountToken"] is False


def test_writable_volumes_cover_what_the_process_writes():
    cj = one("CronJob")
    pod = pod_spec(cj)
    mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
    vols = {v["name"]: v for v in pod["volumes"]}
    env, data = dockerfile_env(), one("ConfigMap")["data"]
    assert "emptyDir" in vols[mounts["/tmp"]]
    assert "emptyDir" in vols[mounts[env["HOME"]]]
    claim = vols[mounts[data["DATA_DIR"]]]["persistentVolumeClaim"]["claimName"]
    assert claim == one("PersistentVolumeClaim")["metadata"]["name"]


def test_cronjob_environment_and_resources():
    c = pod_spec(one("CronJob"))["containers"][0]
    refs = c["envFrom"]
    assert refs[0]["configMapRef"]["name"] == one("ConfigMap")["metadata"]["name"]
    assert refs[1]["secretRef"]["name"] == secret_example()["metadata"]["name"]
    r = c["resources"]
    assert {"cpu", "memory"} <= set(r["requests"]) and {"cpu", "memory"} <= set(r["limits"])


def test_role_grants_nothing():
    assert one("Role")["rules"] == []
    rb = one("RoleBinding")
    assert rb["roleRef"]["name"] == one("Role")["metadata"]["name"]
    assert rb["subjects"] == [{"kind": "ServiceAccount", "name": "model-performance-monitor",
                               "namespace": NAMESPACE}]


# ----------------------------------------------------------------------------- Dockerfile

def test_both_stages_use_the_same_pinned_debian_12_image():
    froms = [a for _, i, a in dockerfile() if i == "FROM"]
    images = {f.split()[0] for f in froms}
    assert len(froms) == 2 and len(images) == 1, froms
    image = images.pop()
    assert re.fullmatch(r"debian:12\.\d+-slim(@sha256:[0-9a-f]{64})?", image), image


def test_dockerfile_installs_only_through_the_setup_and_build_scripts():
    """One source, no drift: packages come from scripts/setup.sh (its package lists and
    requirements-dev.txt), the build from scripts/build.sh."""
    runs = {(st, a) for st, i, a in dockerfile() if i == "RUN"}
    text = " ".join(a for _, a in runs)
    for forbidden in ("apt-get install", "apt install", "pip install", "cmake ", "ninja"):
        assert forbidden not in text, f"install/build step outside the scripts: {forbidden}"
    assert any(st == "build" and "bash scripts/setup.sh --build-only" in a for st, a in runs)
    assert any(st == "build" and "bash scripts/build.sh" in a and "-DMM_BUILD_TESTS=OFF" in a
               and "BUILD_TYPE=Release" in a for st, a in runs)
    assert any(st == "runtime" and "setup.sh --runtime-only" in a for st, a in runs)


def test_dockerfile_copies_what_the_scripts_read_and_nothing_missing():
    copies = [a for _, i, a in dockerfile() if i == "COPY" and "--from=" not in a]
    sources = [s for a in copies for s in shlex.split(a)[:-1]]
    for needed in ("scripts/setup.sh", "scripts/env.sh", "scripts/packages/", "requirements-dev.txt",
                   "training/specialist/requirements.txt", "scripts/build.sh", "CMakeLists.txt",
                   "cmake/", "src/"):
        assert needed in sources, f"the Dockerfile does not COPY {needed}"
    for s in sources:
        assert (ROOT / s).exists(), f"COPY source {s} does not exist"
    # Every file of the repository that setup.sh reads in the modes the Dockerfile uses must be
    # copied before it runs (FerretDB's sources are read only in the default mode).
    setup = (ROOT / "scripts" / "setup.sh").read_text()
    setup = re.sub(r"\ninstall_ferretdb\(\) \{.*?\n\}\n", "\n", setup, flags=re.S)
    read = set(re.findall(r"\$ROOT/([A-Za-z0-9_./$-]+)", setup))
    assert {"scripts/env.sh", "requirements-dev.txt"} <= read, read
    for path in read:
        path = path.split("$")[0]  # scripts/packages/apt-$1.txt -> scripts/packages/apt-
        assert any(path == s or path.startswith(s.rstrip("/") + "/") for s in sources), \
            f"scripts/setup.sh reads {path}, which the Dockerfile does not COPY"
    for req in re.findall(r"^-r (\S+)", (ROOT / "requirements-dev.txt").read_text(), re.M):
        assert req in sources, f"requirements-dev.txt includes {req}, which is not copied"
    # The MLproject's own files exist in the image.
    project = [s for s in sources if s.startswith("training/specialist/")]
    assert {"training/specialist/MLproject", "training/specialist/train.py",
            "training/specialist/python_env.yaml"} <= set(project)


def test_dockerignore_lets_every_copy_source_through():
    patterns = [l.strip() for l in (DOCKERFILE.parent / "Dockerfile.dockerignore").read_text()
                .splitlines() if l.strip() and not l.startswith("#")]

    def ignored(path: str) -> bool:
        result = False
        for p in patterns:
            neg = p.startswith("!")
            pat = p[1:] if neg else p
            pat = pat.rstrip("/")
            parts = path.rstrip("/").split("/")
            prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
            if any(fnmatch(x, pat) for x in prefixes):
                result = not neg
        return result

    copies = [a for _, i, a in dockerfile() if i == "COPY" and "--from=" not in a]
    for s in (s for a in copies for s in shlex.split(a)[:-1]):
        assert not ignored(s), f"Dockerfile.dockerignore excludes COPY source {s}"
    assert ignored("build/model-monitor") and ignored(".git")


def test_setup_modes_partition_the_package_lists():
    def pkgs(*flags):
        out = subprocess.run(["bash", str(ROOT / "scripts" / "setup.sh"), *flags,
                              "--print-apt-packages"], check=True, capture_output=True, text=True)
        return out.stdout.split()

    full, build, runtime = pkgs(), pkgs("--build-only"), pkgs("--runtime-only")
    assert len(full) == len(set(full))
    assert set(build) <= set(full) and set(runtime) <= set(full)
    # What the project always installed stays installed by the default mode.
    for p in ("build-essential", "cmake", "libmongoc-dev", "libgtest-dev", "prometheus-pushgateway",
              "hyperfine", "time", "clang-format"):
        assert p in full
    assert not any(p.endswith("-dev") for p in runtime), "headers in the runtime image"
    assert {"python3", "python3-venv"} <= set(build)


def test_image_ships_the_parquet_module_where_the_binary_looks():
    """retrain dlopen()s model-monitor-parquet.so from the binary's directory or
    ../lib/model-monitor (src/adapters/parquet/parquet_module.hpp): the image must carry the one
    built with the binary, stripped like it, at one of those places."""
    runs = " ".join(a for st, i, a in dockerfile() if st == "build" and i == "RUN")
    assert re.search(r"strip [^&]*/src/build/model-monitor-parquet\.so", runs), runs
    copies = [shlex.split(a) for st, i, a in dockerfile() if st == "runtime" and i == "COPY"]
    dest = {c[-1]: c[-2] for c in copies if c[0] == "--from=build"}
    binary = next(d for d, src in dest.items() if src == "/src/build/model-monitor")
    module = next(d for d, src in dest.items() if src == "/src/build/model-monitor-parquet.so")
    bindir = Path(binary).parent
    assert Path(module) in {bindir / "model-monitor-parquet.so",
                            bindir.parent / "lib" / "model-monitor" / "model-monitor-parquet.so"}
    entry = next(a for st, i, a in dockerfile() if st == "runtime" and i == "ENTRYPOINT")
    assert binary in entry


def _module() -> Path | None:
    b = _binary()
    m = b.parent / "model-monitor-parquet.so" if b else None
    return m if m and m.is_file() else None


@pytest.mark.skipif(_binary() is None or shutil.which("readelf") is None,
                    reason="needs a built binary and readelf")
def test_the_binary_does_not_link_arrow():
    """check and version must not map Arrow/Parquet (docs/performance.md): only the module links
    them."""
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]",
                        subprocess.run(["readelf", "-d", str(_binary())], capture_output=True,
                                       text=True, check=True).stdout)
    assert not [l for l in needed if l.startswith(("libarrow", "libparquet"))], needed
    assert _module() is not None, "model-monitor-parquet.so is not built beside the binary"


@pytest.mark.skipif(_binary() is None or shutil.which("dpkg") is None or shutil.which("ldd") is None,
                    reason="needs a built binary and dpkg/ldd (Debian)")
@pytest.mark.parametrize("which", ["binary", "parquet module"])
def test_runtime_package_list_covers_the_binarys_libraries(which):
    """apt-runtime.txt is derived from `ldd`: every directly needed library of the binary and of
    the Parquet module (except Arrow and Parquet, from the venv through the module's RUNPATH)
    comes from a package in the list."""
    target = _binary() if which == "binary" else _module()
    assert target is not None, "model-monitor-parquet.so is not built beside the binary"
    runtime = set((ROOT / "scripts" / "packages" / "apt-runtime.txt").read_text().split("\n"))
    runtime = {l.split("#")[0].strip() for l in runtime} - {""}
    needed = re.findall(r"\(NEEDED\).*\[(.+)\]",
                        subprocess.run(["readelf", "-d", str(target)], capture_output=True,
                                       text=True, check=True).stdout)
    ldd = subprocess.run(["ldd", str(target)], capture_output=True, text=True, check=True).stdout
    where = dict(re.findall(r"^\s*(\S+) => (\S+)", ldd, re.M))
    base = {"libc6"}  # in every Debian image (Essential)
    for lib in needed:
        if lib.startswith(("libarrow", "libparquet")):
            assert "site-packages/pyarrow" in where[lib]
            continue
        path = os.path.realpath(where[lib])
        owner = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True)
        if owner.returncode != 0:  # usrmerge: dpkg knows the /usr/lib path
            owner = subprocess.run(["dpkg", "-S", path.replace("/usr/lib/", "/lib/", 1)
                                    if path.startswith("/usr/lib/") else "/usr" + path],
                                   capture_output=True, text=True)
        pkg = owner.stdout.split(":")[0]
        assert pkg in runtime | base, f"{lib} ({path}) comes from {pkg!r}, not in apt-runtime.txt"
