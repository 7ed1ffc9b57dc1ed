"""A throwaway PostgreSQL cluster for the archive tests, from Debian's `postgresql` package.

initdb and pg_ctl refuse to run as root, so as root (CI) the cluster belongs
to `nobody`, in a temporary directory of its own that it owns; it listens on a unix socket in
that directory only (no TCP port, nothing another process could reach by
accident), trusts local connections and is stopped when the session ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
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


def _run(command: list[str]) -> None:
    """Run a PostgreSQL tool as the cluster's owner; a failure shows what the tool said."""
    result = subprocess.run(_as_owner(command), capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        pytest.fail(f"{Path(command[0]).name} failed ({result.returncode}): {result.stderr or result.stdout}")


@contextmanager
def cluster(folder: Path) -> Iterator[str]:
    """A running cluster in a folder of its own under the system's temporary directory (not pytest's, which is
    private to root and pruned by other sessions); yields its URL (postgresql://user@/postgres?host=socket dir)."""
    with tempfile.TemporaryDirectory(prefix="workbook-tools-postgres-") as name:
        base = Path(name)
        data = base / "data"
        if os.geteuid() == 0:
            shutil.chown(base, USER)  # the system's temporary directory is open to everyone: nobody reaches it
        user = USER if os.geteuid() == 0 else os.environ.get("USER", "postgres")
        _run([str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", user, "-E", "UTF8"])
        options = f"-c listen_addresses='' -c unix_socket_directories='{base}' -c fsync=off"
        _run([str(folder / "pg_ctl"), "-D", str(data), "-o", options, "-w", "start", "-l", str(base / "log")])
        try:
            yield f"postgresql://{user}@/postgres?host={base}"
        finally:
            subprocess.run(
                _as_owner([str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                check=False,
                capture_output=True,
            )
