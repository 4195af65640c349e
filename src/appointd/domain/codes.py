"""The codes an appointment carries for people: its reference and its manage token.

A reference is read aloud and typed by hand ("your booking is K7QM2XPA"), so it uses an
alphabet without the look-alikes 0/O and 1/I/L; 8 characters of 31 give ~40 bits, plenty for
uniqueness within one account (the store refuses a duplicate and the booking draws again).
A manage token is a credential (whoever holds it may cancel the appointment): 192 random bits,
URL-safe, never derived from anything else.
"""

from __future__ import annotations

import secrets

REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
REFERENCE_LENGTH = 8
MANAGE_TOKEN_BYTES = 24  # 192 bits; rendered as 32 URL-safe characters


def new_reference() -> str:
    """A fresh random reference: 8 characters of :data:`REFERENCE_ALPHABET`."""
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def is_reference(text: str) -> bool:
    """Whether ``text`` has the shape of a reference (case-insensitive, as people type it)."""
    return len(text) == REFERENCE_LENGTH and all(c in REFERENCE_ALPHABET for c in text.upper())


def normalise_reference(text: str) -> str:
    """A reference as stored: upper case, surrounding blanks removed."""
    return text.strip().upper()


def new_manage_token() -> str:
    """A fresh unguessable manage token (>= 128 bits of randomness; here 192)."""
    return secrets.token_urlsafe(MANAGE_TOKEN_BYTES)


def same_secret(a: str, b: str) -> bool:
    """Constant-time comparison of two secrets."""
    return secrets.compare_digest(a.encode(), b.encode())
