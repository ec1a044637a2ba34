"""Inspection teams (巡视组), their members, and the Team state machine (一次一授权)."""

import datetime

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, transition

from inspections.models.people import User
from inspections.models.rounds import Round, chinese_numeral
from inspections.states import TeamState
from workflows.models import StatefulModel


class Team(StatefulModel):
    """A team assigned for one round; authorised by the leading group before it may work."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="teams")
    number = models.PositiveSmallIntegerField(_("number"))
    state = FSMField(
        _("state"), default=TeamState.PROPOSED, choices=TeamState.choices, protected=True
    )
    authorized_on = models.DateField(_("authorised on"), null=True, blank=True)
    stood_down_on = models.DateField(_("stood down on"), null=True, blank=True)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="unique_team_per_round")
        ]

    def __str__(self) -> str:
        return f"第{chinese_numeral(self.number)}巡视组"

    @transition(field=state, source=TeamState.PROPOSED, target=TeamState.AUTHORIZED)
    def authorize(self, *, on: datetime.date) -> None:
        self.authorized_on = on

    @transition(field=state, source=TeamState.AUTHORIZED, target=TeamState.STOOD_DOWN)
    def stand_down(self, *, on: datetime.date) -> None:
        self.stood_down_on = on


class TeamRole(models.TextChoices):
    LEADER = "leader", _("Leader (组长)")
    DEPUTY = "deputy", _("Deputy leader (副组长)")
    MEMBER = "member", _("Member (组员)")


class TeamMember(models.Model):
    """A person's seat on a team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="team_seats")
    role = models.CharField(_("role"), max_length=16, choices=TeamRole.choices)

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        ordering = ["team", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_seat_per_team")
        ]

    def __str__(self) -> str:
        return f"{self.team} {self.get_role_display()} {self.user}"
