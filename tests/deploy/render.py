#!/usr/bin/env python3
"""Renders deploy/k8s/kustomization.yaml like `kubectl kustomize`, without kubectl.

Supports the subset of Kustomize the kustomization uses, and refuses anything else (so a new
feature there cannot be silently ignored): `resources` (local files), `namespace`, `images`
(name, newName, newTag, digest). When kubectl is installed, tests/deploy/test_manifests.py
checks that this rendering and `kubectl kustomize` produce the same objects.

    python tests/deploy/render.py [deploy/k8s] > rendered.yaml
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

SUPPORTED = {"apiVersion", "kind", "resources", "namespace", "images"}
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
                  "StorageClass", "CustomResourceDefinition"}


class RenderError(Exception):
    pass


def _split_image(image: str) -> tuple[str, str, str]:
    """(name, tag, digest) of an image reference; a registry port is not a tag."""
    name, digest = (image.split("@", 1) + [""])[:2]
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    return name, tag, digest


def _set_image(image: str, rules: list[dict]) -> str:
    name, tag, digest = _split_image(image)
    for rule in rules:
        if rule.get("name") != name:
            continue
        unknown = set(rule) - {"name", "newName", "newTag", "digest"}
        if unknown:
            raise RenderError(f"images: unsupported field(s) {sorted(unknown)}")
        name = rule.get("newName", name)
        if "digest" in rule:
            return f"{name}@{rule['digest']}"
        if "newTag" in rule:
            tag, digest = str(rule["newTag"]), ""
        break
    out = name + (f":{tag}" if tag else "")
    return out + (f"@{digest}" if digest else "")


def _pod_specs(obj: dict) -> list[dict]:
    spec = obj.get("spec") or {}
    kind = obj.get("kind")
    if kind == "Pod":
        return [spec]
    if kind == "CronJob":
        return [spec.get("jobTemplate", {}).get("spec", {}).get("template", {}).get("spec", {})]
    if kind in {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}:
        return [spec.get("template", {}).get("spec", {})]
    return []


def render(directory: str | Path) -> list[dict]:
    directory = Path(directory)
    kust = yaml.safe_load((directory / "kustomization.yaml").read_text())
    unknown = set(kust) - SUPPORTED
    if unknown:
        raise RenderError(f"kustomization.yaml uses {sorted(unknown)}, which tests/deploy/render.py "
                          "does not implement: extend it (and its kubectl cross-check)")
    objects: list[dict] = []
    for res in kust.get("resources", []):
        path = directory / res
        if not path.is_file():
            raise RenderError(f"resource {res} is not a file in {directory}")
        for doc in yaml.safe_load_all(path.read_text()):
            if doc is not None:
                objects.append(doc)
    ns = kust.get("namespace")
    for obj in objects:
        if ns and obj.get("kind") not in CLUSTER_SCOPED:
            obj.setdefault("metadata", {})["namespace"] = ns
        for pod in _pod_specs(obj):
            for key in ("initContainers", "containers"):
                for c in pod.get(key, []) or []:
                    c["image"] = _set_image(c["image"], kust.get("images", []))
    return objects


def main() -> int:
    directory = sys.argv[1] if len(sys.argv) > 1 else "deploy/k8s"
    try:
        objects = render(directory)
    except RenderError as e:
        print(f"render.py: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(yaml.safe_dump_all(objects, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
