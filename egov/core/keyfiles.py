"""Key files the platform generates for itself on first use (development
and single-server installations): readable by the owner only, and written so
that when several processes start at once exactly one key wins."""

import os
import secrets
from pathlib import Path


def create_private_file(path: Path, data: bytes) -> None:
    """Write `data` to `path` (mode 0600) unless the file already exists.

    The data goes to a private temporary file first and is linked into
    place; if another process linked its own file first, that one stays and
    every process reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process made the key first; everyone uses that one
    finally:
        temporary.unlink(missing_ok=True)
