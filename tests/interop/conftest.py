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
