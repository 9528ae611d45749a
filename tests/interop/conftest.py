import pytest

from mediamux_process import Mediamux

SINGLE_PORT = """
udp:
  mode: single
  bind: ["127.0.0.1"]
  port: 0
  receive_buffer_bytes: 1048576
api:
  host: 127.0.0.1
  port: 0
session:
  consent_timeout: 3
  connect_timeout: 10
log:
  level: info
"""


@pytest.fixture
def mediamux():
    server = Mediamux(SINGLE_PORT)
    yield server
    code = server.stop()
    assert code == 0, f"mediamux exited with {code}"


@pytest.fixture(params=[1, 2], ids=["1-io-thread", "2-io-threads"])
def mediamux_io_threads(request):
    """mediamux with one packet thread, and with two sharing the port (SO_REUSEPORT): peers may then land on
    different threads, and what one thread relays leaves from another's socket."""
    config = SINGLE_PORT.replace("  port: 0\n", f"  port: 0\n  io_threads: {request.param}\n", 1)
    server = Mediamux(config)
    yield server
    code = server.stop()
    assert code == 0, f"mediamux exited with {code}"
