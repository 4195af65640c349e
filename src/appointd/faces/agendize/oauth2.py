"""OAuth2 access tokens for watches with ``oauth2Auth``: fetched from ``accessTokenUrl`` and
cached until shortly before they expire.

The dispatcher asks for the token through the watch kind's ``authorize`` hook, in its sending
thread just before each attempt (never while rendering the body), and again with ``refresh``
after a 401.

Grants: ``refresh_token`` (the default; sends ``refresh_token``) and ``client_credentials``.
The request is the standard form-encoded POST (RFC 6749 section 6 and 4.4) with ``client_id``
and, when set, ``client_secret`` and ``scope``; the answer's ``access_token`` is sent as
``Authorization: Bearer``. Each process keeps its own cache (a token is cheap to fetch again);
a failed fetch raises :class:`TokenError`, which fails the delivery attempt (retried later).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx

# Refresh this long before the token's stated expiry, so it never expires in flight.
MARGIN_SECONDS = 30.0
DEFAULT_LIFETIME = 3600.0


class TokenError(Exception):
    """The token endpoint refused or answered something that is not a token."""


def token_request(oauth: Mapping[str, Any]) -> dict[str, str]:
    """The form fields of the token request ``oauth`` (a watch's ``oauth2Auth``) makes."""
    grant = oauth.get("grantType", "refresh_token")
    form = {"grant_type": grant, "client_id": str(oauth.get("clientId", ""))}
    if oauth.get("clientSecret"):
        form["client_secret"] = str(oauth["clientSecret"])
    if grant == "refresh_token":
        form["refresh_token"] = str(oauth.get("refreshToken", ""))
    if oauth.get("scope"):
        form["scope"] = str(oauth["scope"])
    return form


class TokenCache:
    """Access tokens by the options that fetch them."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[tuple[str, ...], tuple[str, float]] = {}
        self._lock = threading.Lock()
        self._fetching: dict[tuple[str, ...], threading.Lock] = {}
        self.fetches = 0

    def token(
        self,
        oauth: Mapping[str, Any],
        client: httpx.Client | None = None,
        *,
        watch_id: int | None = None,
        refresh: bool = False,
    ) -> str:
        """A valid access token for ``oauth`` (the watch ``watch_id``'s options), from the
        cache or fetched now; ``refresh`` fetches a new one whatever is cached (the receiver
        answered 401 to the cached one). Cached per watch and options: changed options fetch
        anew."""
        form = token_request(oauth)
        key = (
            str(watch_id),
            str(oauth.get("accessTokenUrl")),
            *sorted(f"{k}={v}" for k, v in form.items()),
        )
        with self._lock:
            fetching = self._fetching.setdefault(key, threading.Lock())
        # One fetch per watch at a time: deliveries sent together wait for it and share it.
        with fetching:
            with self._lock:
                cached = self._tokens.get(key)
            if not refresh and cached is not None and cached[1] > self._clock():
                return cached[0]
            token, lifetime = self._fetch(str(oauth["accessTokenUrl"]), form, client)
            with self._lock:
                self._tokens[key] = (token, self._clock() + max(0.0, lifetime - MARGIN_SECONDS))
        return token

    def forget(self) -> None:
        with self._lock:
            self._tokens.clear()
            self._fetching.clear()

    def _fetch(
        self, url: str, form: dict[str, str], client: httpx.Client | None
    ) -> tuple[str, float]:
        self.fetches += 1
        try:
            if client is None:
                with httpx.Client(timeout=10.0) as own:
                    response = own.post(url, data=form, headers={"Accept": "application/json"})
            else:
                response = client.post(url, data=form, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise TokenError(f"token endpoint unreachable: {exc}") from exc
        if response.status_code != 200:
            raise TokenError(f"token endpoint answered {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            raise TokenError("token endpoint answered no JSON") from None
        token = body.get("access_token") if isinstance(body, dict) else None
        if not isinstance(token, str) or not token:
            raise TokenError("token endpoint answered no access_token")
        lifetime = body.get("expires_in", DEFAULT_LIFETIME)
        if not isinstance(lifetime, (int, float)) or isinstance(lifetime, bool):
            lifetime = DEFAULT_LIFETIME
        return token, float(lifetime)


TOKENS = TokenCache()
