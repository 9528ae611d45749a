"""The mediamux process as an operator runs it: configuration errors, signals, health."""

import os
import subprocess

import pytest

from conftest import SINGLE_PORT
from mediamux_process import BINARY, Mediamux


def test_sigterm_closes_sessions_with_reason_shutdown_and_exits_zero():
    server = Mediamux(SINGLE_PORT)
    server.create_session(room="a")
    server.create_session(room="b")
    assert server.request("GET", "/healthz", token=None)[0] == 200
    assert server.stop() == 0
    assert "sessions_closed=2" in server.final_output


@pytest.mark.parametrize(
    "yaml, key",
    [
        ("udp:\n  port: 70000\n", "udp.port"),
        ("udp:\n  port_range_start: 6000\n  port_range_end: 5000\n", "udp.port_range_start"),
        ("udp:\n  mode: sideways\n", "udp.mode"),
        ("rate_limit:\n  trusted_cidrs: ['10.0.0.0/99']\n", "rate_limit.trusted_cidrs"),
        ("udp:\n  bind: ['not-an-ip']\n", "udp.bind"),
        ("api:\n  host: 0.0.0.0\n", "api.token"),
        ("log:\n  level: verbose\n", "log.level"),
        ("udp:\n  announce: ['0.0.0.0=203.0.113.7']\n", "udp.announce"),
        ("udp:\n  announce: ['10.0.0.5=2001:db8::7']\n", "udp.announce"),
        ("udp:\n  mode: both\n  port: 50010\n", "udp.port"),
        ("udp: {prot: 7000}\n", "did you mean udp.port?"),
        ("udp:\n  port: [8983]\n", "udp.port: takes one value"),
        ("session:\n  default_handler: rtp\n", "session.default_handler"),
    ],
)
def test_invalid_configuration_stops_startup_naming_the_key(tmp_path, yaml, key):
    config = tmp_path / "bad.yaml"
    config.write_text(yaml)
    result = subprocess.run(
        [str(BINARY), "--config", str(config), "--check-config"], capture_output=True, text=True, timeout=30,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert key in result.stderr, result.stderr


def test_flags_and_environment_override_the_file(tmp_path):
    config = tmp_path / "config.yaml"
    config.write_text("udp:\n  port: 70000\n")
    result = subprocess.run(
        [str(BINARY), "--config", str(config), "--check-config", "--udp-port", "7000"],
        capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin", "MEDIAMUX_UDP_MODE": "both"},
    )
    assert result.returncode == 0, result.stderr
    assert "udp mode both" in result.stdout


@pytest.mark.parametrize(
    "flags, message",
    [
        (["--api-token", "a,b"], "--api-token: takes one value and has a comma"),
        (["--api-token"], "--api-token: needs a value"),
        (["--udp-port", "8983", "--udp-port", "8982"], "--udp-port: is given more than once"),
    ],
)
def test_a_flag_never_unsets_what_the_file_sets(tmp_path, flags, message):
    config = tmp_path / "config.yaml"
    config.write_text("api:\n  token: file-secret\n")
    result = subprocess.run(
        [str(BINARY), "--config", str(config), "--check-config", *flags],
        capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 64, result.stderr
    assert message in result.stderr, result.stderr


@pytest.mark.parametrize("name", ["single-port.yaml", "range.yaml", "both.yaml"])
def test_shipped_configurations_are_valid(name):
    config = BINARY.parents[2] / "configs" / name
    result = subprocess.run([str(BINARY), "--config", str(config), "--check-config"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_names_the_crypto_library_under_its_srtp_in_the_log_and_metrics():
    # The Makefile says which libsrtp2 it linked: its OpenSSL build by default, the system's with SRTP=system.
    expected = os.environ.get("MEDIAMUX_EXPECT_SRTP_BACKEND", "openssl")
    server = Mediamux(SINGLE_PORT)
    try:
        assert server.metric("mediamux_build_info", srtp_backend=expected) == 1
    finally:
        assert server.stop() == 0
    assert f"srtp_backend={expected}" in server.final_output
    assert ("libsrtp2 is not built on OpenSSL" in server.final_output) == (expected != "openssl")
