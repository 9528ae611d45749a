"""Out of descriptors, the ICE-TCP listeners pause instead of spinning on EMFILE. The connections they could
not take wait in the kernel's backlog, and each is taken once descriptors are free again."""

import socket
import time

from mediamux_process import Mediamux, loopback_config, wait_for

OPEN_FILES = 200
CONNECTIONS = 300
CONFIG = loopback_config() + "tcp:\n  enabled: true\n  first_check_timeout: 1\n"


def test_out_of_descriptors_the_listener_pauses_and_takes_every_connection_later():
    server = Mediamux(CONFIG, wrapper=["prlimit", f"--nofile={OPEN_FILES}:{OPEN_FILES}", "--"])
    clients = []

    def metric(name, **labels):
        # While mediamux has no descriptor to spare, its API cannot take the scrape either.
        try:
            return server.metric(name, **labels)
        except Exception:
            return -1

    try:
        status, session = server.request("POST", "/v1/rooms/r/sessions", {})
        assert status == 201, session
        fields = next(line for line in session["ice"]["candidates"] if " tcp " in line).split()
        address = (fields[4], int(fields[5]))
        # More than the process may open: the kernel completes each handshake into the listen backlog.
        clients = [socket.create_connection(address, timeout=5) for _ in range(CONNECTIONS)]
        cpu_before = server.cpu_seconds()
        time.sleep(1)  # measuring CPU use over an interval, not waiting for state
        assert server.cpu_seconds() - cpu_before < 0.3, "the accept loop spins on EMFILE"
        # Each waiting connection closes after its first-check timeout, which frees a descriptor for the next.
        wait_for(lambda: metric("mediamux_tcp_closed_total", reason="first_check_timeout") == CONNECTIONS,
                 timeout=60, interval=0.5, message="every connection taken, then timed out")
        assert server.metric("mediamux_tcp_connections_opened_total") == CONNECTIONS
        assert server.metric("mediamux_tcp_refused_total", reason="no_descriptors") >= 1
        assert server.request("POST", "/v1/rooms/r/sessions", {})[0] == 201
    finally:
        for client in clients:
            client.close()
        assert server.stop() == 0, server.final_output[-3000:]
