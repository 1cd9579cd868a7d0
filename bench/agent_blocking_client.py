#!/usr/bin/python3
"""Minimal blocking WebSocket client (RFC 6455 by hand, no library): sends COUNT
{"type":"ping","id":N} requests one at a time, PAUSE_MS apart, and prints the p50/p99 of the
send-to-reply time measured around the socket calls. Usage: HOST:PORT PATH COUNT PAUSE_MS"""
import base64, os, socket, struct, sys, time

host, port = sys.argv[1].rsplit(":", 1)
path, count, pause = sys.argv[2], int(sys.argv[3]), float(sys.argv[4]) / 1000.0
s = socket.create_connection((host, int(port)))
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall((f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
head = b""
while b"\r\n\r\n" not in head:
    head += s.recv(4096)
assert head.startswith(b"HTTP/1.1 101"), head
rest = head.split(b"\r\n\r\n", 1)[1]

def frame(payload):
    mask = os.urandom(4)
    masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x81, 0x80 | len(payload)]) + mask + masked  # payloads < 126 bytes

def read_exact(n):
    global rest
    while len(rest) < n:
        rest += s.recv(65536)
    out, rest = rest[:n], rest[n:]
    return out

samples = []
for i in range(1, count + 1):
    msg = frame(b'{"type":"ping","id":%d}' % i)
    t0 = time.perf_counter_ns()
    s.sendall(msg)
    b0, b1 = read_exact(2)
    n = b1 & 0x7F
    if n == 126:
        n = struct.unpack("!H", read_exact(2))[0]
    read_exact(n)
    samples.append((time.perf_counter_ns() - t0) / 1e6)
    time.sleep(pause)
samples.sort()
q = lambda p: samples[min(len(samples) - 1, int(p * len(samples)))]
print(f"blocking_client: count={count} p50={q(0.50):.3f}ms p99={q(0.99):.3f}ms min={samples[0]:.3f}ms")
