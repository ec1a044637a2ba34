"""Editing deadline policies: one check of the values, shared by the service and the admin form."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from workflows.audit import audit_record
from workflows.errors import InvalidInput, PermissionDenied
from workflows.models import LIVE_STATUSES, DeadlinePolicy, DurationUnit

# Who a step can tell; the domain's recipients adapter answers for each (workflows.registry).
AUDIENCES = ("responsible", "supervisor", "party_head", "office")

# The fields the office edits. The key is not one of them: the domain's deadline table finds
# its policies by key, so a renamed key would break every step that opens a deadline.
EDITABLE = (
    "name",
    "duration",
    "unit",
    "reminder_days",
    "yellow_days",
    "yellow_audiences",
    "red_audiences",
    "overdue_first_interval_days",
    "overdue_max_interval_days",
    "repeats_every_months",
)

# Upper bounds keep a slip of the keyboard (60000 for 60) from making the due-date
# arithmetic run for minutes or leave the calendar: ten years in each unit.
MAX_DURATION = {
    DurationUnit.CALENDAR_DAYS: 3653,
    DurationUnit.WORKING_DAYS: 2500,
    DurationUnit.MONTHS: 120,
}
MAX_DAYS = 3653
MAX_OVERDUE_INTERVAL_DAYS = 366
MAX_REPEAT_MONTHS = 120


def _is_whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _whole_in_range(value: Any, low: int, high: int) -> list[str]:
    if not _is_whole(value):
        return [_("Enter a whole number.")]
    if value < low:
        return [_("Enter a whole number of at least %(low)d.") % {"low": low}]
    if value > high:
        return [_("Enter a whole number of at most %(high)d.") % {"high": high}]
    return []


def _check_duration(values: Mapping[str, Any], date_set: bool) -> list[str]:
    duration = values["duration"]
    if date_set:
        if duration is None:
            return []
        # deadline_open takes the date the case gives and never reads the duration.
        return [
            _("The due dates under this policy are set case by case; leave the duration empty.")
        ]
    if duration is None:
        return [_("Enter the duration: a whole number greater than zero.")]
    if not _is_whole(duration) or duration <= 0:
        return [_("The duration must be a whole number greater than zero.")]
    unit = values.get("unit")
    if unit in MAX_DURATION and duration > MAX_DURATION[unit]:
        return [
            _("At most %(limit)d %(unit)s.")
            % {"limit": MAX_DURATION[unit], "unit": DurationUnit(unit).label}
        ]
    return []


def _check_reminders(reminders: Any) -> list[str]:
    if not isinstance(reminders, list):
        return [_("Enter a list of days before the due date, such as [20], or [] for none.")]
    problems = []
    for reminder in reminders:
        if not _is_whole(reminder) or not 1 <= reminder <= MAX_DAYS:
            problems.append(
                _("%(value)s is not a number of days between 1 and %(high)d.")
                % {"value": reminder, "high": MAX_DAYS}
            )
    if not problems and len(set(reminders)) != len(reminders):
        problems.append(_("Each reminder may be listed only once."))
    return problems


def _check_audiences(audiences: Any, *, required: bool) -> list[str]:
    choices = ", ".join(AUDIENCES)
    if not isinstance(audiences, list):
        return [_("Enter a list chosen from: %(choices)s.") % {"choices": choices}]
    problems = [
        _("“%(value)s” is not an audience; choose from: %(choices)s.")
        % {"value": audience, "choices": choices}
        for audience in audiences
        if audience not in AUDIENCES
    ]
    if not problems and len(set(audiences)) != len(audiences):
        problems.append(_("Each audience may be listed only once."))
    if not problems and required and not audiences:
        # An overdue obligation nobody hears of is what the warning exists to prevent.
        problems.append(_("Name at least one audience to tell when the deadline is missed."))
    return problems


def validate_policy(values: Mapping[str, Any], *, date_set: bool = False) -> dict[str, list[str]]:
    """What is wrong with these policy values, field by field (empty when nothing is).

    Only the fields present are checked, and rules between two fields only when both are
    present and valid, so a form can pass what survived its own field checks. `date_set`
    is true for a policy whose due dates each case sets (its stored duration is empty):
    it takes no duration, and every other policy needs one.
    """
    errors: dict[str, list[str]] = {}

    def check(field: str, problems: list[str]) -> None:
        if problems:
            errors.setdefault(field, []).extend(problems)

    if "name" in values:
        name = (values["name"] or "").strip() if isinstance(values["name"], str) else None
        if not name:
            check("name", [_("Enter a name.")])
        elif len(name) > 200:
            check("name", [_("At most %(limit)d characters.") % {"limit": 200}])
    if "unit" in values and values["unit"] not in DurationUnit.values:
        check("unit", [_("Select a valid unit.")])
    if "duration" in values:
        check("duration", _check_duration(values, date_set))
    if "reminder_days" in values:
        check("reminder_days", _check_reminders(values["reminder_days"]))
    if "yellow_days" in values:
        check("yellow_days", _whole_in_range(values["yellow_days"], 0, MAX_DAYS))
    if "yellow_audiences" in values:
        check("yellow_audiences", _check_audiences(values["yellow_audiences"], required=False))
    if "red_audiences" in values:
        check("red_audiences", _check_audiences(values["red_audiences"], required=True))
    for field in ("overdue_first_interval_days", "overdue_max_interval_days"):
        if field in values:
            check(field, _whole_in_range(values[field], 1, MAX_OVERDUE_INTERVAL_DAYS))
    if values.get("repeats_every_months") is not None:
        check(
            "repeats_every_months",
            _whole_in_range(values["repeats_every_months"], 1, MAX_REPEAT_MONTHS),
        )

    def valid(*fields: str) -> bool:
        return all(field in values and field not in errors for field in fields)

    if valid("reminder_days", "yellow_days"):
        # The sweep sends only green reminders; one at or inside the yellow period would be
        # silently dropped, since the yellow warning already tells the responsible party.
        late = sorted(
            (days for days in values["reminder_days"] if days <= values["yellow_days"]),
            reverse=True,
        )
        if late:
            check(
                "reminder_days",
                [
                    _(
                        "A reminder must come before the yellow warning (more than %(yellow)d "
                        "days before due): %(late)s would never be sent."
                    )
                    % {"yellow": values["yellow_days"], "late": ", ".join(map(str, late))}
                ],
            )
    if valid("overdue_first_interval_days", "overdue_max_interval_days") and (
        values["overdue_max_interval_days"] < values["overdue_first_interval_days"]
    ):
        check(
            "overdue_max_interval_days",
            [_("The longest gap cannot be shorter than the first one.")],
        )
    return errors


def policy_is_date_set(policy: DeadlinePolicy) -> bool:
    """Whether each case sets the due date (the plan's items): the stored duration is empty."""
    return policy.pk is not None and policy.duration is None


def policy_update(*, policy: DeadlinePolicy, actor: Any, **fields: Any) -> DeadlinePolicy:
    """Change a policy's editable fields, for the office, with an audit row of what changed.

    Deadlines already open keep their due dates; the new duration applies to those opened
    afterwards. Invalid values raise InvalidInput naming each field, and nothing is written.
    """
    if "key" in fields:
        raise InvalidInput(
            fields={
                "key": [_("The key cannot be changed: the deadline table finds the policy by it.")]
            }
        )
    unknown = sorted(set(fields) - set(EDITABLE))
    if unknown:
        raise TypeError(f"policy_update() got fields it does not edit: {', '.join(unknown)}")
    with transaction.atomic():
        locked = DeadlinePolicy.objects.select_for_update().get(pk=policy.pk)
        if not actor.has_perm("workflows.change_deadlinepolicy", locked):
            raise PermissionDenied()
        if isinstance(fields.get("name"), str):
            fields["name"] = fields["name"].strip()
        values = {name: getattr(locked, name) for name in EDITABLE} | fields
        errors = validate_policy(values, date_set=policy_is_date_set(locked))
        if errors:
            raise InvalidInput(fields=errors)
        changes = {
            name: {"from": getattr(locked, name), "to": value}
            for name, value in fields.items()
            if getattr(locked, name) != value
        }
        if not changes:
            return locked
        for name, change in changes.items():
            setattr(locked, name, change["to"])
        locked.save(update_fields=list(changes))
        if changes.keys() & RESCHEDULING_FIELDS:
            # Open deadlines keep their due dates, but when to remind and when yellow starts
            # follow the new values: the next sweep looks at each again.
            locked.deadlines.filter(status__in=LIVE_STATUSES).update(next_action_at=timezone.now())
        audit_record(
            subject=locked,
            actor=actor,
            action="update_policy",
            data={"changes": changes},
        )
    return locked


RESCHEDULING_FIELDS = {
    "reminder_days",
    "yellow_days",
    "overdue_first_interval_days",
    "overdue_max_interval_days",
}
