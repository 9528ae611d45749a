"""Starts the real mediamux binary on loopback with kernel-chosen ports, and talks to its API."""

import json
import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The Makefile names the build folder (debug, or release for benchmarks); MEDIAMUX_BIN names one binary.
BUILD = Path(os.environ.get("MEDIAMUX_BUILD", ROOT / ".build" / "debug"))
BINARY = Path(os.environ.get("MEDIAMUX_BIN", BUILD / "mediamux"))
TOKEN = "interop-token"


def loopback_config(bind: str = "127.0.0.1", session: str = "") -> str:
    """mediamux on one address with kernel-chosen ports, as the checks in a loopback namespace run it;
    `session` adds lines to the session section, e.g. "consent_timeout: 5"."""
    session_section = f"session:\n  {session}\n" if session else ""
    return f'udp:\n  bind: ["{bind}"]\n  port: 0\napi:\n  port: 0\n{session_section}log:\n  level: info\n'


def wait_for(condition, timeout=10.0, interval=0.02, message="condition"):
    """Polls until `condition()` is truthy; returns its value or fails after the deadline."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class Mediamux:
    # Seconds a test waits for one API answer; a cluster's nodes, sharing two cores with PostgreSQL, may take longer.
    request_timeout = 5

    def __init__(self, config_yaml: str, extra_args=(), wrapper=()):
        """`wrapper` runs the binary through a command that execs it, such as `prlimit --nofile=1024 --`."""
        self.dir = tempfile.TemporaryDirectory(prefix="mediamux-test-")
        config = Path(self.dir.name) / "config.yaml"
        config.write_text(config_yaml)
        self.ready_file = Path(self.dir.name) / "ready.json"
        self.log = open(Path(self.dir.name) / "mediamux.log", "w+")
        env = dict(os.environ, MEDIAMUX_API_TOKEN=TOKEN)
        self.process = subprocess.Popen(
            [*wrapper, str(BINARY), "--config", str(config), "--ready-file", str(self.ready_file), *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=env,
        )
        ready = wait_for(self._read_ready, message="mediamux ready file")
        self.api = f"http://{ready['api']}"
        self.udp = ready["udp"]

    def _read_ready(self):
        if self.process.poll() is not None:
            raise AssertionError(f"mediamux exited with {self.process.returncode}:\n{self.output()}")
        try:
            return json.loads(self.ready_file.read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def output(self) -> str:
        self.log.flush()
        self.log.seek(0)
        return self.log.read()

    def request(self, method: str, path: str, body=None, token=TOKEN, timeout=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.api + path, data=data, method=method)
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.request_timeout) as response:
                text = response.read().decode()
                return response.status, (json.loads(text) if text and text.startswith("{") else text)
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read().decode() or "{}")

    def create_session(self, room="room", **body):
        status, session = self.request("POST", f"/v1/rooms/{room}/sessions", body)
        assert status == 201, session
        return session

    def session(self, session_id):
        return self.request("GET", f"/v1/sessions/{session_id}")[1]

    def metric(self, name: str, **labels) -> float:
        """Sums every sample of `name` whose labels include `labels`."""
        text = self.request("GET", "/metrics")[1]
        total = 0.0
        for line in text.splitlines():
            if not (line.startswith(name + "{") or line.startswith(name + " ")):
                continue
            series, value = line.rsplit(" ", 1)
            if all(f'{key}="{wanted}"' in series for key, wanted in labels.items()):
                total += float(value)
        return total

    def cpu_seconds(self) -> float:
        """User and system CPU time the process has used so far."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def resident_kib(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        raise AssertionError("no VmRSS")

    def stop(self, timeout=10.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.final_output = self.output()
        self.log.close()
        self.dir.cleanup()
        return self.process.returncode
