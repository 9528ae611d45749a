"""The configuration of one mediamux node of a test cluster on loopback, for the cluster tests and the
cluster benchmark: its own UDP and API ports, UDP only, and the shared store."""

LEASE_SECONDS = 3


def node_config(store: str, node: str, *, room_cap=10, user_cap=5, total=1000, drain=1, store_timeout=15,
                lease_seconds=LEASE_SECONDS, handler="datagram_echo", creates_per_second=10000,
                log_level="info") -> str:
    return f"""
udp:
  bind: ["127.0.0.1"]
  port: 0
tcp:
  enabled: false
api:
  host: 127.0.0.1
  port: 0
  max_creates_per_second: {creates_per_second}
limits:
  max_sessions_per_room: {room_cap}
  max_sessions_per_user: {user_cap}
  max_sessions_total: {total}
session:
  default_handler: {handler}
shutdown:
  drain_timeout: {drain}
cluster:
  store: {store}
  node_id: {node}
  lease_seconds: {lease_seconds}
  store_timeout: {store_timeout}
log:
  level: {log_level}
"""
