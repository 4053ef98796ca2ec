"""A small HTTP client for access-point APIs, over the standard library (urllib).

Every failure becomes one of the typed errors of :mod:`invoicing.peppol.accesspoint`, with
a one-line message naming the provider, the call and the HTTP status — never a traceback.
Safe calls (GET) are retried on connection errors, timeouts, 429 and 5xx; other calls
never are here: the caller decides, after asking the provider what happened.

Redirects are refused on API calls (urllib would forward the ``Authorization`` header to
wherever it is sent); a provider's signed download URL is fetched without credentials.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.client import HTTPException
from typing import Any

from invoicing.peppol.accesspoint import (
    AccessPointAnswerError,
    AccessPointAuthError,
    AccessPointBusy,
    AccessPointError,
    AccessPointRejected,
    AccessPointTimeout,
    AccessPointUnreachable,
)
from ledger.i18n import _

RETRY_DELAYS = (0.2, 0.6)  # seconds before the 2nd and 3rd try of a safe call
MAX_ANSWER_BYTES = 60 * 1024 * 1024
LOOPBACK = re.compile(r"^(127\.\d+\.\d+\.\d+|localhost|::1)$")
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(
        self,
        req: urllib.request.Request,
        fp: Any,
        code: int,
        msg: str,
        headers: Any,
        newurl: str,
    ) -> urllib.request.Request | None:
        raise urllib.error.HTTPError(req.full_url, code, f"redirect refused ({code})", headers, fp)


def _opener(url: str, redirects: bool) -> urllib.request.OpenerDirector:
    host = urllib.parse.urlsplit(url).hostname or ""
    handlers: list[Any] = []
    if LOOPBACK.match(host):
        handlers.append(urllib.request.ProxyHandler({}))  # this machine: never via a proxy
    if not redirects:
        handlers.append(_NoRedirect())
    return urllib.request.build_opener(*handlers)


def detail_of(body: bytes, limit: int = 300) -> str:
    """The provider's explanation in an error answer, on one short line."""
    text = body.decode("utf-8", "replace").strip()
    try:
        parsed = json.loads(text)
    except ValueError:
        parsed = None
    if isinstance(parsed, dict):
        for key in ("detail", "message", "error", "errors", "title"):
            value = parsed.get(key)
            if value:
                if isinstance(value, list):
                    value = "; ".join(_item_text(v) for v in value)
                text = str(value)
                break
    text = " ".join(CONTROL.sub(" ", text).split())
    return text[:limit] + ("…" if len(text) > limit else "")


def _item_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("msg") or value.get("message") or value)
    return str(value)


def multipart(field_name: str, filename: str, payload: bytes, mime: str) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body with one file field, and its content type."""
    boundary = f"coopledger-{secrets.token_hex(12)}"
    safe_name = re.sub(r"[^A-Za-z0-9._-]", "-", filename)
    head = (
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="{field_name}"; filename="{safe_name}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    return head + payload + f"\r\n--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


@dataclass
class HttpClient:
    """Calls to one provider's API (``base_url``) with its authentication headers."""

    provider: str
    base_url: str
    headers: Mapping[str, str] = field(default_factory=dict)
    timeout: float = 30.0
    retry_delays: tuple[float, ...] = RETRY_DELAYS

    def url(self, path: str, query: Mapping[str, Any] | None = None) -> str:
        quoted = "/".join(urllib.parse.quote(part, safe="") for part in path.split("/"))
        url = self.base_url.rstrip("/") + quoted
        params = {k: str(v) for k, v in (query or {}).items() if v is not None}
        return url + ("?" + urllib.parse.urlencode(params) if params else "")

    def call(
        self,
        method: str,
        path: str,
        *,
        query: Mapping[str, Any] | None = None,
        json_body: Any = None,
        body: bytes | None = None,
        content_type: str | None = None,
    ) -> bytes:
        """The answer's body; a typed error for anything but a 2xx answer."""
        url = self.url(path, query)
        headers = {"Accept": "application/json", **self.headers}
        if json_body is not None:
            body = json.dumps(json_body).encode("utf-8")
            content_type = "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        what = f"{method} {path}"
        tries = 1 + (len(self.retry_delays) if method == "GET" else 0)
        for attempt in range(tries):
            try:
                return self._once(method, url, headers, body, what, redirects=False)
            except AccessPointError as exc:
                if not exc.transient or attempt + 1 == tries:
                    raise
                time.sleep(self.retry_delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    def call_json(self, method: str, path: str, **kwargs: Any) -> Any:
        raw = self.call(method, path, **kwargs)
        try:
            return json.loads(raw.decode("utf-8")) if raw.strip() else None
        except ValueError:
            raise AccessPointAnswerError(
                _(
                    "{provider}: {method} {path} answered something that is not JSON",
                    provider=self.provider,
                    method=method,
                    path=path,
                )
            ) from None

    def download(self, url: str) -> bytes:
        """A file at a (signed) URL the provider gave: no credentials sent, GET retried."""
        scheme = urllib.parse.urlsplit(url).scheme
        host = urllib.parse.urlsplit(url).hostname or ""
        if scheme != "https" and not (scheme == "http" and LOOPBACK.match(host)):
            raise AccessPointAnswerError(
                _("{provider}: a download URL that is not https", provider=self.provider)
            )
        for attempt in range(1 + len(self.retry_delays)):
            try:
                return self._once("GET", url, {}, None, "download", redirects=True)
            except AccessPointError as exc:
                if not exc.transient or attempt == len(self.retry_delays):
                    raise
                time.sleep(self.retry_delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        what: str,
        *,
        redirects: bool,
    ) -> bytes:
        request = urllib.request.Request(url, data=body, method=method, headers=dict(headers))
        p = self.provider
        try:
            with _opener(url, redirects).open(request, timeout=self.timeout) as answer:
                payload = answer.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            raise self._status_error(what, exc.code, _read(exc)) from None
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise AccessPointTimeout(
                    _(
                        "{p}: {what}: no answer within {timeout:g} s",
                        p=p,
                        what=what,
                        timeout=self.timeout,
                    )
                ) from None
            reason = getattr(exc.reason, "strerror", None) or str(exc.reason)
            raise AccessPointUnreachable(
                _("{p}: cannot reach {host} ({reason})", p=p, host=_host(url), reason=reason)
            ) from None
        except TimeoutError:
            raise AccessPointTimeout(
                _(
                    "{p}: {what}: no answer within {timeout:g} s",
                    p=p,
                    what=what,
                    timeout=self.timeout,
                )
            ) from None
        except (ConnectionError, HTTPException, OSError) as exc:
            # The connection broke after the request left: it may have been carried out.
            raise AccessPointTimeout(
                _(
                    "{p}: {what}: the connection broke before the answer ({type})",
                    p=p,
                    what=what,
                    type=type(exc).__name__,
                )
            ) from None
        if len(payload) > MAX_ANSWER_BYTES:
            raise AccessPointAnswerError(
                _("{p}: {what}: answer larger than 60 MB", p=p, what=what)
            )
        return payload

    def _status_error(self, what: str, status: int, body: bytes) -> AccessPointError:
        detail = detail_of(body)
        p = self.provider
        said = f": {detail}" if detail else ""
        if status in (401, 403):
            return AccessPointAuthError(
                _(
                    "{p}: {what} refused ({status}): check the API key in the credentials file "
                    "or $COOPLEDGER_PEPPOL_API_KEY{said}",
                    p=p,
                    what=what,
                    status=status,
                    said=said,
                )
            )
        if status in (408, 429) or status >= 500:
            return AccessPointBusy(
                _(
                    "{p}: {what}: temporary failure ({status}){said}",
                    p=p,
                    what=what,
                    status=status,
                    said=said,
                )
            )
        if 300 <= status < 400:
            return AccessPointAnswerError(
                _("{p}: {what}: redirected ({status}), refused", p=p, what=what, status=status)
            )
        return AccessPointRejected(
            _("{p}: {what} refused ({status}){said}", p=p, what=what, status=status, said=said),
            status,
            detail,
        )


def _read(exc: urllib.error.HTTPError) -> bytes:
    try:
        return exc.read(64 * 1024) or b""
    except Exception:
        return b""


def _host(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return parts.netloc or url
