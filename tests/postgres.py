"""A throwaway PostgreSQL cluster for the archive tests, from Debian's `postgresql` package.

initdb and pg_ctl refuse to run as root, so as root (CI) the cluster belongs
to `nobody`, in a temporary directory it owns; it listens on a unix socket in
that directory only (no TCP port, nothing another process could reach by
accident), trusts local connections and is stopped when the session ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REQUIRE = "WORKBOOK_TOOLS_REQUIRE_POSTGRES"
USER = "nobody"


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


def require_postgres() -> Path:
    folder = binaries()
    if folder is None:
        if os.environ.get(REQUIRE) == "1":
            pytest.fail(f"PostgreSQL is required ({REQUIRE}=1) but /usr/lib/postgresql/*/bin/initdb is missing")
        pytest.skip("PostgreSQL (Debian's postgresql package) is not installed")
    return folder


def _as_owner(command: list[str]) -> list[str]:
    return ["runuser", "-u", USER, "--", *command] if os.geteuid() == 0 else command


@contextmanager
def cluster(folder: Path, base: Path) -> Iterator[str]:
    """A running cluster in `base`; yields its SQLAlchemy-free URL (postgresql://user@/postgres?host=socket dir)."""
    base.mkdir(parents=True, exist_ok=True)
    data = base / "data"
    if os.geteuid() == 0:
        shutil.chown(base, USER)
        os.chmod(base, 0o700)
        for parent in base.parents:  # nobody must reach its own folder
            if parent == Path(parent.anchor) or os.stat(parent).st_mode & 0o001:
                continue
            os.chmod(parent, os.stat(parent).st_mode | 0o001)
    user = USER if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    subprocess.run(
        _as_owner([str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8"]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    options = f"-c listen_addresses='' -c unix_socket_directories='{base}' -c fsync=off"
    subprocess.run(
        _as_owner([str(folder / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start", "-l", str(base / "log")]),
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        yield f"postgresql://{user}@/postgres?host={base}"
    finally:
        subprocess.run(
            _as_owner([str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            check=False,
            capture_output=True,
        )
