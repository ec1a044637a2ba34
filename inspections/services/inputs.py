"""Checks of what a person typed, shared by every service: one error shape, in their language."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.calendar import years_from
from workflows.deadlines import refuse_if_too_far_ahead
from workflows.errors import InvalidInput

# An event is recorded within a committee's term of five years: anything earlier is a typo
# (0001 for 2026), not a meeting that happened.
YEARS_BACK = 5


def earliest_event_date(today: datetime.date) -> datetime.date:
    """The earliest day an event may be recorded for, as of `today`."""
    return years_from(today, -YEARS_BACK)


def event_date(on: datetime.date | None, *, field: str = "on") -> datetime.date:
    """The date an event happened: today when not given, never in the future, nor more than
    five years ago."""
    today = timezone.localdate()
    if on is None:
        return today
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        raise InvalidInput(fields={field: [_("Enter a valid date.")]})
    if on > today:
        raise InvalidInput(fields={field: [_("The date cannot be in the future.")]})
    if on < earliest_event_date(today):
        raise InvalidInput(
            fields={
                field: [
                    _("The date cannot be more than %(years)d years ago.") % {"years": YEARS_BACK}
                ]
            }
        )
    return on


def due_date(on: datetime.date | None, *, after: datetime.date | None, field: str) -> datetime.date:
    """A due date: required, and not before `after` (the day the obligation arose)."""
    if on is None:
        raise InvalidInput(fields={field: [_("Enter a due date.")]})
    if not isinstance(on, datetime.date) or isinstance(on, datetime.datetime):
        raise InvalidInput(fields={field: [_("Enter a valid date.")]})
    if after is not None and on < after:
        raise InvalidInput(
            fields={field: [_("The due date cannot be before %(date)s.") % {"date": after}]}
        )
    refuse_if_too_far_ahead(on, field=field)
    return on


def required_text(value: str | None, *, field: str, max_length: int | None = None) -> str:
    """Text a person must fill in: stripped, not empty, not longer than the column."""
    text = (value or "").strip()
    if not text:
        raise InvalidInput(fields={field: [_("This field is required.")]})
    if max_length is not None and len(text) > max_length:
        raise InvalidInput(
            fields={
                field: [
                    _("At most %(limit)d characters (it has %(count)d).")
                    % {"limit": max_length, "count": len(text)}
                ]
            }
        )
    return text


def optional_text(value: str | None, *, field: str, max_length: int | None = None) -> str:
    """Text a person may leave empty, within the column's length."""
    text = (value or "").strip()
    return required_text(text, field=field, max_length=max_length) if text else ""


def choice(value: str, *, choices: type, field: str) -> str:
    """One of a TextChoices' values."""
    if value not in choices.values:
        raise InvalidInput(fields={field: [_("Select a valid choice.")]})
    return value


def count(value: int, *, field: str) -> int:
    """A count of things done: a whole number, zero or more."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise InvalidInput(fields={field: [_("Enter a whole number, zero or more.")]})
    return value
