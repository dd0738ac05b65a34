#!/usr/bin/env python3
"""Upstream answers whose framing could split or poison the client's stream (issue 11): length
with chunked, conflicting lengths, statuses outside 200-599, folded lines, and chunk framing
that must never reach the client. Raw bytes through raw sockets (tests/support/raw.py)."""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import tap  # noqa: E402
from harness import GatewayCase, echo_header, echo_header_all, versa_bin  # noqa: E402,F401
from hostile import Base, get  # noqa: E402
from raw import (H2, RawConn, exchange, h2_frame, h2_preface, hpack_literal,  # noqa: E402
                 parse_responses, read_h2_frames)

class UpstreamFraming(Base):
    """Upstream answers whose framing could split or poison the client's stream."""

    def test_length_with_chunked_is_502_never_relayed(self):
        with RawConn(self.http_port) as c:
            c.send(get("/raw/cl-and-te") + get("/raw/next"))
            first = c.response()
            doc = self.assert_problem(first, 502)
            self.assertIn("Transfer-Encoding", doc["detail"])
            second = c.response()
            # the next answer is the gateway's own for the next request, never the injected one
            self.assertIsNotNone(second)
            self.assertEqual(second.status, 200, second)
            self.assertNotEqual(second.body, b"injected", second)
            self.assertIn(b"/next", second.body)

    def test_conflicting_lengths_are_502(self):
        for proto_extra in (b"",):
            with RawConn(self.http_port) as c:
                c.send(get("/raw/two-lengths") + proto_extra)
                self.assert_problem(c.response(), 502)

    def test_identical_lengths_are_folded(self):
        with RawConn(self.http_port) as c:
            c.send(get("/raw/same-lengths"))
            r = c.response()
            self.assertEqual((r.status, r.body), (200, b"{}"), r)
            self.assertEqual(r.header_all("content-length"), ["2"], r)

    def test_status_outside_range_is_502(self):
        for name in ("status-600", "status-099", "status-101"):
            with self.subTest(name=name), RawConn(self.http_port) as c:
                c.send(get("/raw/" + name))
                self.assert_problem(c.response(), 502)

    def test_folded_response_header_is_502(self):
        with RawConn(self.http_port) as c:
            c.send(get("/raw/folded"))
            r = c.response()
            self.assert_problem(r, 502)
            self.assertIsNone(r.header("set-cookie"), r)

    def test_bad_chunk_framing_never_reaches_the_client(self):
        for name in ("chunk-zz", "chunk-neg", "chunk-huge", "chunk-nocrlf"):
            for proto in ("h1", "h2c"):
                with self.subTest(name=name, proto=proto):
                    if proto == "h1":
                        data, closed = exchange(self.http_port, get("/raw/" + name))
                        self.assertTrue(closed, data)
                        self.assertNotIn(b"EVIL", data)
                        self.assertNotIn(b"zz", data.split(b"\r\n\r\n", 1)[-1])
                        resps, _ = parse_responses(data)
                        # either a 502 problem, or a 200 whose chunked stream is cut short
                        for r in resps:
                            self.assertNotEqual(r.status, 200, "a complete 200: %r" % data)
                    else:
                        r = self.request("/raw/" + name, proto="h2c")
                        self.assertNotIn(b"EVIL", r.body, r)
                        self.assertFalse(r.rc == 0 and r.status == 200, r)

    def test_good_chunks_still_relay(self):
        with RawConn(self.http_port) as c:
            c.send(get("/raw/good-chunks"))
            r = c.response()
            self.assertEqual((r.status, r.body), (200, b"hello world"), r)


if __name__ == "__main__":
    tap.main()
