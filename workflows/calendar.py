"""China's working-day calendar: public holidays, make-up working days, the office's overrides."""

from __future__ import annotations

import calendar
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from workflows.models import WorkingDayOverride

# The calendar is China's whatever the server's settings say, so its time zone is fixed here.
SHANGHAI = ZoneInfo("Asia/Shanghai")


@functools.lru_cache(maxsize=64)
def _china(years: tuple[int, ...]) -> holidays.HolidayBase:
    # expand=False: the cached instance is shared, so a lookup must never make it grow.
    return holidays.China(years=years, expand=False)


def _package_says_working_day(day: date) -> bool:
    # A year's notice may name a make-up working day in the year before (a Saturday in late
    # December for New Year's Day), so the next year is loaded too.
    return _china((day.year, day.year + 1)).is_working_day(day)


def add_months(start: date, months: int) -> date:
    """Calendar months later, on the same day of the month or on the last day of a shorter month."""
    if months < 0:
        raise ValueError(f"A number of months cannot be negative: {months}.")
    year, month_index = divmod(start.month - 1 + months, 12)
    year += start.year
    month = month_index + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def add_calendar_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


# No obligation is due more than this many years ahead (lasting work reports periodically
# instead), which also keeps every due instant far from the calendar's end (year 9999).
YEARS_AHEAD = 5


def years_from(day: date, years: int) -> date:
    """The same day `years` later (or earlier, when negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_due_date(today: date) -> date:
    """The latest day a deadline may fall due, as of `today`."""
    return years_from(today, YEARS_AHEAD)


def end_of_day(day: date) -> datetime:
    """When a deadline on this day falls due: the first instant of the next day in Shanghai."""
    return datetime.combine(day + timedelta(days=1), time.min, tzinfo=SHANGHAI)


def local_date(moment: datetime) -> date:
    """The date in Shanghai of an aware datetime."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        # A naive value would be read in the server's zone, silently giving another day.
        raise ValueError(f"local_date needs an aware datetime, not {moment!r}.")
    return moment.astimezone(SHANGHAI).date()


@dataclass(frozen=True)
class WorkingCalendar:
    """The package's calendar with the office's overrides on top, read from the database once."""

    overrides: Mapping[date, bool] = field(default_factory=dict)

    @classmethod
    def load(cls) -> WorkingCalendar:
        # The table holds a handful of rows a year: reading all of it is one cheap query.
        return cls(dict(WorkingDayOverride.objects.values_list("date", "is_working_day")))

    # The date arithmetic needs no overrides; it is here too so one object serves a caller.
    add_months = staticmethod(add_months)
    add_calendar_days = staticmethod(add_calendar_days)
    end_of_day = staticmethod(end_of_day)
    local_date = staticmethod(local_date)

    def is_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return _package_says_working_day(day)

    def next_working_day(self, day: date) -> date:
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def add_working_days(self, start: date, count: int) -> date:
        if count < 1:
            raise ValueError(f"A number of working days must be at least 1, not {count}.")
        day = start
        while count:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count -= 1
        return day


def is_working_day(day: date) -> bool:
    return WorkingCalendar.load().is_working_day(day)


def next_working_day(day: date) -> date:
    """The day itself if it is a working day, else the first working day after it."""
    return WorkingCalendar.load().next_working_day(day)


def add_working_days(start: date, count: int) -> date:
    """The count-th working day after start; start itself never counts."""
    return WorkingCalendar.load().add_working_days(start, count)
