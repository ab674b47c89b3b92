"""The validated-data cache: typed tables as Parquet, so a run validates once.

``kando run`` validates the data directory, then stores the typed tables
here; every notebook's :func:`helpers.io.load_data` then reads Parquet
instead of parsing and checking the CSV files again.  A notebook opened alone
validates and fills the cache itself.  Beside each table with customer ids
the entry stores their integer codes (:mod:`helpers.text_codes`), so no
notebook hashes the same millions of ids again.

An entry is keyed by the SHA-256 of every input file of the data contract,
of ``as_of``, and of the code that reads and checks them: any change to an
input, the date or the rules makes a new key, and the old entry is never
read again.  The entry is written into a temporary folder and renamed into
place, so notebooks filling the cache at the same time never see half of
one.

The cache holds the client's data, personal columns included, so it lives
with the data: ``<data dir>/.kando/cache/`` by default, or the folder named
by ``--cache-dir`` / the ``KANDO_CACHE_DIR`` environment variable; never
under ``reports/`` (:func:`cache_root` refuses it, and
:func:`helpers.report.privacy_guard.cache_copies` checks report folders).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from helpers import schemas, text_codes

#: Environment variable naming the cache folder (overrides ``<data dir>/.kando/cache``).
CACHE_DIR_ENV = "KANDO_CACHE_DIR"
#: Environment variable that turns the cache off when set to ``0``/``off``.
CACHE_ENABLED_ENV = "KANDO_CACHE"
#: Folder, inside the data directory, that holds Kando's own files (never copied anywhere).
KANDO_DIR = ".kando"
#: Entries kept; older ones are removed when a new one is stored.
KEEP_ENTRIES = 4

_MANIFEST = "entry.json"
#: Column whose codes an entry stores beside each table (see :mod:`helpers.text_codes`).
_CODED_COLUMN = "customer_id"
_HASH_MEMO = "file-hashes.json"
_CHUNK = 1 << 22
# The code whose rules shape a cached table: a change to it is a change of key.
_RULE_SOURCES = ("io.py", "io_engine.py", "schemas.py", "cache.py")


class CacheLocationError(ValueError):
    """Raised for a cache folder inside a reports folder."""


def enabled() -> bool:
    """False when ``KANDO_CACHE`` is ``0``, ``off``, ``no`` or ``false``."""
    return os.environ.get(CACHE_ENABLED_ENV, "1").strip().lower() not in ("0", "off", "no", "false")


def cache_root(data_dir: Path, cache_dir: str | Path | None = None) -> Path:
    """The cache folder for a data directory.

    Parameters
    ----------
    data_dir : pathlib.Path
        The (resolved) data directory.
    cache_dir : str or pathlib.Path, optional
        A folder the user names; else ``KANDO_CACHE_DIR``; else
        ``<data_dir>/.kando/cache``.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    CacheLocationError
        When the folder lies inside a ``reports`` folder: the cache holds
        personal data and must stay with the data.
    """
    from helpers.io import PROJECT_ROOT, resolve_path

    named = cache_dir if cache_dir is not None else os.environ.get(CACHE_DIR_ENV) or None
    root = resolve_path(named) if named is not None else Path(data_dir) / KANDO_DIR / "cache"
    reports = (PROJECT_ROOT / "reports").resolve()
    if root.resolve() == reports or reports in root.resolve().parents or "reports" in root.resolve().parts:
        raise CacheLocationError(
            f"キャッシュは個人データを含むため reports/ の下には置けません / the cache holds personal data and "
            f"may not be under a reports folder: {root}"
        )
    return root


def input_files(data_dir: Path) -> list[Path]:
    """The files of the data contract in ``data_dir`` (every table, every suffix), by name."""
    from helpers.io import TABLE_SUFFIXES

    names = {f"{table}{suffix}" for table in schemas.TABLES for suffix in TABLE_SUFFIXES}
    return sorted((p for p in Path(data_dir).iterdir() if p.name in names and p.is_file()), key=lambda p: p.name)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_hashes(files: list[Path], root: Path) -> dict[str, str]:
    """SHA-256 of each file, by file name; remembered under ``root`` by (size, mtime, inode).

    A file unchanged since it was last hashed is not read again.

    Parameters
    ----------
    files : list of pathlib.Path
        Files of one folder (the data files of :func:`input_files`).
    root : pathlib.Path
        The cache folder, where the hashes are remembered.

    Returns
    -------
    dict of str to str
        File name -> lower-case hex SHA-256, in the order of ``files``.
    """
    memo_path = root / _HASH_MEMO
    try:
        memo = json.loads(memo_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        memo = {}
    hashes, stamps = {}, {}
    for path in files:
        stat = path.stat()
        stamps[path] = [stat.st_size, stat.st_mtime_ns, stat.st_ino]
        known = memo.get(str(path))
        if known and known[0] == stamps[path]:
            hashes[path.name] = known[1]
    new = [path for path in files if path.name not in hashes]
    changed = bool(new)
    with ThreadPoolExecutor(max_workers=max(1, min(len(new), os.cpu_count() or 1))) as pool:  # hashlib frees the GIL
        for path, sha in zip(new, pool.map(_sha256, new), strict=True):
            hashes[path.name] = sha
            memo[str(path)] = [stamps[path], sha]
    hashes = {path.name: hashes[path.name] for path in files}  # in file order, as the key digests them
    if changed:
        _write_atomically(memo_path, json.dumps(memo, sort_keys=True).encode("utf-8"))
    return hashes


def _rules_fingerprint() -> str:
    here = Path(__file__).parent
    digest = hashlib.sha256()
    for name in _RULE_SOURCES:
        digest.update((here / name).read_bytes())
    digest.update(repr(sorted(schemas.TABLES.items())).encode("utf-8"))
    digest.update(repr(schemas.REQUIRED_TABLES).encode("utf-8"))
    return digest.hexdigest()


def cache_key(data_dir: Path, as_of: pd.Timestamp, root: Path) -> str:
    """SHA-256 of the input files, ``as_of`` and the rules: the name of a cache entry."""
    root.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    digest.update(_rules_fingerprint().encode("ascii"))
    digest.update(f"as_of={pd.Timestamp(as_of).isoformat()}".encode("ascii"))
    for name, sha in file_hashes(input_files(data_dir), root).items():
        digest.update(f"{name}={sha}\n".encode())
    return digest.hexdigest()


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def load(
    root: Path, key: str, tables: list[str]
) -> tuple[dict[str, pd.DataFrame], dict[str, str], dict[str, list[str]]] | None:
    """The cached tables of entry ``key``, or None when there is no complete entry.

    Parameters
    ----------
    root : pathlib.Path
        The cache folder (:func:`cache_root`).
    key : str
        The entry (:func:`cache_key`).
    tables : list of str
        Tables wanted; those absent from the data directory are left out.

    Returns
    -------
    frames : dict of str to pandas.DataFrame
    files : dict of str to str
        Table -> the name of the file it was read from.
    notes : dict of str to list of str
        Table -> the validation notes about it.
    """
    entry = root / key
    try:
        manifest = json.loads((entry / _MANIFEST).read_text(encoding="utf-8"))
        files = {t: manifest["files"][t] for t in tables if t in manifest["files"]}
        frames = {t: _read_frame(entry / f"{t}.parquet") for t in files}
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None  # no entry, or one removed while being read: validate instead
    for table, frame in frames.items():
        codes = _codes_path(entry, table)
        if _CODED_COLUMN in frame.columns and codes.exists():
            text_codes.remember(frame[_CODED_COLUMN], functools.partial(_read_codes, codes))
    return frames, files, manifest["notes"]


def load_report(root: Path, key: str) -> dict | None:
    """The validation report stored with entry ``key``, or None."""
    try:
        return json.loads((root / key / _MANIFEST).read_text(encoding="utf-8"))["report"]
    except (OSError, ValueError, KeyError):
        return None


def _codes_path(entry: Path, table: str) -> Path:
    return entry / f"{table}.{_CODED_COLUMN}.codes.arrow"


def _write_codes(path: Path, column: pd.Series) -> None:
    """The column's :func:`helpers.text_codes.encode` as one dictionary array (Arrow IPC: read without a copy)."""
    codes, dictionary = text_codes.encode(pa.chunked_array(column.array.__arrow_array__()))
    indices = pa.array(codes, type=pa.int32() if len(dictionary) < 2**31 else pa.int64(), mask=codes < 0)
    table = pa.table({"codes": pa.DictionaryArray.from_arrays(indices, dictionary)})
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_codes(path: Path) -> tuple:
    with pa.OSFile(str(path)) as source:
        coded = pa.ipc.open_file(source).read_all().column(0).combine_chunks()
    return pc.fill_null(coded.indices, -1).to_numpy(zero_copy_only=False).astype("int64"), coded.dictionary


def _writing_threads(frames: dict[str, pd.DataFrame]) -> int:
    """Tables written at once: Arrow writes and encodes without the GIL, so one per core when memory allows.

    Writing a table makes an Arrow copy of it; at ten million customers
    validation has already taken most of the memory, and the tables are
    then written one at a time.
    """
    import psutil

    cores = max(1, min(len(frames), os.cpu_count() or 1))
    needed = cores * max((int(f.memory_usage(index=False, deep=True).sum()) for f in frames.values()), default=0)
    return cores if needed < 0.5 * psutil.virtual_memory().available else 1


def _write_table(entry: Path, table: str, frame: pd.DataFrame) -> None:
    pq.write_table(
        pa.Table.from_pandas(frame, preserve_index=False),
        entry / f"{table}.parquet",
        compression="none",  # uncompressed reads twice as fast; the cache is a local scratch copy
    )
    if isinstance(frame.get(_CODED_COLUMN, pd.Series()).array, pd.arrays.ArrowStringArray):
        _write_codes(_codes_path(entry, table), frame[_CODED_COLUMN])


def _read_frame(path: Path) -> pd.DataFrame:
    # pandas' metadata in the file restores every dtype (Arrow-backed text, Int64, boolean, datetime64[ns])
    return pq.read_table(path, memory_map=True).to_pandas()


def store(
    root: Path,
    key: str,
    frames: dict[str, pd.DataFrame],
    files: dict[str, str],
    notes: dict[str, list[str]],
    report: dict | None = None,
) -> Path:
    """Write a cache entry atomically; returns its folder.

    Parameters
    ----------
    root : pathlib.Path
        The cache folder.
    key : str
        The entry's key.
    frames : dict of str to pandas.DataFrame
        Every validated table of the data directory.
    files : dict of str to str
        Table -> file name it was read from.
    notes : dict of str to list of str
        Table -> the validation notes about it.
    report : dict, optional
        The whole directory's validation report as JSON-ready values
        (:func:`load_report` gives it back).

    Returns
    -------
    pathlib.Path
        The entry folder (an entry another process stored first is kept).
    """
    entry = root / key
    if (entry / _MANIFEST).exists():
        return entry
    root.mkdir(parents=True, exist_ok=True)
    tmp = root / f".tmp-{os.getpid()}-{uuid.uuid4().hex}"
    tmp.mkdir()
    try:
        with ThreadPoolExecutor(max_workers=_writing_threads(frames)) as pool:
            for done in [pool.submit(_write_table, tmp, table, frame) for table, frame in frames.items()]:
                done.result()
        manifest = {"key": key, "files": files, "notes": notes, "report": report}
        (tmp / _MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        try:
            os.rename(tmp, entry)
        except OSError:
            if not (entry / _MANIFEST).exists():
                raise
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    _prune(root, keep=entry)
    return entry


def _prune(root: Path, keep: Path) -> None:
    """Remove all but the newest :data:`KEEP_ENTRIES` entries (and stale temporary folders)."""
    entries = [p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".") and p != keep]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[KEEP_ENTRIES - 1 :]:
        shutil.rmtree(old, ignore_errors=True)


def entries(root: Path) -> list[Path]:
    """The files of every complete entry under ``root`` (what must never reach a report)."""
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file() and not p.name.startswith("."))

