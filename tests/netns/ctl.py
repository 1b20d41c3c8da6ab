#!/usr/bin/python3
"""ctl.py - a raw control-protocol client for tests: sends frames (good,
malformed, partial) to vrd's socket and checks the answers.  Standard
library only.

  ctl.py SOCKET send JSON             one request, print the reply
  ctl.py SOCKET malformed             the malformed-request battery
  ctl.py SOCKET concurrent N JSON     N clients at once, all must be answered
  ctl.py SOCKET stall SECONDS JSON    hold half a message while others are served
"""
import json
import socket
import struct
import sys
import threading
import time


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(30)
    s.connect(path)
    return s


def frame(payload):
    if isinstance(payload, str):
        payload = payload.encode()
    return struct.pack(">I", len(payload)) + payload


def recv_frame(s):
    hdr = b""
    while len(hdr) < 4:
        chunk = s.recv(4 - len(hdr))
        if not chunk:
            return None
        hdr += chunk
    (n,) = struct.unpack(">I", hdr)
    body = b""
    while len(body) < n:
        chunk = s.recv(min(65536, n - len(body)))
        if not chunk:
            return None
        body += chunk
    return json.loads(body)


def request(path, payload):
    s = connect(path)
    s.sendall(frame(payload))
    r = recv_frame(s)
    s.close()
    return r


def is_error(reply):
    """A protocol error, or an RPC output carrying errors."""
    if reply is None:
        return True
    if "vrd:protocol-error" in reply:
        return True
    return any("error" in v for v in reply.values() if isinstance(v, dict))


MALFORMED = [
    # (name, raw bytes after the length prefix, or None for raw stream)
    ("not json", "this is not json"),
    ("truncated json", '{"vrd:get-status": {'),
    ("json array", "[1, 2, 3]"),
    ("json string", '"vrd:get-status"'),
    ("empty object", "{}"),
    ("unknown rpc", '{"vrd:reboot": {}}'),
    ("unknown module", '{"other:get-status": {}}'),
    ("no module prefix", '{"get-status": {}}'),
    ("two rpcs", '{"vrd:get-status": {}, "vrd:monitor": {}}'),
    ("config as rpc", '{"vrd:virtual-routers": {}}'),
    ("unknown input leaf", '{"vrd:get-state": {"colour": "red"}}'),
    ("bad router name", '{"vrd:get-state": {"router": "a/b"}}'),
    ("router name too long", '{"vrd:get-state": {"router": "abcdefghijklmnopq"}}'),
    ("route-add without prefix", '{"vrd:route-add": {"router": "red", "type": "blackhole"}}'),
    ("route-add bad prefix", '{"vrd:route-add": {"router": "red", "prefix": "300.1.1.0/24", "type": "blackhole"}}'),
    ("route-add no action", '{"vrd:route-add": {"router": "red", "prefix": "198.19.0.0/16"}}'),
    ("route-add bad type", '{"vrd:route-add": {"router": "red", "prefix": "198.19.0.0/16", "type": "drop"}}'),
    ("route-add bad metric", '{"vrd:route-add": {"router": "red", "prefix": "198.19.0.0/16", "type": "blackhole", "metric": -1}}'),
    ("route-del missing router", '{"vrd:route-del": {"prefix": "198.19.0.0/16"}}'),
    ("migrate bad placement", '{"vrd:migrate": {"router": "red", "placement": "cloud"}}'),
    ("apply bad dry-run", '{"vrd:apply": {"dry-run": "yes"}}'),
    ("apply bad table", '{"vrd:apply": {"virtual-routers": {"router": [{"name": "x", "table": "t"}]}}}'),
    ("apply unknown node", '{"vrd:apply": {"virtual-routers": {"router": [{"name": "x", "colour": 1}]}}}'),
    ("apply missing key", '{"vrd:apply": {"virtual-routers": {"router": [{"table": 5}]}}}'),
    ("apply reserved table", '{"vrd:apply": {"virtual-routers": {"router": [{"name": "x", "table": 254}]}}}'),
    ("apply family mismatch", '{"vrd:apply": {"virtual-routers": {"router": [{"name": "x", "route": [{"prefix": "198.19.0.0/16", "next-hop": [{"address": "2001:db8::1"}]}]}]}}}'),
    ("apply unknown leak", '{"vrd:apply": {"virtual-routers": {"router": [{"name": "x", "route": [{"prefix": "198.19.0.0/16", "next-hop": [{"address": "198.18.0.1", "router": "nope"}]}]}]}}}'),
    ("router-del unknown", '{"vrd:router-del": {"name": "nosuch"}}'),
    ("route-del unknown router", '{"vrd:route-del": {"router": "nosuch", "prefix": "198.19.0.0/16"}}'),
    ("binary garbage", b"\x00\xff\x10\x80garbage\x00"),
    ("nested too deep", "[" * 5000 + "]" * 5000),
]


def malformed(path):
    failures = 0
    count = 0
    for name, payload in MALFORMED:
        count += 1
        try:
            r = request(path, payload)
        except Exception as e:  # noqa: BLE001 - any failure is a test failure
            r = None
            print(f"FAIL {name}: {e}")
            failures += 1
            continue
        if not is_error(r):
            print(f"FAIL {name}: not refused: {r}")
            failures += 1
        else:
            print(f"ok {name}: refused")
    # framing errors: the daemon answers with a protocol error and closes
    for name, raw in [("zero length frame", struct.pack(">I", 0)),
                      ("oversize frame", struct.pack(">I", 0xFFFFFFF0) + b"{}")]:
        count += 1
        s = connect(path)
        s.sendall(raw)
        r = recv_frame(s)
        rest = s.recv(1)
        s.close()
        if r is None or "vrd:protocol-error" not in r or rest != b"":
            print(f"FAIL {name}: {r}")
            failures += 1
        else:
            print(f"ok {name}: protocol error, connection closed")
    # several requests on one connection, one of them bad, the others answered
    count += 1
    s = connect(path)
    s.sendall(frame('{"vrd:get-status": {}}') + frame("nope") + frame('{"vrd:get-status": {}}'))
    r1, r2, r3 = recv_frame(s), recv_frame(s), recv_frame(s)
    s.close()
    if r1 and "vrd:get-status" in r1 and is_error(r2) and r3 and "vrd:get-status" in r3:
        print("ok pipelined requests: each answered in order")
    else:
        print(f"FAIL pipelined: {r1} {r2} {r3}")
        failures += 1
    alive = request(path, '{"vrd:get-status": {}}')
    if not alive or "vrd:get-status" not in alive:
        print("FAIL daemon stopped serving")
        failures += 1
    print(f"{count - failures} passed, {failures} failed")
    return 1 if failures else 0


def concurrent(path, n, payload):
    results = [None] * n
    socks = [connect(path) for _ in range(n)]

    def run(i):
        try:
            socks[i].sendall(frame(payload))
            results[i] = recv_frame(socks[i])
        except Exception as e:  # noqa: BLE001
            results[i] = {"exception": str(e)}

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    for s in socks:
        s.close()
    bad = [r for r in results if r is None or is_error(r) or "exception" in r]
    print(f"{n - len(bad)} of {n} clients answered")
    return 1 if bad else 0


def stall(path, seconds, payload):
    staller = connect(path)
    data = frame(payload)
    staller.sendall(data[: len(data) // 2])
    t0 = time.monotonic()
    r = request(path, payload)
    took = time.monotonic() - t0
    ok = r is not None and not is_error(r) and took < seconds
    print(f"other client answered in {took:.3f} s while one stalls: {'ok' if ok else 'FAIL'}")
    staller.close()
    return 0 if ok else 1


def main():
    path, cmd = sys.argv[1], sys.argv[2]
    if cmd == "send":
        print(json.dumps(request(path, sys.argv[3])))
        return 0
    if cmd == "malformed":
        return malformed(path)
    if cmd == "concurrent":
        return concurrent(path, int(sys.argv[3]), sys.argv[4])
    if cmd == "stall":
        return stall(path, float(sys.argv[3]), sys.argv[4])
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
