"""The store folder's layout: whole versions side by side, and one pointer file that names the current one.

::

    store/                       the folder users give (--store, $TRADEKG_STORE)
      current-version            one line: the name of the version readers open
      v-20261130T231500123456-4242/   a complete, validated pyoxigraph store (+ build-report.json, and the
                                      graph as N-Quads for memory mode: graph/snapshot.py)
      building-20261130T232000000001-4343/   a build in progress (its .build.lock is held by that build)

Why: a build used to swap folders with two renames, and a kill between them left no store at the store path.
Here a build writes a new version beside the current one and commits it by replacing the pointer file with
``os.replace``, which is atomic: a reader sees the old pointer or the new one, never half of a swap, and a crash
at any instant leaves the previous version named by the pointer. Readers pin the version they opened (a shared
``flock`` on its ``.readers`` file), so a later build deletes only versions nobody has open.

A store built before this layout (a bare pyoxigraph folder at the store path) still opens; the next build
converts it (:func:`tradekg.graph.build.build`), and :func:`recover` puts back what that older code's crash
could leave (``.store.old-PID`` beside a missing ``store``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError

try:  # POSIX; elsewhere versions are never deleted while in doubt
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

POINTER = "current-version"
READERS = ".readers"
BUILD_LOCK = ".build.lock"
_VERSION = re.compile(r"v-\d{8}T\d{12}-\d+")
_BUILDING = re.compile(r"building-\d{8}T\d{12}-(\d+)")
CRASH_ENV = "TRADEKG_TEST_CRASH_AT"


def crash_point(step: str) -> None:
    """Test hook: die here, as ``kill -9`` would, when $TRADEKG_TEST_CRASH_AT names this step.

    The crash tests set the variable in a child build process; nothing else does."""
    if os.environ.get(CRASH_ENV) == step:
        os.kill(os.getpid(), signal.SIGKILL)


def new_name(prefix: str) -> str:
    """A sortable, unique folder name: UTC time to the microsecond and this process's id."""
    return f"{prefix}-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S%f}-{os.getpid()}"


def is_legacy(root: Path) -> bool:
    """A bare pyoxigraph folder at the store path, as builds before this layout left it."""
    return (root / "CURRENT").is_file() and not (root / POINTER).exists()


def current_name(root: Path) -> str | None:
    """The version the pointer names, or None when there is no pointer."""
    try:
        name = (root / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise StoreError(f"cannot read {root / POINTER}: {e}") from e
    if not _VERSION.fullmatch(name):
        raise StoreError(f"{root / POINTER} names {name!r}, which is not a store version; run `tradekg build`")
    return name


def current(root: Path) -> Path:
    """The folder of the store's current version: what a server opens, and follows after a rebuild.

    Compare it with the path you opened to know whether a rebuild has finished since."""
    root = Path(root).expanduser()
    recover(root)
    name = current_name(root)
    if name is not None:
        version = root / name
        if not (version / "CURRENT").is_file():
            raise StoreError(f"{root / POINTER} names {name}, which is missing or incomplete; run `tradekg build`")
        return version
    if (root / "CURRENT").is_file():  # an older bare store, or a version folder given directly
        return root
    aside = _old_siblings(root)
    if aside:  # recovery could not rename it back (e.g. a read-only parent): read it where it is
        return aside[-1]
    raise StoreError(f"no tradekg store at {root}; run `tradekg build` first")


def recover(root: Path) -> None:
    """Undo what a crash of the two-rename swap (older builds, or converting an older store) can leave:
    no store at ``root`` but the previous one aside in ``.NAME.old-PID``. Best effort: if the parent is
    read-only the old store is read where it is (see :func:`current`)."""
    if root.exists():
        return
    for aside in reversed(_old_siblings(root)):
        try:
            os.replace(aside, root)
            return
        except OSError:
            return


def _old_siblings(root: Path) -> list[Path]:
    """Previous stores set aside by an interrupted swap, oldest first, whole ones only."""
    try:
        found = [p for p in root.parent.glob(f".{root.name}.old-*")
                 if (p / "CURRENT").is_file() or (p / POINTER).is_file()]
    except OSError:
        return []
    return sorted(found, key=lambda p: p.stat().st_mtime)


@dataclass
class Pin:
    """A reader's hold on one version: while held, no build deletes that folder."""

    path: Path
    fd: int | None

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None

    def __del__(self) -> None:  # a store handle dropped without close() must not pin its version forever
        self.release()


def pin(root: Path, attempts: int = 5) -> Pin:
    """Resolve the current version and hold it, retrying if a build removed it between the two steps."""
    for _ in range(attempts):
        version = current(root)
        fd = _lock(version / READERS, shared=True)
        if (version / "CURRENT").is_file():
            return Pin(version, fd)
        if fd is not None:
            os.close(fd)
    raise StoreError(f"the store at {root} kept changing while it was being opened; try again")


def _lock(path: Path, *, shared: bool) -> int | None:
    """An flock on ``path`` (shared for readers, exclusive and non-blocking for cleaners); None if the
    file can't be opened (a read-only copy) or the lock is taken."""
    if fcntl is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH if shared else fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        return None
    return fd


def hold_build_lock(folder: Path) -> int | None:
    """Mark ``folder`` as a live build's staging area for as long as this process runs."""
    path = folder / BUILD_LOCK
    path.touch()
    return _lock(path, shared=False)


def pid_alive(pid: int) -> bool:
    """Whether a process with this id runs (one of another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _busy(folder: Path, pid: int | None) -> bool:
    """Is a live process using ``folder``? Its build lock decides; without one, whether its PID lives."""
    if (folder / BUILD_LOCK).exists() and fcntl is not None:
        fd = _lock(folder / BUILD_LOCK, shared=False)
        if fd is None:
            return True
        os.close(fd)
        return False
    return pid is not None and pid != os.getpid() and pid_alive(pid)


def remove_tree(path: Path) -> None:
    """Delete a folder, tolerating one that is already gone."""
    shutil.rmtree(path, ignore_errors=True)


def clean(root: Path, keep: str | None = None) -> list[Path]:
    """Delete what dead builds left and versions no reader holds, except the current one and ``keep``.

    Returns the folders removed. Never touches a live build's staging folder or a pinned version."""
    removed: list[Path] = []
    keep_names = {current_name(root), keep}
    for entry in sorted(root.iterdir()) if root.is_dir() else []:
        name = entry.name
        if m := _BUILDING.fullmatch(name):
            if name != keep and not _busy(entry, int(m.group(1))):
                remove_tree(entry)
                removed.append(entry)
        elif _VERSION.fullmatch(name) and name not in keep_names:
            fd = _lock(entry / READERS, shared=False)
            if fd is None and (entry / READERS).exists():
                continue  # a reader has it open
            try:
                remove_tree(entry)
                removed.append(entry)
                crash_point("cleaning")
            finally:
                if fd is not None:
                    os.close(fd)
        elif ".tmp-" in name and entry.is_file():  # a pointer or report written halfway
            pid = name.rsplit("-", 1)[-1]
            if not (pid.isdigit() and _busy(entry, int(pid))):
                entry.unlink(missing_ok=True)
                removed.append(entry)
    for sibling in root.parent.glob(f".{root.name}.*") if root.exists() else []:
        m = re.fullmatch(rf"\.{re.escape(root.name)}\.(?:building|old)-(\d+)", sibling.name)
        if m and not _busy(sibling, int(m.group(1))):
            remove_tree(sibling)
            removed.append(sibling)
    return removed


def point_to(root: Path, name: str) -> None:
    """Make ``name`` the current version: write the pointer beside the old one, then replace it atomically."""
    tmp = root / f"{POINTER}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    crash_point("pointer-written")
    os.replace(tmp, root / POINTER)
    fsync_dir(root)


def fsync_dir(folder: Path) -> None:
    """Make a rename in ``folder`` durable (POSIX; a no-op where directories can't be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(folder: Path) -> None:
    """Flush every file of a finished version to disk before the pointer names it."""
    for dirpath, _dirs, files in os.walk(folder):
        for name in files:
            try:
                fd = os.open(os.path.join(dirpath, name), os.O_RDONLY)
            except OSError:
                continue
            try:
                os.fsync(fd)
            except OSError:
                pass
            finally:
                os.close(fd)
        fsync_dir(Path(dirpath))
