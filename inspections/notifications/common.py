"""Small shared pieces of the e-mails: dates in each language, lists, addresses, paths."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.utils import dateformat, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from inspections.models import (
    User,
)
from workflows.registry import Recipient

DEFAULT_LANGUAGE = "zh-hans"
DIGEST_TOP = 10  # the most overdue deadlines a digest lists

# How dates read in each language: 2026年10月26日 / 26 October 2026.
DATE_FORMATS = {"zh-hans": "Y年n月j日", "en": "j F Y"}


# Small helpers ------------------------------------------------------------------------------


def format_date(day: datetime.date | None, language: str | None = None) -> str:
    """A date as `language` (by default the active language) writes it."""
    if day is None:
        return ""
    language = language or translation.get_language() or DEFAULT_LANGUAGE
    with translation.override(language):  # month names are in the language too
        return dateformat.format(day, DATE_FORMATS.get(language, "Y-m-d"))


def join_list(items: Sequence[str]) -> str:
    """“a, b and c” in English, “a、b和c” in Chinese (translated separator and conjunction)."""
    items = list(items)
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    separator = pgettext("list separator", ", ")
    return _("%(first)s and %(last)s") % {"first": separator.join(items[:-1]), "last": items[-1]}


def sentences(*parts: str) -> str:
    """Sentences run on: a space after “.”, none after “。” (Chinese sets no space)."""
    text = ""
    for part in parts:
        if not part:
            continue
        if text and not text.endswith(("。", "！", "？", "；", "：")):
            text += " "
        text += part
    return text


def unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(item for item in items if item))


def dedupe(recipients: Iterable[Recipient]) -> list[Recipient]:
    """One recipient per address (the first one named wins), in the order given."""
    seen: set[str] = set()
    unique = []
    for recipient in recipients:
        address = recipient.email.strip().lower()
        if address and address not in seen:
            seen.add(address)
            unique.append(recipient)
    return unique


def person(user: User) -> Recipient | None:
    if not user.email or not user.is_active:
        return None
    return Recipient(email=user.email, name=str(user), language=user.language or DEFAULT_LANGUAGE)


def mailbox(email: str, name: str) -> list[Recipient]:
    """A body's own address (a unit's, an organ's, a party head's): read in Chinese."""
    return [Recipient(email=email, name=name, language=DEFAULT_LANGUAGE)] if email else []


def inspection_path(inspection_id: int) -> str:
    return f"/inspections/{inspection_id}/"


def lead_path(lead_id: int) -> str:
    return f"/leads/{lead_id}/"


def round_path(round_id: int) -> str:
    return f"/rounds/{round_id}/"
