"""The working-day calendar on real dates: China's holidays, make-up days, the office's overrides."""

import datetime
import zoneinfo

import pytest

from workflows import calendar
from workflows.calendar import (
    WorkingCalendar,
    add_calendar_days,
    add_months,
    add_working_days,
    end_of_day,
    is_working_day,
    local_date,
    next_working_day,
)
from workflows.models import WorkingDayOverride

D = datetime.date
UTC = datetime.UTC
SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")


def days(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    return [first + datetime.timedelta(n) for n in range((last - first).days + 1)]


# China's calendar, as the `holidays` package gives it -----------------------------------------


@pytest.mark.django_db
class TestNationalDay2025:
    @pytest.mark.parametrize("day", days(D(2025, 10, 1), D(2025, 10, 8)))
    def test_the_golden_week_is_off(self, day):
        assert not is_working_day(day)

    @pytest.mark.parametrize("day", [D(2025, 9, 28), D(2025, 10, 11)])
    def test_the_make_up_sunday_and_saturday_are_worked(self, day):
        assert day.weekday() in (5, 6)
        assert is_working_day(day)

    def test_an_ordinary_saturday_is_off(self):
        assert D(2025, 10, 18).weekday() == 5
        assert not is_working_day(D(2025, 10, 18))

    def test_an_ordinary_weekday_is_worked(self):
        assert is_working_day(D(2025, 10, 9))


@pytest.mark.django_db
class TestNationalDay2026:
    @pytest.mark.parametrize("day", days(D(2026, 10, 1), D(2026, 10, 7)))
    def test_the_golden_week_is_off(self, day):
        assert not is_working_day(day)

    @pytest.mark.parametrize("day", [D(2026, 9, 20), D(2026, 10, 10)])
    def test_the_make_up_sunday_and_saturday_are_worked(self, day):
        assert day.weekday() in (5, 6)
        assert is_working_day(day)

    def test_mid_autumn_festival_is_off(self):
        assert D(2026, 9, 25).weekday() == 4
        assert not is_working_day(D(2026, 9, 25))

    def test_the_days_around_it_are_worked(self):
        assert is_working_day(D(2026, 9, 30))
        assert is_working_day(D(2026, 10, 8))


@pytest.mark.django_db
def test_a_make_up_day_named_in_the_next_years_notice_is_worked():
    # The 2002 New Year notice moved work to Saturday 2001-12-29: the year after is read too.
    assert D(2001, 12, 29).weekday() == 5
    assert is_working_day(D(2001, 12, 29))
    assert not is_working_day(D(2001, 12, 22))


# The worked examples of docs/design.md ----------------------------------------------------


@pytest.mark.django_db
def test_plan_due_a_month_after_feedback_moves_off_the_sunday():
    due = add_months(D(2026, 9, 25), 1)
    assert due == D(2026, 10, 25)
    assert due.weekday() == 6
    assert next_working_day(due) == D(2026, 10, 26)


@pytest.mark.django_db
def test_report_due_15_working_days_after_withdrawal():
    # Counted: 9-29, 9-30, 10-8, 10-9, 10-10 (make-up Saturday), 10-12..16, 10-19..23.
    assert add_working_days(D(2026, 9, 28), 15) == D(2026, 10, 23)


# Working days -----------------------------------------------------------------------------------


@pytest.mark.django_db
class TestAddWorkingDays:
    def test_the_start_never_counts(self):
        assert add_working_days(D(2026, 3, 4), 1) == D(2026, 3, 5)

    def test_across_a_weekend(self):
        assert D(2026, 3, 6).weekday() == 4
        assert add_working_days(D(2026, 3, 6), 1) == D(2026, 3, 9)
        assert add_working_days(D(2026, 3, 6), 5) == D(2026, 3, 13)

    def test_across_spring_festival_2026(self):
        # Saturday 2-14 is a make-up working day, 2-15..2-23 are off (eve 2-16, festival
        # 2-17..19, substituted 2-20 and 2-23, and the weekend between).
        assert is_working_day(D(2026, 2, 14))
        assert not any(is_working_day(day) for day in days(D(2026, 2, 15), D(2026, 2, 23)))
        assert add_working_days(D(2026, 2, 13), 1) == D(2026, 2, 14)
        assert add_working_days(D(2026, 2, 13), 2) == D(2026, 2, 24)

    def test_across_the_new_year(self):
        # From Wednesday 12-31: 1-1, substituted 1-2 and Saturday 1-3 are off.
        assert add_working_days(D(2025, 12, 31), 1) == D(2026, 1, 4)  # make-up Sunday
        assert add_working_days(D(2025, 12, 31), 2) == D(2026, 1, 5)

    @pytest.mark.parametrize("count", [0, -1])
    def test_a_count_below_one_is_refused(self, count):
        with pytest.raises(ValueError):
            add_working_days(D(2026, 3, 4), count)


@pytest.mark.django_db
class TestNextWorkingDay:
    def test_a_working_day_is_its_own(self):
        assert next_working_day(D(2026, 10, 26)) == D(2026, 10, 26)

    def test_a_make_up_saturday_is_its_own(self):
        assert next_working_day(D(2026, 10, 10)) == D(2026, 10, 10)

    def test_a_day_in_the_golden_week_moves_past_it(self):
        assert next_working_day(D(2026, 10, 1)) == D(2026, 10, 8)


# Overrides --------------------------------------------------------------------------------------


@pytest.mark.django_db
class TestOverrides:
    def test_a_saturday_declared_worked_is_worked(self):
        WorkingDayOverride.objects.create(date=D(2025, 10, 18), is_working_day=True, note="调休")
        assert is_working_day(D(2025, 10, 18))
        assert next_working_day(D(2025, 10, 18)) == D(2025, 10, 18)

    def test_a_package_holiday_declared_worked_is_worked(self):
        WorkingDayOverride.objects.create(date=D(2026, 10, 7), is_working_day=True)
        assert is_working_day(D(2026, 10, 7))
        assert next_working_day(D(2026, 10, 6)) == D(2026, 10, 7)

    def test_a_wednesday_declared_off_is_skipped(self):
        assert D(2026, 10, 21).weekday() == 2
        WorkingDayOverride.objects.create(date=D(2026, 10, 21), is_working_day=False)
        assert not is_working_day(D(2026, 10, 21))
        assert next_working_day(D(2026, 10, 21)) == D(2026, 10, 22)
        assert add_working_days(D(2026, 9, 28), 15) == D(2026, 10, 26)

    def test_adding_working_days_reads_the_overrides_once(self, django_assert_num_queries):
        WorkingDayOverride.objects.create(date=D(2026, 3, 4), is_working_day=False)
        WorkingDayOverride.objects.create(date=D(2026, 3, 7), is_working_day=True)
        with django_assert_num_queries(1):
            due = add_working_days(D(2026, 3, 1), 60)
        # Counted by hand: 22 in March (less 3-04, plus 3-07), 21 in April (4-06 is off), and
        # 5-06..08, make-up Saturday 5-09, 5-11..15, 5-18..22, 5-25..27 after the May Day break.
        assert due == D(2026, 5, 27)

    def test_a_loaded_calendar_asks_the_database_no_more(self, django_assert_num_queries):
        WorkingDayOverride.objects.create(date=D(2026, 10, 21), is_working_day=False)
        with django_assert_num_queries(1):
            working_calendar = WorkingCalendar.load()
        with django_assert_num_queries(0):
            assert working_calendar.add_working_days(D(2026, 9, 28), 15) == D(2026, 10, 26)
            assert working_calendar.next_working_day(D(2026, 10, 21)) == D(2026, 10, 22)
            assert not working_calendar.is_working_day(D(2026, 10, 21))
            plan_due = working_calendar.add_months(D(2026, 9, 25), 1)
            assert working_calendar.next_working_day(plan_due) == D(2026, 10, 26)
            assert working_calendar.add_calendar_days(D(2026, 9, 28), 30) == D(2026, 10, 28)
            falls_due = working_calendar.end_of_day(plan_due)
            assert working_calendar.local_date(falls_due) == D(2026, 10, 26)


def test_the_package_calendar_is_built_once_per_set_of_years():
    calendar._china.cache_clear()
    WorkingCalendar().add_working_days(D(2026, 1, 1), 200)
    info = calendar._china.cache_info()
    assert info.currsize == 1  # every day of the walk is in 2026
    assert info.hits > 200


# Calendar arithmetic and time -------------------------------------------------------------------


class TestAddMonths:
    def test_same_day_next_month(self):
        assert add_months(D(2026, 9, 25), 1) == D(2026, 10, 25)

    def test_clamped_to_the_end_of_a_short_month(self):
        assert add_months(D(2026, 1, 31), 1) == D(2026, 2, 28)
        assert add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
        assert add_months(D(2026, 8, 31), 1) == D(2026, 9, 30)

    def test_across_the_year(self):
        assert add_months(D(2026, 11, 30), 3) == D(2027, 2, 28)
        assert add_months(D(2026, 7, 15), 6) == D(2027, 1, 15)
        assert add_months(D(2026, 1, 15), 24) == D(2028, 1, 15)

    def test_zero_months_is_the_same_day(self):
        assert add_months(D(2026, 1, 31), 0) == D(2026, 1, 31)

    def test_a_negative_number_is_refused(self):
        with pytest.raises(ValueError):
            add_months(D(2026, 3, 31), -1)


def test_add_calendar_days_counts_every_day():
    assert add_calendar_days(D(2026, 9, 28), 60) == D(2026, 11, 27)
    assert add_calendar_days(D(2026, 2, 28), 1) == D(2026, 3, 1)


class TestEndOfDay:
    def test_is_midnight_starting_the_next_day_in_shanghai(self):
        moment = end_of_day(D(2026, 10, 26))
        assert moment == datetime.datetime(2026, 10, 27, 0, 0, tzinfo=SHANGHAI)
        assert moment.utcoffset() == datetime.timedelta(hours=8)

    def test_is_16_00_utc_on_the_day(self):
        assert end_of_day(D(2026, 10, 26)) == datetime.datetime(2026, 10, 26, 16, 0, tzinfo=UTC)

    def test_at_the_end_of_a_year(self):
        assert end_of_day(D(2026, 12, 31)) == datetime.datetime(2027, 1, 1, tzinfo=SHANGHAI)


class TestLocalDate:
    def test_late_afternoon_utc_is_the_next_day_in_shanghai(self):
        assert local_date(datetime.datetime(2026, 10, 26, 16, 30, tzinfo=UTC)) == D(2026, 10, 27)

    def test_before_16_00_utc_is_the_same_day(self):
        assert local_date(datetime.datetime(2026, 10, 26, 15, 59, tzinfo=UTC)) == D(2026, 10, 26)

    def test_the_end_of_a_day_belongs_to_the_next(self):
        assert local_date(end_of_day(D(2026, 10, 26))) == D(2026, 10, 27)

    def test_a_naive_datetime_is_refused(self):
        with pytest.raises(ValueError):
            local_date(datetime.datetime(2026, 10, 26, 16, 30))
