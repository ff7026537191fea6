"""Secret links: a record a person without an account reaches by a token only they were sent
(the requester's link to rate a service request, the enterprise's link to submit hazard
evidence). Only the token's digest is stored; a new token replaces the old one."""

from __future__ import annotations

import hashlib
import secrets
from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def new_token() -> str:
    """A fresh token to put in a link (shown once, never stored)."""
    return secrets.token_urlsafe(24)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_secret_link(records: QuerySet[M], *, number: str, token: str) -> M | None:
    """The record with item ``number`` whose stored digest matches ``token``; None for a wrong
    number or token alike, so a link reveals nothing about other records."""
    if not token:
        return None
    return records.filter(item__number=number, token_digest=token_digest(token)).first()
