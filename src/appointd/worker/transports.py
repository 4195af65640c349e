"""Sending: HTTP requests (webhooks, subscriptions, SMS gateway) and e-mail over SMTP.

Each function makes one attempt and returns an :class:`Outcome`; none raises for a failure of
the other side (refused, timed out, non-2xx), so the dispatcher records every attempt.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from urllib.parse import unquote, urlsplit

import httpx

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


def send_http(
    client: httpx.Client, request: OutgoingRequest, *, allow_private: bool, timeout: float
) -> Outcome:
    """One attempt of ``request``; 2xx is success."""
    if not allow_private:
        try:
            refuse_private(request.url)
        except RefusedAddress as exc:
            return Outcome(False, error=f"refused: {exc}")
    try:
        response = client.request(
            request.method,
            request.url,
            headers=dict(request.headers),
            content=request.body,
            timeout=timeout,
        )
    except httpx.TimeoutException:
        return Outcome(False, error="timed out")
    except httpx.HTTPError as exc:
        return Outcome(False, error=f"{type(exc).__name__}: {exc}"[:500])
    if 200 <= response.status_code < 300:
        return Outcome(True, response.status_code)
    return Outcome(False, response.status_code, f"HTTP {response.status_code}")


def sms_request(settings: Settings, to: str, body: str) -> OutgoingRequest:
    """A Twilio-style Messages request: form-encoded To, From, Body with Basic auth."""
    assert settings.sms_url is not None
    import base64

    user = settings.sms_account_sid or ""
    token = settings.sms_auth_token or ""
    form = httpx.QueryParams({"To": to, "From": settings.sms_from or "", "Body": body})
    auth = base64.b64encode(f"{user}:{token}".encode()).decode()
    return OutgoingRequest(
        "POST",
        settings.sms_url.replace("{sid}", user),
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Authorization": f"Basic {auth}",
        },
        str(form).encode(),
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
