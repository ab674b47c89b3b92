"""The manifest of a report run: inputs' SHA-256, parameters, versions, git commit, timings."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

#: Packages whose versions a manifest records (plus ``helpers`` itself).
VERSIONED_PACKAGES = ("pandas", "numpy", "scipy", "matplotlib", "papermill", "nbconvert", "weasyprint")


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def package_versions() -> dict[str, str | None]:
    """Installed versions of the analysis and report packages, and of helpers."""
    import helpers

    versions: dict[str, str | None] = {}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    versions["helpers"] = helpers.__version__
    versions["python"] = platform.python_version()
    return versions


def git_state(root: str | Path) -> dict | None:
    """``{"commit": sha, "dirty": bool}`` of the repository at ``root``; ``None`` outside git
    or before the first commit."""
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False
            )
        except (OSError, subprocess.TimeoutExpired):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    return {"commit": commit, "dirty": bool(status)}


def display_path(path: str | Path, root: str | Path) -> str:
    """``path`` relative to ``root`` when inside it (portable manifests), else absolute."""
    path, root = Path(path).resolve(), Path(root).resolve()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def input_hashes(paths: list[Path], root: str | Path, known: dict[Path, str] | None = None) -> dict[str, dict]:
    """``{path: {"sha256": ..., "bytes": ...}}`` for input files, keyed relative to ``root``.

    ``known`` holds hashes already computed (the validated-data cache keeps
    those of the data files); the other files are read.
    """
    known = known or {}
    return {
        display_path(p, root): {"sha256": known.get(p) or sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(paths)
    }


def _jsonable(value):
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def write_manifest(manifest: dict, path: str | Path) -> Path:
    """Write the manifest as indented UTF-8 JSON (Japanese kept readable)."""
    path = Path(path)
    path.write_text(json.dumps(_jsonable(manifest), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
