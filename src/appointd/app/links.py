"""The links appointd hands out, built in one place for every face, page and e-mail."""

from __future__ import annotations

from urllib.parse import quote

from appointd.settings import Settings


def base(settings: Settings, base_url: str | None) -> str:
    """The public base URL without a trailing slash: ``APPOINTD_PUBLIC_URL`` when set, else
    the request's own base URL (``base_url``), else ``http://localhost:8000``."""
    if settings.public_url:
        return settings.public_url.rstrip("/")
    if base_url:
        return base_url.rstrip("/")
    return "http://localhost:8000"


def manage_url(settings: Settings, token: str, base_url: str | None = None) -> str:
    """``{public_url}/manage/{token}``: the client's page to see, cancel or move a booking."""
    return f"{base(settings, base_url)}/manage/{quote(token, safe='')}"
