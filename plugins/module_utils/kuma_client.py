# -*- coding: utf-8 -*-
# Copyright: kumaops contributors
# Apache License 2.0 (see LICENSE)
"""A client for kuma-cp's HTTP API (stdlib only).

One client for the modules, the role and the Pulumi provider: the API URL, CA
certificate and certificate validation, an optional client certificate, the
admin token as ``Authorization: Bearer``, timeouts, retries with exponential
backoff on connection errors, 429 and 5xx (never on other 4xx), errors that
carry Kuma's ``invalid_parameters``, and pagination of lists.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import socket
import ssl
import time

try:  # Python 3
    from urllib.error import HTTPError, URLError
    from urllib.parse import quote, urlencode
    from urllib.request import HTTPSHandler, Request, build_opener
except ImportError:  # pragma: no cover - Python 2 is not supported
    raise

RETRY_STATUSES = (429, 500, 502, 503, 504)


class KumaError(Exception):
    """An error answer of kuma-cp, or no answer at all.

    ``str()`` is one line that names the URL and what went wrong, with every
    ``invalid_parameters`` entry as ``field: reason``.
    """

    def __init__(self, message, url=None, status=None, title=None, detail=None, invalid_parameters=None):
        super(KumaError, self).__init__(message)
        self.message = message
        self.url = url
        self.status = status
        self.title = title
        self.detail = detail
        self.invalid_parameters = invalid_parameters or []

    def __str__(self):
        return self.message


class KumaUnreachable(KumaError):
    """kuma-cp did not answer after every retry."""


class KumaNotFound(KumaError):
    """404."""


def _error_message(method, url, status, body, token_set):
    title = detail = None
    params = []
    if isinstance(body, dict):
        title = body.get("title")
        detail = body.get("detail")
        params = [{"field": p.get("field", ""), "reason": p.get("reason", p.get("message", ""))}
                  for p in body.get("invalid_parameters") or body.get("causes") or []]
    head = "kuma-cp %s %s answered %d" % (method, url, status)
    if status == 401:
        what = ("the admin token was refused (invalid or expired)" if token_set
                else "no admin token was given (set token / KUMA_TOKEN)")
        msg = "%s: %s" % (head, what)
    elif status == 403:
        what = ("the token lacks the rights for this call" if token_set
                else "anonymous access is not allowed for this call: give an admin token (token / KUMA_TOKEN)")
        msg = "%s: %s%s" % (head, what, (" (%s)" % detail) if detail else "")
    else:
        parts = [p for p in (title, detail) if p]
        msg = head + (": " + "; ".join(parts) if parts else "")
        if params:
            msg += ": " + "; ".join("%s: %s" % (p["field"], p["reason"]) for p in params)
    return msg, title, detail, params


class KumaClient(object):
    """kuma-cp's API at ``url`` (for example ``http://127.0.0.1:5681``)."""

    def __init__(self, url, token=None, ca_cert=None, validate_certs=True, client_cert=None, client_key=None,
                 timeout=10, retries=4, backoff=0.5, sleep=time.sleep):
        if not url:
            raise KumaError("no kuma-cp API URL given (set url / KUMA_CP_URL)")
        self.url = url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self._sleep = sleep
        handlers = []
        if self.url.startswith("https://"):
            ctx = ssl.create_default_context(cafile=ca_cert) if validate_certs else ssl._create_unverified_context()
            if not validate_certs:
                ctx.check_hostname = False
            if client_cert:
                ctx.load_cert_chain(client_cert, client_key)
            handlers.append(HTTPSHandler(context=ctx))
        self._opener = build_opener(*handlers)

    # ------------------------------------------------------------------ transport

    def request(self, method, path, body=None, params=None, accept="application/json"):
        """Send one request, retrying what may pass; return (status, parsed body)."""
        url = self.url + path
        if params:
            url += "?" + urlencode(params, doseq=True)
        data = None if body is None else json.dumps(body).encode("utf-8")
        headers = {"Accept": accept}
        if data is not None:
            headers["Content-Type"] = "application/json"
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        last = None
        for attempt in range(self.retries + 1):
            if attempt:
                self._sleep(self.backoff * (2 ** (attempt - 1)))
            req = Request(url, data=data, headers=headers)
            req.get_method = lambda m=method: m
            try:
                resp = self._opener.open(req, timeout=self.timeout)
                try:
                    return resp.getcode(), _parse(resp.read(), resp.headers.get("Content-Type", ""))
                finally:
                    resp.close()
            except HTTPError as e:
                status = e.code
                parsed = _parse(e.read(), e.headers.get("Content-Type", "") if e.headers else "")
                if status in RETRY_STATUSES and attempt < self.retries:
                    last = "answered %d" % status
                    continue
                msg, title, detail, params_ = _error_message(method, url, status, parsed, bool(self.token))
                cls = KumaNotFound if status == 404 else KumaError
                raise cls(msg, url=url, status=status, title=title, detail=detail, invalid_parameters=params_)
            except (URLError, socket.timeout, ConnectionError, ssl.SSLError, OSError) as e:
                reason = getattr(e, "reason", e)
                if isinstance(reason, ssl.SSLCertVerificationError) or isinstance(e, ssl.SSLCertVerificationError):
                    raise KumaError("kuma-cp at %s: TLS certificate verification failed (%s); set ca_cert or "
                                    "validate_certs" % (self.url, reason), url=url)
                last = str(reason)
        raise KumaUnreachable("kuma-cp at %s is unreachable after %d attempts: %s" % (self.url, self.retries + 1, last),
                              url=url)

    def get(self, path, params=None):
        """GET path; None when kuma-cp answers 404."""
        try:
            return self.request("GET", path, params=params)[1]
        except KumaNotFound:
            return None

    def put(self, path, body):
        """PUT body; returns (created, warnings)."""
        status, answer = self.request("PUT", path, body=body)
        warnings = answer.get("warnings", []) if isinstance(answer, dict) else []
        return status == 201, warnings

    def delete(self, path):
        """DELETE path; False when it was already gone (404)."""
        try:
            self.request("DELETE", path)
            return True
        except KumaNotFound:
            return False

    def list(self, path, params=None, page_size=100):
        """Every item of a paginated list, following ``next``."""
        query = dict(params or {})
        query["size"] = page_size
        offset = None
        while True:
            if offset is not None:
                query["offset"] = offset
            page = self.request("GET", path, params=query)[1] or {}
            yield from page.get("items") or []
            nxt = page.get("next")
            if not nxt or not page.get("items"):
                return
            offset = _offset_of(nxt)
            if offset is None:
                return

    # ------------------------------------------------------------------ resources

    def index(self):
        """kuma-cp's index document (version, hostname, ...)."""
        return self.request("GET", "/")[1]

    @staticmethod
    def mesh_path(name):
        return "/meshes/%s" % quote(name, safe="")

    @classmethod
    def dataplane_path(cls, mesh, name):
        return "%s/dataplanes/%s" % (cls.mesh_path(mesh), quote(name, safe=""))

    def get_mesh(self, name):
        return self.get(self.mesh_path(name))

    def put_mesh(self, resource):
        return self.put(self.mesh_path(resource["name"]), resource)

    def delete_mesh(self, name):
        return self.delete(self.mesh_path(name))

    def get_dataplane(self, mesh, name):
        return self.get(self.dataplane_path(mesh, name))

    def put_dataplane(self, resource):
        return self.put(self.dataplane_path(resource["mesh"], resource["name"]), resource)

    def delete_dataplane(self, mesh, name):
        return self.delete(self.dataplane_path(mesh, name))

    def dataplane_overviews(self, mesh=None, name=None, tags=None):
        """Dataplanes with their insights (online state, versions), filtered."""
        path = (self.mesh_path(mesh) if mesh else "") + "/dataplanes/_overview"
        params = {}
        if name:
            params["name"] = name
        if tags:
            params["tag"] = ["%s:%s" % (k, v) for k, v in sorted(tags.items())]
        return list(self.list(path, params))

    def generate_dataplane_token(self, name, mesh, tags=None, proxy_type=None, valid_for=None, workload=None):
        """A dataplane token (the raw JWT) from POST /tokens/dataplane."""
        body = {"name": name, "mesh": mesh}
        if tags:
            body["tags"] = dict((k, v if isinstance(v, list) else [v]) for k, v in tags.items())
        if proxy_type:
            body["type"] = proxy_type
        if valid_for:
            body["validFor"] = valid_for
        if workload:
            body["workload"] = workload
        answer = self.request("POST", "/tokens/dataplane", body=body, accept="text/plain")[1]
        return answer.strip() if isinstance(answer, str) else answer


def _parse(raw, content_type):
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else (raw or "")
    if "json" in content_type or text.lstrip().startswith(("{", "[")):
        try:
            return json.loads(text) if text.strip() else {}
        except ValueError:
            return text
    return text


def _offset_of(next_url):
    try:
        from urllib.parse import parse_qs, urlparse
    except ImportError:  # pragma: no cover
        return None
    values = parse_qs(urlparse(next_url).query).get("offset")
    return values[0] if values else None
