#!/usr/bin/python3
"""udpflow.py - a counting UDP flow for migration tests.  Standard library.

  udpflow.py send DST PORT RATE SECONDS   numbered datagrams at RATE per second
  udpflow.py recv PORT SECONDS OUT        count them; write a JSON summary to OUT

The receiver reports what a placement switch did to the flow: packets
received and lost, and the longest run of missing sequence numbers as
time (gap_ms = missing run / rate).  Bounded by SECONDS on both sides.
"""
import json
import socket
import struct
import sys
import time


def send(dst, port, rate, seconds):
    fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_DGRAM)
    interval = 1.0 / rate
    start = time.monotonic()
    seq = 0
    while True:
        now = time.monotonic()
        if now - start >= seconds:
            break
        due = int((now - start) / interval)
        while seq <= due:
            try:
                s.sendto(struct.pack("!Qd", seq, rate), (dst, port))
            except OSError:
                pass  # no route for a moment: that packet is lost
            seq += 1
        time.sleep(interval / 2)
    # the last sequence number, so the receiver knows the tail
    for _ in range(3):
        try:
            s.sendto(struct.pack("!Qd", 0xFFFFFFFFFFFFFFFF, float(seq)), (dst, port))
        except OSError:
            pass
        time.sleep(0.05)


def recv(port, seconds, out):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    s.bind(("::", port))
    s.settimeout(0.2)
    end = time.monotonic() + seconds
    seen = set()
    rate = 0.0
    sent = None
    while time.monotonic() < end:
        try:
            data, _ = s.recvfrom(64)
        except socket.timeout:
            if sent is not None:
                break
            continue
        seq, val = struct.unpack("!Qd", data[:16])
        if seq == 0xFFFFFFFFFFFFFFFF:
            sent = int(val)
            continue
        seen.add(seq)
        rate = val
    total = sent if sent is not None else (max(seen) + 1 if seen else 0)
    gaps, run, first_gap = [], 0, None
    for i in range(total):
        if i in seen:
            if run:
                gaps.append(run)
            run = 0
        else:
            run += 1
    if run:
        gaps.append(run)
    res = {
        "sent": total,
        "received": len(seen),
        "lost": total - len(seen),
        "gaps": len(gaps),
        "max_gap_packets": max(gaps) if gaps else 0,
        "max_gap_ms": (max(gaps) / rate * 1000.0) if gaps and rate else 0.0,
        "complete": sent is not None,
    }
    with open(out, "w") as f:
        json.dump(res, f)


def main():
    if len(sys.argv) == 6 and sys.argv[1] == "send":
        send(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]))
    elif len(sys.argv) == 5 and sys.argv[1] == "recv":
        recv(int(sys.argv[2]), float(sys.argv[3]), sys.argv[4])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
