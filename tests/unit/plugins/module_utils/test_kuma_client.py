# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""Unit tests of the client's transport rules (plugins/module_utils/kuma_client.py).

A scripted HTTP server on loopback answers with given statuses so that the
client's own rules can be checked: retries and backoff, which statuses are
retried, error messages, pagination. It is not a stand-in for kuma-cp: what
kuma-cp answers is tested against the real kuma-cp in tests/integration.
"""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible_collections.kumaops.mesh.plugins.module_utils.kuma_client import (
    KumaClient, KumaError, KumaNotFound, KumaUnreachable)


class Scripted(object):
    def __init__(self, answers):
        self.answers = list(answers)
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                outer.requests.append((self.command, self.path, dict(self.headers),
                                       self.rfile.read(length) if length else b""))
                status, body = outer.answers.pop(0)
                raw = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain" if isinstance(body, bytes) else "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_PUT = do_POST = do_DELETE = _answer

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = "http://127.0.0.1:%d" % self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted():
    servers = []

    def make(*answers):
        s = Scripted(answers)
        servers.append(s)
        return s
    yield make
    for s in servers:
        s.close()


def client(url, **kw):
    sleeps = []
    kw.setdefault("retries", 3)
    c = KumaClient(url, sleep=sleeps.append, **kw)
    return c, sleeps


def test_retries_5xx_and_429_with_backoff_then_succeeds(scripted):
    s = scripted((503, {}), (429, {}), (200, {"name": "default", "type": "Mesh"}))
    c, sleeps = client(s.url, backoff=0.5)
    assert c.get_mesh("default") == {"name": "default", "type": "Mesh"}
    assert len(s.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_4xx_is_not_retried_and_names_every_invalid_parameter(scripted):
    s = scripted((400, {"title": "Could not process a resource", "detail": "Resource is not valid",
                        "invalid_parameters": [
                            {"field": "networking.inbound[0].port", "reason": "port must be in the range [1, 65535]"},
                            {"field": "networking.address", "reason": "address can't be empty"}]}))
    c, sleeps = client(s.url)
    with pytest.raises(KumaError) as e:
        c.put_dataplane({"type": "Dataplane", "mesh": "default", "name": "dp", "networking": {}})
    assert len(s.requests) == 1 and sleeps == []
    assert e.value.status == 400
    assert str(e.value) == (
        "kuma-cp PUT %s/meshes/default/dataplanes/dp answered 400: Could not process a resource; Resource is not "
        "valid: networking.inbound[0].port: port must be in the range [1, 65535]; networking.address: address "
        "can't be empty" % s.url)
    assert [p["field"] for p in e.value.invalid_parameters] == ["networking.inbound[0].port", "networking.address"]


def test_401_without_token_says_the_token_is_missing(scripted):
    s = scripted((401, {"title": "Unauthenticated"}))
    with pytest.raises(KumaError, match="no admin token was given"):
        client(s.url)[0].get_mesh("default")


def test_403_with_token_says_it_lacks_rights(scripted):
    s = scripted((403, {"title": "Access Denied", "detail": "user \"x\" cannot access generate dataplane token"}))
    with pytest.raises(KumaError, match="the token lacks the rights for this call"):
        client(s.url, token="t")[0].generate_dataplane_token("dp", "default")
    assert s.requests[0][2]["Authorization"] == "Bearer t"


def test_404_get_is_none_and_delete_is_false(scripted):
    s = scripted((404, {"title": "Could not retrieve a resource"}), (404, {"title": "Could not delete a resource"}),
                 (404, {}))
    c = client(s.url)[0]
    assert c.get_dataplane("default", "gone") is None
    assert c.delete_dataplane("default", "gone") is False
    with pytest.raises(KumaNotFound):
        c.request("GET", "/x")


def test_unreachable_retries_then_one_line_naming_the_url():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    c, sleeps = client("http://127.0.0.1:%d/" % port, retries=2, backoff=0.1)
    with pytest.raises(KumaUnreachable) as e:
        c.index()
    msg = str(e.value)
    assert "\n" not in msg
    assert msg.startswith("kuma-cp at http://127.0.0.1:%d is unreachable after 3 attempts" % port)
    assert sleeps == [0.1, 0.2]


def test_list_follows_next_pages(scripted):
    s = scripted((200, {"total": 3, "items": [{"name": "a"}, {"name": "b"}], "next": "http://x/dataplanes?offset=2&size=2"}),
                 (200, {"total": 3, "items": [{"name": "c"}], "next": None}))
    c = client(s.url)[0]
    assert [i["name"] for i in c.list("/dataplanes", page_size=2)] == ["a", "b", "c"]
    assert s.requests[1][1] == "/dataplanes?size=2&offset=2"


def test_token_request_body_and_raw_answer(scripted):
    s = scripted((200, b"header.payload.sig\n"))
    tok = client(s.url, token="admin")[0].generate_dataplane_token(
        "web-1", "default", tags={"kuma.io/service": "web"}, valid_for="720h")
    assert tok == "header.payload.sig"
    assert json.loads(s.requests[0][3]) == {"name": "web-1", "mesh": "default",
                                            "tags": {"kuma.io/service": ["web"]}, "validFor": "720h"}


def test_no_url_is_a_clear_error():
    with pytest.raises(KumaError, match="no kuma-cp API URL given"):
        KumaClient("")
