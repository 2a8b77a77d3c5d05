#!/usr/bin/env python3
"""tests/torture.py: the hostile clients of tests/torture.bats.

    torture.py lines PORT SEED COUNT CONNS    random and hostile lines
    torture.py longline PORT                  1 MiB with no line end
    torture.py nul PORT                       a NUL at every offset
    torture.py trickle PORT                   one byte a second
    torture.py trickle-data PORT              a DATA phase one byte at a time
    torture.py offsets PORT                   disconnect at every offset
    torture.py flood PORT N                   N connections, abandoned

Each prints what it saw and exits non-zero when the server broke its
contract.  Everything random comes from a seeded generator: a failure
replays exactly."""
import random
import re
import socket
import sys
import time

HOST = "127.0.0.1"
REPLY = re.compile(rb"^[2-5][0-9][0-9][ -][^\r\n]*\r\n")
TRANSACTION = (b"EHLO client.test\r\nMAIL FROM:<a@x.test>\r\n"
               b"RCPT TO:<b@y.test>\r\nDATA\r\nSubject: t\r\n\r\nbody\r\n"
               b".\r\nQUIT\r\n")


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


class Conn:
    def __init__(self, port, timeout=10):
        self.s = socket.create_connection((HOST, port), timeout)
        self.s.settimeout(timeout)
        self.buf = b""

    def send(self, data):
        self.s.sendall(data)

    def reply(self):
        """One whole reply (all its lines), or None at EOF."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.s.recv(65536)
                if not chunk:
                    if self.buf:
                        fail("reply cut short: %r" % self.buf)
                    return None
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            line += b"\r\n"
            if not REPLY.match(line):
                fail("malformed reply line %r" % line)
            lines.append(line)
            if line[3:4] == b" ":
                return b"".join(lines)

    def until_eof(self):
        data = self.buf
        self.buf = b""
        while True:
            chunk = self.s.recv(65536)
            if not chunk:
                return data
            data += chunk

    def close(self):
        self.s.close()


# ---- 10,000 hostile lines ---------------------------------------------------

VERBS = [b"HELO", b"EHLO", b"MAIL FROM:", b"RCPT TO:", b"RSET", b"NOOP",
         b"VRFY", b"EXPN", b"HELP", b"AUTH", b"STARTTLS", b"BDAT", b"LHLO",
         b"ETRN", b"TURN", b"XCLIENT", b"mail from:", b"rcpt to:", b"hElO"]
HOSTILE = [b"%s%s%s%n%n", b"%99999999d", b"\x00", b"\x7f", b"\xff\xfe",
           b"\x1b[2J", b"\r", b"\t", b"<>", b"<<a@b>>", b"<a@b", b"a@b>",
           b"<@x,@y:a@b>", b"\"\\\"\"@x", b"<a@[IPv6:::1]>", b"\xc3\xa9",
           b"\xed\xa0\x80", b"\xc0\xaf", b"SIZE=99999999999999999999",
           b"BODY=BINARYMIME", b"SMTPUTF8", b"SIZE=", b"=", b" " * 40,
           b"../../etc/passwd", b"$(reboot)", b"`id`", b"A" * 300]


def hostile_line(rng):
    k = rng.random()
    if k < 0.35:
        line = rng.choice(VERBS)
        for _ in range(rng.randrange(4)):
            line += rng.choice([b" ", b"", b"  "]) + rng.choice(HOSTILE)
    elif k < 0.55:
        line = bytes(rng.choice(b"\x00\x01\r\t\x7f\x80\xff <>@:.\"\\=%")
                     if rng.random() < 0.3 else rng.randrange(32, 127)
                     for _ in range(rng.randrange(60)))
    elif k < 0.65:
        n = rng.choice([509, 510, 511, 512, 513, 998, 1000, 4096, 20000])
        line = b"NOOP " + b"x" * (n - 5)
    elif k < 0.75:
        line = bytes(rng.randrange(256) for _ in range(rng.randrange(300)))
    elif k < 0.85:
        line = rng.choice([b"MAIL FROM:<a@x.test>", b"MAIL FROM:<>",
                           b"RCPT TO:<b@y.test>", b"RCPT TO:<Postmaster>",
                           b"MAIL FROM:<a@x.test> SIZE=10 BODY=8BITMIME",
                           b"EHLO c.test", b"HELO c.test", b"RSET"])
    else:
        line = b""
    line = line.replace(b"\n", b"")
    return line + rng.choice([b"\r\n"] * 8 + [b"\n", b"\r\r\n"])


def message(rng):
    """A message body that holds no '.', so only our end ends it."""
    body = bytes(rng.choice(b"\r\n\x00\xffab <>:") if rng.random() < 0.2
                 else rng.randrange(32, 127) for _ in range(rng.randrange(400)))
    return body.replace(b".", b"_") + b"\r\n.\r\n"


def cmd_lines(port, seed, count, conns):
    rng = random.Random(seed)
    sent = answered = reconnects = messages = 0
    per_conn = count // conns
    for _ in range(conns):
        c = Conn(port)
        if c.reply() is None:
            fail("no greeting")
        done = 0
        while done < per_conn:
            group = [hostile_line(rng) for _ in range(rng.randrange(1, 21))]
            last = rng.random()
            if last < 0.3:  # a transaction among the junk
                group[:0] = [b"EHLO c.test\r\n", b"MAIL FROM:<a@x.test>\r\n",
                             b"RCPT TO:<b@y.test>\r\n"]
            group = group[:per_conn - done]
            if last < 0.01:
                group[-1] = b"QUIT\r\n"
            elif last < 0.015:
                group[-1] = b"GET / HTTP/1.0\r\n"
            elif last < 0.3:
                group[-1] = b"DATA\r\n"
            c.send(b"".join(group))
            sent += len(group)
            done += len(group)
            closed = False
            for i, line in enumerate(group):
                r = c.reply()
                if r is None:
                    fail("no reply to line %d of a group: %r" % (i, line[:80]))
                answered += 1
                if r.startswith(b"354"):
                    if i != len(group) - 1:
                        fail("354 to a line that is not DATA: %r" % line[:80])
                    c.send(message(rng))
                    r = c.reply()
                    if r is None or not r[:1] in b"245":
                        fail("no reply after the message: %r" % r)
                    messages += 1
                if r[:3] in (b"221", b"421"):
                    if i != len(group) - 1:
                        fail("%r closed the session early" % line[:80])
                    rest = c.until_eof()
                    if rest:
                        fail("data after %r: %r" % (r, rest[:80]))
                    closed = True
            if closed:
                c.close()
                c = Conn(port)
                reconnects += 1
                if c.reply() is None:
                    fail("no greeting after reconnecting")
        c.send(b"QUIT\r\n")
        r = c.reply()
        if r is None or not r.startswith(b"221"):
            fail("QUIT answered %r: a reply too many or too few" % r)
        if c.until_eof():
            fail("data after 221")
        c.close()
    print("lines: %d sent, %d answered, %d messages, %d reconnects"
          % (sent, answered, messages, reconnects))
    if answered != sent:
        fail("%d lines unanswered" % (sent - answered))


# ---- one long line ------------------------------------------------------------

def cmd_longline(port):
    c = Conn(port, 30)
    c.reply()
    c.send(b"NOOP " + b"x" * (1 << 20))
    c.send(b"\r\nNOOP\r\nQUIT\r\n")
    r1, r2, r3 = c.reply(), c.reply(), c.reply()
    print("longline: %r %r %r" % (r1, r2, r3))
    if not (r1.startswith(b"500 5.5.2") and r2.startswith(b"250")
            and r3.startswith(b"221")):
        fail("unexpected replies")
    if c.until_eof():
        fail("data after 221")


# ---- NUL at every offset ----------------------------------------------------------

def cmd_nul(port):
    stored = 0
    for i in range(len(TRANSACTION) + 1):
        data = TRANSACTION[:i] + b"\0" + TRANSACTION[i:]
        c = Conn(port)
        c.send(data)
        c.s.shutdown(socket.SHUT_WR)
        out = c.until_eof()
        c.close()
        if not out.startswith(b"220 "):
            fail("offset %d: no greeting: %r" % (i, out[:80]))
        for line in out.split(b"\r\n")[:-1]:
            if not REPLY.match(line + b"\r\n"):
                fail("offset %d: malformed %r" % (i, line))
        if not out.endswith(b"\r\n"):
            fail("offset %d: reply cut short" % i)
        stored += out.count(b"250 2.0.0 Ok: queued")
    print("nul: %d connections, %d messages stored" % (len(TRANSACTION) + 1,
                                                       stored))
    print("stored=%d" % stored)


# ---- slow clients -------------------------------------------------------------

def trickle(c, data, interval, limit):
    """Sends a byte every interval seconds; returns the seconds until the
    server closed the connection, and what it said."""
    start = time.monotonic()
    said = b""
    c.s.setblocking(False)
    for b in data:
        try:
            c.s.send(bytes([b]))
        except OSError:  # the server is gone: it closed on us
            return time.monotonic() - start, said
        end = time.monotonic() + interval
        while time.monotonic() < end:
            try:
                chunk = c.s.recv(4096)
            except BlockingIOError:
                time.sleep(0.05)
                continue
            except OSError:
                chunk = b""
            if not chunk:
                return time.monotonic() - start, said
            said += chunk
        if time.monotonic() - start > limit:
            break
    return None, said


def cmd_trickle(port):
    c = Conn(port)
    c.reply()
    took, said = trickle(c, b"EHLO " + b"x" * 60 + b"\r\n", 1.0, 20)
    print("trickle: cut off after %s s, said %r" % (took, said))
    if took is None or b"421 4.4.2" not in said:
        fail("a client sending a byte a second was not cut off")
    print("seconds=%d" % round(took))


def cmd_trickle_data(port):
    c = Conn(port)
    c.reply()
    c.send(b"HELO c.test\r\nMAIL FROM:<a@x.test>\r\nRCPT TO:<b@y.test>\r\n"
           b"DATA\r\n")
    for _ in range(4):
        c.reply()
    took, said = trickle(c, b"Subject: slow\r\n\r\n" + b"line\r\n" * 400,
                         0.4, 60)
    print("trickle-data: cut off after %s s, said %r" % (took, said))
    if took is None or b"421 4.4.2" not in said:
        fail("a trickling DATA phase was not cut off")
    print("seconds=%d" % round(took))


# ---- a disconnect at every offset ---------------------------------------------------

def cmd_offsets(port):
    end = TRANSACTION.index(b"\r\n.\r\n") + 5
    for i in range(len(TRANSACTION) + 1):
        c = Conn(port)
        c.send(TRANSACTION[:i])
        c.s.shutdown(socket.SHUT_WR)
        out = c.until_eof()
        c.close()
        queued = b"250 2.0.0 Ok: queued" in out
        if queued != (i >= end):
            fail("offset %d (end of data at %d): queued=%s" % (i, end, queued))
    print("offsets: %d connections; the end of data is at %d" %
          (len(TRANSACTION) + 1, end))
    print("expect=%d" % (len(TRANSACTION) + 1 - end))


# ---- many connections at once ---------------------------------------------------------

def cmd_flood(port, n):
    socks = []
    for _ in range(n):
        s = socket.socket()
        s.settimeout(10)
        s.connect((HOST, port))
        socks.append(s)
    # the service answers normally with all of them open
    c = Conn(port)
    c.send(TRANSACTION)
    out = c.until_eof()
    c.close()
    ok = b"250 2.0.0 Ok: queued" in out and out.endswith(b"221 2.0.0 Bye\r\n")
    for s in socks:
        s.close()
    print("flood: %d connections open, a transaction %s" %
          (n, "succeeded" if ok else "failed: %r" % out))
    if not ok:
        fail("no normal answer during the flood")


def main(argv):
    cmd, port = argv[1], int(argv[2])
    if cmd == "lines":
        cmd_lines(port, int(argv[3]), int(argv[4]), int(argv[5]))
    elif cmd == "longline":
        cmd_longline(port)
    elif cmd == "nul":
        cmd_nul(port)
    elif cmd == "trickle":
        cmd_trickle(port)
    elif cmd == "trickle-data":
        cmd_trickle_data(port)
    elif cmd == "offsets":
        cmd_offsets(port)
    elif cmd == "flood":
        cmd_flood(port, int(argv[3]))
    else:
        fail("unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
