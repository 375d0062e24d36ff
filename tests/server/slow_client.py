"""Raw-socket clients for tests/server/attacks.sh, where curl cannot misbehave on purpose.

slow PORT N TIMEOUT: opens N connections that say nothing and N that send half a header, one
  byte at a time; while they are all open, a normal request on another connection must be
  answered; then every silent and half-header connection must be closed by the server (its
  idle timeout), each waited for up to TIMEOUT seconds (a bound, not a synchronisation).
inflight PORT PID LOG TOKEN PATH BODY: starts a POST with "Expect: 100-continue", waits for
  the server's "100 Continue" (the request is then in flight), sends the server SIGTERM, waits
  until its log says "stopping", checks that a new connection is refused, then sends the body
  and prints the status line of the answer.
Prints one line per finding; exits non-zero on the first failure."""
import os
import signal
import socket
import sys
import time


def connect(port):
    return socket.create_connection(("127.0.0.1", port), timeout=10)


def request(port, raw):
    s = connect(port)
    s.sendall(raw)
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    s.close()
    return data.split(b"\r\n", 1)[0].decode()


def closed_by_server(s, limit):
    """True when the server closes s (EOF or reset) within limit seconds."""
    s.settimeout(limit)
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return True
            # an error answer (408) before the close is fine
    except ConnectionResetError:
        return True
    except socket.timeout:
        return False


def slow(port, n, limit):
    silent = [connect(port) for _ in range(n)]
    partial = []
    for _ in range(n):
        s = connect(port)
        for b in b"GET /api/v1/patients HTTP/1.1\r\nHost: x\r\nX-Slow: ":
            s.send(bytes([b]))
        partial.append(s)
    t0 = time.monotonic()
    status = request(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    took = time.monotonic() - t0
    print(f"healthz beside {2 * n} slow connections: {status} in {took:.3f} s")
    if not status.endswith("200 OK"):
        return 1
    for i, s in enumerate(silent + partial):
        if not closed_by_server(s, limit):
            print(f"connection {i} still open after {limit} s")
            return 1
        s.close()
    print(f"all {2 * n} slow connections closed by the server")
    return 0


def wait_for(path, text, limit):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        try:
            with open(path) as f:
                if text in f.read():
                    return True
        except FileNotFoundError:
            pass
        time.sleep(0.01)
    return False


def inflight(port, pid, log, token, path, body):
    body = body.encode()
    s = connect(port)
    s.sendall((f"POST {path} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
               "Expect: 100-continue\r\nConnection: close\r\n\r\n").encode())
    first = b""
    while b"\r\n\r\n" not in first:
        chunk = s.recv(4096)
        if not chunk:
            print("closed before 100 Continue")
            return 1
        first += chunk
    if b" 100 " not in first.split(b"\r\n", 1)[0]:
        print("expected 100 Continue, got " + first.split(b"\r\n", 1)[0].decode())
        return 1
    os.kill(pid, signal.SIGTERM)
    if not wait_for(log, '"event":"stopping"', 20):
        print("the server never said it was stopping")
        return 1
    try:
        connect(port).close()
        print("a new connection was accepted while stopping")
        return 1
    except OSError:
        print("new connection refused while stopping")
    s.sendall(body)
    data = b""
    while True:
        chunk = s.recv(4096)
        if not chunk:
            break
        data += chunk
    print("answer: " + data.split(b"\r\n", 1)[0].decode())
    sys.stdout.write(data.split(b"\r\n\r\n", 1)[-1].decode() + "\n")
    return 0


if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "slow":
        sys.exit(slow(int(a[1]), int(a[2]), float(a[3])))
    if a[0] == "inflight":
        sys.exit(inflight(int(a[1]), int(a[2]), a[3], a[4], a[5], a[6]))
    sys.exit(2)
