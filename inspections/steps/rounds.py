"""The steps of the Round and Team machines: approving, mobilising and closing a round;
authorising a team and standing it down."""

from __future__ import annotations

from functools import partial

from django.utils.translation import gettext_lazy as _

from inspections.conditions import (
    every_inspection_has_a_team,
    every_inspection_has_feedback,
    every_inspection_is_closed,
    every_inspection_of_the_team_is_reported,
    every_team_is_authorized,
    no_member_is_affiliated_with_an_inspected_unit,
    nobody_sits_on_two_teams_of_a_batch,
    round_has_inspections,
    team_has_one_leader_and_a_deputy,
)
from inspections.models import Round, RoundState, Team, TeamState
from inspections.services import rounds as services
from inspections.services import teams as team_services
from inspections.steps.forms import DatedForm, ShortReasonForm
from workflows.steps import Step

R = RoundState
round_step = partial(Step, Round, subject="round_")

ROUND_STEPS = (
    round_step(
        "approve",
        label=_("Approve the round"),
        permission="inspections.approve_round",
        sources=(R.DRAFT,),
        target=R.APPROVED,
        conditions=(round_has_inspections, every_inspection_has_a_team),
        service=services.round_approve,
        form=DatedForm,
        admin=True,
    ),
    round_step(
        "mobilize",
        label=_("Record the mobilisation meeting"),
        permission="inspections.mobilize_round",
        sources=(R.APPROVED,),
        target=R.MOBILIZED,
        conditions=(every_team_is_authorized,),
        service=services.round_mobilize,
        form=DatedForm,
        admin=True,
    ),
    round_step(
        "conclude",
        label=_("Conclude the round"),
        permission="inspections.conclude_round",
        sources=(R.MOBILIZED,),
        target=R.CONCLUDED,
        conditions=(every_inspection_has_feedback,),
        service=services.round_conclude,
        form=DatedForm,
        admin=True,
    ),
    round_step(
        "archive",
        label=_("Archive the round"),
        permission="inspections.archive_round",
        sources=(R.CONCLUDED,),
        target=R.ARCHIVED,
        conditions=(every_inspection_is_closed,),
        service=services.round_archive,
        form=DatedForm,
        admin=True,
    ),
    round_step(
        "cancel",
        label=_("Cancel the round"),
        permission="inspections.cancel_round",
        sources=(R.DRAFT, R.APPROVED),
        target=R.CANCELLED,
        service=services.round_cancel,
        form=ShortReasonForm,
    ),
)

T = TeamState
team_step = partial(Step, Team, subject="team")

TEAM_STEPS = (
    # Authorised per round (一次一授权), and only a team no member of which is in conflict.
    team_step(
        "authorize",
        label=_("Authorise the team"),
        permission="inspections.authorize_team",
        sources=(T.PROPOSED,),
        target=T.AUTHORIZED,
        conditions=(
            team_has_one_leader_and_a_deputy,
            nobody_sits_on_two_teams_of_a_batch,
            no_member_is_affiliated_with_an_inspected_unit,
        ),
        service=team_services.team_authorize,
        form=DatedForm,
        admin=True,
    ),
    team_step(
        "stand_down",
        label=_("Stand the team down"),
        permission="inspections.stand_down_team",
        sources=(T.AUTHORIZED,),
        target=T.STOOD_DOWN,
        conditions=(every_inspection_of_the_team_is_reported,),
        service=team_services.team_stand_down,
        form=DatedForm,
        admin=True,
    ),
    # Membership changes only while the team is proposed; the office seats people in the admin.
    team_step(
        "add_member",
        label=_("Seat a member"),
        permission="inspections.change_team",
        sources=(T.PROPOSED,),
        service=team_services.team_member_add,
    ),
    team_step(
        "remove_member",
        label=_("Take a member off"),
        permission="inspections.change_team",
        sources=(T.PROPOSED,),
        service=team_services.team_member_remove,
    ),
)
