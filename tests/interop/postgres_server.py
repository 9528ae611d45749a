"""Debian's PostgreSQL server for the cluster tests: a throwaway cluster (initdb) in a temporary folder, on a
port chosen at run time, trust authentication on loopback, fsync off. As root it runs as the `postgres` user
that Debian's package creates, since PostgreSQL refuses to run as root."""

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

USER = "mediamux"


def binary(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not found:
        raise AssertionError(f"PostgreSQL's {name} is missing: install Debian's postgresql package (make test-deps)")
    return found[-1]


def free_tcp_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PostgresServer:
    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="mediamux-postgres-"))
        self.data = self.dir / "data"
        self.port = free_tcp_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
        self._run(binary("initdb"), "-D", str(self.data), "-U", USER, "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()

    def _run(self, *command: str):
        if self.as_postgres:
            command = ("runuser", "-u", "postgres", "--", *command)
        completed = subprocess.run(command, capture_output=True, text=True, cwd=self.dir)
        if completed.returncode != 0:
            raise AssertionError(f"{' '.join(command)} failed:\n{completed.stdout}\n{completed.stderr}")
        return completed.stdout

    def start(self):
        options = f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200 -c log_lock_waits=on"
        self._run(binary("pg_ctl"), "-D", str(self.data), "-l", str(self.dir / "server.log"), "-w", "-o", options, "start")

    def stop(self):
        self._run(binary("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def create_database(self) -> str:
        """A new, empty database; returns the store URL mediamux takes."""
        name = "mux_" + uuid.uuid4().hex[:12]
        self._run(binary("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, name)
        return f"postgres://{USER}@127.0.0.1:{self.port}/{name}?sslmode=disable"

    def query(self, database_url: str, sql: str) -> str:
        name = database_url.rsplit("/", 1)[1].split("?")[0]
        return self._run(
            binary("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", USER, "-d", name, "-At", "-c", sql
        ).strip()

    def close(self):
        try:
            self.stop()
        except AssertionError:
            pass  # already stopped
        shutil.rmtree(self.dir, ignore_errors=True)
