"""Every permission of the product, in one place; views, API, admin, steps and services ask it.

Permission names are `inspections.<verb>_<model>`; transitions name theirs in `permission=`.
Seeing is separate from acting: a user who may not see an object gets "not found".
"""

from __future__ import annotations

import rules

from inspections.roles import roles_of
from inspections.states import InspectionState, LeadState, inspection_states_from

# Who the user is --------------------------------------------------------------


@rules.predicate
def is_leading_group(user) -> bool:
    return roles_of(user).leading_group


@rules.predicate
def is_office(user) -> bool:
    return roles_of(user).office


def _inspection_of(obj):
    """Findings, leads and items are judged by their inspection."""
    return getattr(obj, "inspection", obj)


@rules.predicate
def is_on_a_team_of_the_round(user, round_) -> bool:
    return round_ is not None and round_.pk in roles_of(user).round_ids


@rules.predicate
def is_member_of_the_team(user, team) -> bool:
    return team is not None and team.pk in roles_of(user).team_ids


@rules.predicate
def is_team_leader(user, obj) -> bool:
    """Leader or deputy leader of the inspection's team (TL)."""
    inspection = _inspection_of(obj)
    return inspection is not None and inspection.team_id in roles_of(user).led_team_ids


@rules.predicate
def is_team_member(user, obj) -> bool:
    """Anyone on the inspection's team, leaders included (TL or TM)."""
    inspection = _inspection_of(obj)
    return inspection is not None and inspection.team_id in roles_of(user).team_ids


@rules.predicate
def is_unit_liaison(user, obj) -> bool:
    """Liaison of the inspected unit (UL)."""
    inspection = _inspection_of(obj)
    return inspection is not None and inspection.unit_id in roles_of(user).unit_ids


@rules.predicate
def feedback_is_given(user, obj) -> bool:
    inspection = _inspection_of(obj)
    return inspection is not None and inspection.state in inspection_states_from(
        InspectionState.FEEDBACK_GIVEN
    )


@rules.predicate
def is_desk_of_the_receiving_organ(user, lead) -> bool:
    """A receiving organ's desk, for a lead handed to that organ."""
    return (
        lead is not None
        and lead.receiving_organ_id in roles_of(user).organ_ids
        and lead.state in (LeadState.HANDED_OVER, LeadState.REPORTED_BACK, LeadState.CLOSED)
    )


oversees = is_leading_group | is_office

# Rounds and batches -------------------------------------------------------------
rules.add_perm("inspections.view_round", oversees | is_on_a_team_of_the_round)
rules.add_perm("inspections.add_round", is_office)
rules.add_perm("inspections.approve_round", is_leading_group)
rules.add_perm("inspections.cancel_round", is_leading_group)
rules.add_perm("inspections.mobilize_round", is_office)
rules.add_perm("inspections.conclude_round", is_office)
rules.add_perm("inspections.archive_round", is_office)
rules.add_perm("inspections.import_announcement", is_office)

# Teams ------------------------------------------------------------------------------
rules.add_perm("inspections.view_team", oversees | is_member_of_the_team)
rules.add_perm("inspections.change_team", is_office)
rules.add_perm("inspections.authorize_team", is_leading_group)
rules.add_perm("inspections.stand_down_team", is_office)

# Inspections --------------------------------------------------------------------------
rules.add_perm("inspections.view_inspection", oversees | is_team_member | is_unit_liaison)
# The unit's liaison gets the reduced view: dates, state, deadlines, items, its problem list.
rules.add_perm("inspections.view_inspection_in_full", oversees | is_team_member)
rules.add_perm("inspections.plan_inspection", is_office)
rules.add_perm("inspections.notify_inspection", is_office)
rules.add_perm("inspections.station_inspection", is_team_leader)
rules.add_perm("inspections.withdraw_inspection", is_team_leader)
rules.add_perm("inspections.submit_report_inspection", is_team_leader)
rules.add_perm("inspections.record_onsite_work_inspection", is_team_member)
rules.add_perm("inspections.issue_immediate_notice_inspection", is_team_leader)
rules.add_perm("inspections.hear_report_inspection", is_leading_group)
rules.add_perm("inspections.return_report_inspection", is_leading_group)
rules.add_perm("inspections.cancel_inspection", is_leading_group)
rules.add_perm("inspections.give_feedback_inspection", is_team_leader | is_office)
rules.add_perm("inspections.edit_plan_inspection", is_unit_liaison)
rules.add_perm("inspections.submit_plan_inspection", is_unit_liaison)
rules.add_perm("inspections.submit_rectification_report_inspection", is_unit_liaison)
rules.add_perm("inspections.return_plan_inspection", is_office)
rules.add_perm("inspections.approve_plan_inspection", is_office)
rules.add_perm("inspections.return_rectification_report_inspection", is_office)
rules.add_perm("inspections.accept_rectification_report_inspection", is_office)
rules.add_perm("inspections.grade_inspection", is_office)
rules.add_perm("inspections.record_disclosure_inspection", is_office)
rules.add_perm("inspections.close_inspection", is_office)

# Findings: the unit sees its problem list once feedback is given ------------------------
rules.add_perm(
    "inspections.view_finding",
    oversees | is_team_member | (is_unit_liaison & feedback_is_given),
)
rules.add_perm("inspections.add_finding", is_team_member)
rules.add_perm("inspections.change_finding", is_team_member)

# Leads: confidential; never the unit, never another team ---------------------------------
rules.add_perm("inspections.view_lead", oversees | is_team_leader | is_desk_of_the_receiving_organ)
rules.add_perm("inspections.register_lead", is_team_leader)
rules.add_perm("inspections.decide_lead", is_leading_group)
rules.add_perm("inspections.hand_over_lead", is_office)
rules.add_perm("inspections.report_back_lead", is_desk_of_the_receiving_organ)
rules.add_perm("inspections.close_lead", is_office)

# Rectification items ----------------------------------------------------------------------
rules.add_perm("inspections.view_rectificationitem", oversees | is_team_member | is_unit_liaison)
rules.add_perm("inspections.start_rectificationitem", is_unit_liaison)
rules.add_perm("inspections.submit_rectificationitem", is_unit_liaison)
rules.add_perm("inspections.report_progress_rectificationitem", is_unit_liaison)
rules.add_perm("inspections.return_rectificationitem", is_team_leader | is_office)
rules.add_perm("inspections.verify_rectificationitem", is_team_leader | is_office)
rules.add_perm("inspections.close_rectificationitem", is_office)
rules.add_perm("inspections.mark_long_term_rectificationitem", is_office)

# Reference data, kept by the office in the admin -----------------------------------------------
# Django's model permissions are switched off (inspections.auth), so the admin asks these.
rules.add_perm("inspections", oversees)  # the admin's app index
rules.add_perm("workflows", oversees)
for model in (
    "term",
    "batch",
    "unit",
    "unitalias",
    "unitliaison",
    "affiliation",
    "leadinggroupmember",
    "officemember",
    "receivingorgan",
    "receivingorgandesk",
    "teammember",
):
    rules.add_perm(f"inspections.view_{model}", oversees)
    rules.add_perm(f"inspections.add_{model}", is_office)
    rules.add_perm(f"inspections.change_{model}", is_office)
    rules.add_perm(f"inspections.delete_{model}", is_office)
rules.add_perm("inspections.add_team", is_office)


@rules.predicate
def is_not_a_superuser(user, target) -> bool:
    """The office manages people, but not the system administrators' accounts."""
    return target is None or not target.is_superuser


rules.add_perm("inspections.view_user", oversees)
rules.add_perm("inspections.add_user", is_office)
rules.add_perm("inspections.change_user", is_office & is_not_a_superuser)
rules.add_perm("inspections.delete_user", is_office & is_not_a_superuser)
rules.add_perm("workflows.view_auditentry", oversees)

# The engine's records -------------------------------------------------------------------------
for action in ("add", "change", "delete"):
    rules.add_perm(f"workflows.{action}_workingdayoverride", is_office)
rules.add_perm("workflows.view_workingdayoverride", oversees)
# Policies are created by migrations and found by key: the office edits, never adds or deletes.
rules.add_perm("workflows.view_deadlinepolicy", oversees)
rules.add_perm("workflows.change_deadlinepolicy", is_office)
rules.add_perm("workflows.view_deadline", oversees)
rules.add_perm("workflows.extend_deadline", is_office)
rules.add_perm("workflows.view_outboxmessage", oversees)


# ================================================================================================
# Overview pages (my work, rounds, dashboard, ledger, help, navigation). Added by the overview
# pages; kept together at the end so other areas can append their own blocks after it.
# ================================================================================================


@rules.predicate
def sits_on_a_team(user) -> bool:
    return bool(roles_of(user).team_ids)


@rules.predicate
def leads_a_team(user) -> bool:
    return bool(roles_of(user).led_team_ids)


@rules.predicate
def is_liaison_of_a_unit(user) -> bool:
    return bool(roles_of(user).unit_ids)


@rules.predicate
def works_a_receiving_organ_desk(user) -> bool:
    return bool(roles_of(user).organ_ids)


# The round list shows what `selectors.rounds_visible_to` returns; units and organs have none.
rules.add_perm("inspections.view_round_list", oversees | sits_on_a_team)
# The dashboard is leadership's and the office's view of a whole round.
rules.add_perm("inspections.view_round_dashboard", oversees)
# The ledger lists the items a person may see (never leads): units their own, teams their teams'.
rules.add_perm("inspections.view_ledger", oversees | sits_on_a_team | is_liaison_of_a_unit)
# Navigation only: the pages themselves check their own permissions on every object.
rules.add_perm("inspections.use_leads_desk", oversees | leads_a_team | works_a_receiving_organ_desk)
rules.add_perm("inspections.use_unit_portal", is_liaison_of_a_unit)
rules.add_perm("inspections.view_help", rules.is_authenticated)

# --- data in and out ---
rules.add_perm("inspections.import_units", is_office)
rules.add_perm("inspections.view_round_report", oversees)

# --- cases, portal, leads desk ---
# Evidence goes with an item's work: the unit uploads it; whoever sees the item may read it.
rules.add_perm("inspections.upload_evidence_rectificationitem", is_unit_liaison)
rules.add_perm(
    "inspections.view_evidence_rectificationitem", oversees | is_team_member | is_unit_liaison
)
