"""Sending: HTTP requests (webhooks, subscriptions, SMS gateway) and e-mail over SMTP.

Each function makes one attempt and returns an :class:`Outcome`; none raises for a failure of
the other side (refused, timed out, non-2xx), so the dispatcher records every attempt.
"""

from __future__ import annotations

import http.client
import smtplib
import ssl
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlencode, urlsplit

from appointd.settings import Settings
from appointd.worker.addresses import RefusedAddress, refuse_private
from appointd.worker.subscriptions import OutgoingRequest


@dataclass(frozen=True, slots=True)
class Outcome:
    ok: bool
    status_code: int | None = None
    error: str | None = None
    # A refusal that no retry can change (a private address, a rejected recipient).
    final: bool = False


class HttpPool:
    """Keep-alive HTTP/1.1 connections per sending thread, per (scheme, host, port).

    ``http.client`` rather than a richer client: a delivery is one small POST, and this costs a
    third of the CPU per request, which is what bounds a dispatcher's deliveries per second.
    """

    def __init__(self) -> None:
        self._local = threading.local()

    def _connections(self) -> dict[tuple[str, str, int], http.client.HTTPConnection]:
        found: dict[tuple[str, str, int], http.client.HTTPConnection] | None = getattr(
            self._local, "connections", None
        )
        if found is None:
            found = self._local.connections = {}
        return found

    def request(self, request: OutgoingRequest, timeout: float) -> int:
        """Send ``request``; its status code. Raises ``OSError``/``HTTPException`` on failure."""
        parts = urlsplit(request.url)
        scheme, host = parts.scheme, parts.hostname or ""
        port = parts.port or (443 if scheme == "https" else 80)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        key = (scheme, host, port)
        pool = self._connections()
        for attempt in (1, 2):
            conn = pool.get(key)
            reused = conn is not None
            if conn is None:
                if scheme == "https":
                    conn = http.client.HTTPSConnection(
                        host, port, timeout=timeout, context=ssl.create_default_context()
                    )
                else:
                    conn = http.client.HTTPConnection(host, port, timeout=timeout)
                pool[key] = conn
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            try:
                conn.request(
                    request.method, target, body=request.body, headers=dict(request.headers)
                )
                response = conn.getresponse()
                response.read(65536)
                if response.will_close:
                    conn.close()
                    pool.pop(key, None)
                return response.status
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
                pool.pop(key, None)
                # A kept-alive connection the receiver had closed: once more on a new one.
                if not reused or attempt == 2:
                    raise
            except BaseException:
                conn.close()
                pool.pop(key, None)
                raise
        raise AssertionError("unreachable")  # pragma: no cover


def send_http(
    pool: HttpPool, request: OutgoingRequest, *, allow_private: bool, timeout: float
) -> Outcome:
    """One attempt of ``request``; 2xx is success."""
    if not allow_private:
        try:
            refuse_private(request.url)
        except RefusedAddress as exc:
            return Outcome(False, error=f"refused: {exc}")
    try:
        status = pool.request(request, timeout)
    except TimeoutError:
        return Outcome(False, error="timed out")
    except (OSError, http.client.HTTPException) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= status < 300:
        return Outcome(True, status)
    return Outcome(False, status, f"HTTP {status}")


def sms_request(settings: Settings, to: str, body: str) -> OutgoingRequest:
    """A Twilio-style Messages request: form-encoded To, From, Body with Basic auth."""
    assert settings.sms_url is not None
    import base64

    user = settings.sms_account_sid or ""
    token = settings.sms_auth_token or ""
    form = urlencode({"To": to, "From": settings.sms_from or "", "Body": body})
    auth = base64.b64encode(f"{user}:{token}".encode()).decode()
    return OutgoingRequest(
        "POST",
        settings.sms_url.replace("{sid}", user),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {auth}",
        },
        form.encode(),
    )


def send_email(settings: Settings, message: EmailMessage, timeout: float) -> Outcome:
    """Send ``message`` through ``APPOINTD_SMTP_URL`` (STARTTLS when the server offers it)."""
    assert settings.smtp_url is not None
    url = urlsplit(settings.smtp_url)
    host = url.hostname or "localhost"
    secure = url.scheme == "smtps"
    port = url.port or (465 if secure else 587)
    try:
        server: smtplib.SMTP
        if secure:
            server = smtplib.SMTP_SSL(
                host, port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            server = smtplib.SMTP(host, port, timeout=timeout)
        with server:
            server.ehlo()
            if not secure and server.has_extn("starttls"):
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if url.username:
                server.login(unquote(url.username), unquote(url.password or ""))
            refused = server.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        return Outcome(False, error=f"recipient refused: {exc.recipients}"[:500], final=True)
    except (smtplib.SMTPException, OSError) as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if refused:
        return Outcome(False, error=f"recipient refused: {refused}"[:500], final=True)
    return Outcome(True)
