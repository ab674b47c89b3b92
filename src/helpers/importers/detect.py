"""Recognising a shop system from the headers of its exports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from helpers.importers import raw
from helpers.importers.mapping import PRESETS, FileMapping, Mapping, load_preset


@dataclass(frozen=True)
class Recognised:
    """An export file recognised as one export of a shop system.

    Attributes
    ----------
    path : pathlib.Path
    platform : str
        Preset name (``"eccube"``, ...).
    label : str
        Platform as shown to people (``"EC-CUBE 4"``).
    role : str
        ``"orders"`` or ``"customers"``.
    """

    path: Path
    platform: str
    label: str
    role: str


def matches(export: raw.ExportFile, fm: FileMapping | None) -> bool:
    """Whether ``export`` has every header ``fm`` detects by (or, without ``detect``, every mapped header)."""
    if fm is None:
        return False
    wanted = fm.detect or tuple(fm.used_headers())
    return bool(wanted) and all(export.find(h) is not None for h in wanted)


def role_of(export: raw.ExportFile, mapping: Mapping) -> str | None:
    """``"orders"``, ``"customers"`` or None for a file under ``mapping``."""
    if matches(export, mapping.orders):
        return "orders"
    if matches(export, mapping.customers):
        return "customers"
    return None


def recognise(export: raw.ExportFile) -> Recognised | None:
    """The preset platform and role of one export file, or None."""
    for platform in PRESETS:
        mapping = load_preset(platform)
        role = role_of(export, mapping)
        if role is not None:
            return Recognised(export.path, platform, mapping.label, role)
    return None


def detect_platform(exports: list[raw.ExportFile]) -> str | None:
    """The preset whose order export is among ``exports`` (the first found), or None."""
    for export in exports:
        found = recognise(export)
        if found is not None and found.role == "orders":
            return found.platform
    return None


def exports_in_folder(folder: str | Path) -> list[Recognised]:
    """Files of ``folder`` that look like a known shop export (for ``kando validate`` hints)."""
    found = []
    for path in raw.list_exports([folder]):
        try:
            export = raw.sniff(path)
        except (OSError, ValueError):
            continue
        recognised = recognise(export)
        if recognised is not None:
            found.append(recognised)
    return found
