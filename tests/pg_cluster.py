"""A throwaway PostgreSQL cluster for the test session.

PostgreSQL refuses to run as root and the tests do run as root, so when we are
root every server-side command (initdb, pg_ctl) runs as the ``postgres`` user
via ``runuser``, in a directory that user owns.  Start one cluster per session
(it takes a couple of seconds); isolate tests with transactions/truncation.

    cluster = PostgresCluster.start(repo / ".pgtest" / uuid4().hex)
    engine = create_engine(cluster.url)
    ...
    cluster.stop_server()   # an outage: the server stops, its files stay
    cluster.start_server()  # back on the same port
    cluster.stop()          # also runs at interpreter exit; idempotent

If ``TEST_DATABASE_URL`` is set nothing is started and ``.url`` is that value.
"""
from __future__ import annotations

import atexit
import glob
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

DB_NAME = "casework_test"
_IS_ROOT = os.geteuid() == 0
# Unix socket paths are limited to ~107 bytes; leave room for "/.s.PGSQL.NNNNN".
_MAX_SOCKDIR = 90


def _bindir() -> Path:
    """Debian keeps the server binaries off PATH; ask pg_config where they are."""
    try:
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True, check=True)
        candidates = [out.stdout.strip()]
    except (OSError, subprocess.CalledProcessError):
        candidates = []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)  # newest first
    for c in candidates:
        if c and os.access(os.path.join(c, "initdb"), os.X_OK):
            return Path(c)
    raise RuntimeError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: "
        "install Debian's postgresql (make system-deps)"
    )


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """Run a server-side command, as ``postgres`` when we are root (initdb/postgres demand it).

    cwd is the cluster dir so postgres is never left in an unreadable cwd like /root.
    """
    if _IS_ROOT:
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)


def _usable_dir(base_dir: Path) -> Path:
    """Create base_dir owned by postgres, or a short /tmp dir if base_dir will not do.

    The repo may sit below root-only directories (and pytest's tmp_path lives under a 0700
    /tmp/pytest-of-root) that postgres cannot traverse, so test access as postgres.  The
    socket also lives here, and Unix socket paths are limited to ~107 bytes.
    """
    base_dir.mkdir(parents=True, exist_ok=True)
    if len(str(base_dir)) <= _MAX_SOCKDIR:
        if not _IS_ROOT:
            return base_dir
        shutil.chown(base_dir, "postgres", "postgres")
        check = ["test", "-w", str(base_dir), "-a", "-x", str(base_dir)]
        if _as_postgres(check, Path("/")).returncode == 0:
            return base_dir
    try:
        os.rmdir(base_dir)  # don't leave an empty unusable dir behind
    except OSError:
        pass
    fallback = Path(tempfile.mkdtemp(prefix="casework-pg-"))  # /tmp is world-traversable
    if _IS_ROOT:
        shutil.chown(fallback, "postgres", "postgres")
    return fallback


class PostgresCluster:
    def __init__(self, url: str, bindir: Path | None = None, directory: Path | None = None):
        self.url = url
        self.port: int | None = None
        self._bindir = bindir
        self._dir = directory  # None: external database, nothing to stop

    @classmethod
    def start(cls, base_dir: Path) -> "PostgresCluster":
        external = os.environ.get("TEST_DATABASE_URL")
        if external:
            return cls(external)
        bindir = _bindir()
        directory = _usable_dir(Path(base_dir).absolute())  # we check access from cwd=/
        cluster = cls("", bindir, directory)
        atexit.register(cluster.stop)  # a crashed session must not leave a server behind
        try:
            cluster._boot()
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _run(self, *cmd: str) -> None:
        res = _as_postgres([str(self._bindir / cmd[0]), *cmd[1:]], self._dir)
        if res.returncode != 0:
            log = self._dir / "log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{cmd[0]} failed ({res.returncode}):\n{res.stdout}{res.stderr}{tail}")

    def _boot(self) -> None:
        self._run("initdb", "-D", "data", "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        for attempt in range(3):  # the free port can be taken between probing and binding
            self.port = _free_port()
            try:
                self.start_server()
                break
            except RuntimeError:
                if attempt == 2:
                    raise
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DB_NAME)
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{DB_NAME}"

    def start_server(self) -> None:
        """Start the server on its port (again, after stop_server: the data is kept)."""
        # Durability is pointless for a throwaway cluster; turning it off makes tests faster.
        opts = (f"-p {self.port} -k {shlex.quote(str(self._dir))} "
                "-c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", "data", "-o", opts, "-l", "log", "-w", "start")

    def stop_server(self, mode: str = "fast") -> None:
        """Stop the server but keep its files, as an operator's restart does: `fast` ends every
        session (clients see 57P01), `immediate` is a crash. start_server brings it back."""
        self._run("pg_ctl", "-D", "data", "-m", mode, "-w", "stop")

    def stop(self) -> None:
        """Stop the server and delete its files. Safe to call more than once."""
        directory, self._dir = self._dir, None
        if directory is None:
            return
        atexit.unregister(self.stop)
        if (directory / "data" / "postmaster.pid").exists():
            _as_postgres([str(self._bindir / "pg_ctl"), "-D", "data", "-m", "immediate", "-w",
                          "stop"], directory)
        shutil.rmtree(directory, ignore_errors=True)
