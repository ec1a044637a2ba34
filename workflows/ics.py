"""Minimal iCalendar (RFC 5545) text: all-day events, one for a notice or many for a feed."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//xunshi//inspection rounds//ZH"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 §3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, current = [], b""
    for char in line:
        piece = char.encode()
        if len(current) + len(piece) > 74:
            parts.append(current.decode())
            current = b""
        current += piece
    parts.append(current.decode())
    return "\r\n ".join(parts)


@dataclass(frozen=True)
class Event:
    """An all-day event from `start` to `end` inclusive."""

    uid: str
    summary: str
    start: datetime.date
    end: datetime.date
    description: str = ""
    location: str = ""
    url: str = ""
    categories: tuple[str, ...] = ()


def _utc_stamp(at: datetime.datetime | None) -> str:
    at = at or datetime.datetime.now(datetime.UTC)
    return at.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _event_lines(event: Event, stamp: str) -> list[str]:
    last = event.end + datetime.timedelta(days=1)  # DTEND is exclusive
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.uid}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{event.start:%Y%m%d}",
        f"DTEND;VALUE=DATE:{last:%Y%m%d}",
        f"SUMMARY:{_escape(event.summary)}",
        # A deadline takes no time in the day: calendars should not show the person busy.
        "TRANSP:TRANSPARENT",
    ]
    if event.description:
        lines.append(f"DESCRIPTION:{_escape(event.description)}")
    if event.location:
        lines.append(f"LOCATION:{_escape(event.location)}")
    if event.url:
        lines.append(f"URL:{event.url}")
    if event.categories:
        lines.append("CATEGORIES:" + ",".join(_escape(c) for c in event.categories))
    lines.append("END:VEVENT")
    return lines


def calendar_text(
    events: Iterable[Event],
    *,
    name: str = "",
    method: str = "PUBLISH",
    stamp: datetime.datetime | None = None,
) -> str:
    """A VCALENDAR holding `events`; `name` is the title calendar programs show for a feed."""
    stamp_text = _utc_stamp(stamp)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"METHOD:{method}",
    ]
    if name:
        # Outlook, Apple and Google Calendar read the feed's title from these.
        lines += [f"X-WR-CALNAME:{_escape(name)}", f"NAME:{_escape(name)}"]
        lines += ["X-PUBLISHED-TTL:PT1H", "REFRESH-INTERVAL;VALUE=DURATION:PT1H"]
    for event in events:
        lines += _event_lines(event, stamp_text)
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"


def calendar_event(
    *, uid: str, summary: str, start: str, end: str, description: str = "", location: str = ""
) -> str:
    """A calendar of one all-day event from `start` to `end` inclusive (ISO dates)."""
    event = Event(
        uid=uid,
        summary=summary,
        start=datetime.date.fromisoformat(start),
        end=datetime.date.fromisoformat(end),
        description=description,
        location=location,
    )
    return calendar_text([event])
