"""Output files written atomically, and output paths checked before the work that fills them.

A file is written to a temporary file in its own folder and moved over the target with :func:`os.replace`,
so a reader sees the old file or the new one, never half of one; a failed write (a full disk, a killed
process) leaves the old file as it was and removes the temporary file. Paths are checked before a long
computation starts, so a missing, read-only or file-typed folder is one line at once, not after an hour.

Failures raise :class:`~dezsim.base.errors.OutputError` (one line naming the path and the reason).
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from dezsim.base.errors import OutputError


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write to; on success it replaces ``path`` atomically.

    The temporary name keeps ``path``'s suffix, so writers that infer the format from it (matplotlib,
    pandas) still work. On any exception the temporary file is removed and ``path`` is left untouched.

    Raises
    ------
    OutputError
        When the temporary file cannot be created, written or moved (an ``OSError``).
    """
    path = Path(path)
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=f".tmp{path.suffix}")
    except OSError as exc:
        raise _error(path, exc) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _fsync(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise _error(path, exc) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically; returns ``path``."""
    path = Path(path)
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        fh.write(data)
    return path


def atomic_write_text(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` to ``path`` atomically (``encoding``, ``\\n`` line ends kept); returns ``path``."""
    return atomic_write_bytes(path, text.encode(encoding))


def check_output_file(path: str | Path, option: str = "--out") -> Path:
    """Check, before any work, that ``path`` can be written: its folder exists and is writable, and
    ``path`` is not a folder. Returns ``path``; raises :class:`OutputError` naming ``option`` otherwise."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{option} {path}: is a folder; allowed: a file path")
    _writable_folder(path.parent if str(path.parent) else Path("."), option, path)
    return path


def check_output_folder(path: str | Path, option: str = "--out") -> Path:
    """Check, before any work, that the folder ``path`` exists and is writable, or can be created (its nearest
    existing ancestor is a writable folder). Returns ``path``; raises :class:`OutputError` otherwise."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise OutputError(f"{option} {path}: is a file; allowed: a folder (existing or new)")
    ancestor = path
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise OutputError(f"{option} {path}: {ancestor} is a file; allowed: a folder (existing or new)")
    _writable_folder(ancestor, option, path)
    return path


def _writable_folder(folder: Path, option: str, path: Path) -> None:
    if not folder.exists():
        raise OutputError(f"{option} {path}: folder {folder} does not exist; allowed: a path in an existing folder")
    if not folder.is_dir():
        raise OutputError(f"{option} {path}: {folder} is a file, not a folder")
    try:  # a real probe: permission bits say nothing for root, ACLs or read-only mounts
        fd, name = tempfile.mkstemp(dir=folder, prefix=".dezsim-probe-")
        os.close(fd)
        os.unlink(name)
    except OSError as exc:
        raise OutputError(f"{option} {path}: folder {folder} is not writable ({exc.strerror}); allowed: a "
                          "writable folder") from None


def _fsync(path: Path) -> None:
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _error(path: Path, exc: OSError) -> OutputError:
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, "") or str(exc)
    return OutputError(f"{path}: cannot write ({reason}); any previous file there is unchanged")


def save_figure(fig, path: str | Path, dpi: int = 110) -> Path:
    """Write a matplotlib ``fig`` to ``path`` atomically (format from the suffix) and return the path."""
    path = Path(path)
    with atomic_path(path) as tmp:
        fig.savefig(tmp, dpi=dpi, format=path.suffix.lstrip(".") or "png")
    return path
