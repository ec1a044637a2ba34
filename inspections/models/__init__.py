"""The domain's models, importable from one place."""

from inspections.models.files import CalendarFeed, EvidenceFile
from inspections.models.inspection import (
    Finding,
    FindingCategory,
    Grade,
    Inspection,
    InspectionKind,
)
from inspections.models.leads import Lead
from inspections.models.people import (
    LeadingGroupMember,
    LeadingGroupPosition,
    OfficeMember,
    ReceivingOrgan,
    ReceivingOrganDesk,
    Route,
    User,
)
from inspections.models.rectification import RectificationItem
from inspections.models.rounds import Batch, Round, Term, chinese_numeral
from inspections.models.teams import Team, TeamMember, TeamRole
from inspections.models.units import (
    Affiliation,
    AffiliationKind,
    PartyOrganisationKind,
    Unit,
    UnitAlias,
    UnitLiaison,
)
from inspections.states import InspectionState, ItemState, LeadState, RoundState, TeamState

__all__ = [
    "Affiliation",
    "AffiliationKind",
    "Batch",
    "CalendarFeed",
    "EvidenceFile",
    "Finding",
    "FindingCategory",
    "Grade",
    "Inspection",
    "InspectionKind",
    "InspectionState",
    "ItemState",
    "Lead",
    "LeadState",
    "LeadingGroupMember",
    "LeadingGroupPosition",
    "OfficeMember",
    "PartyOrganisationKind",
    "ReceivingOrgan",
    "ReceivingOrganDesk",
    "RectificationItem",
    "Round",
    "RoundState",
    "Route",
    "Team",
    "TeamMember",
    "TeamRole",
    "TeamState",
    "Term",
    "Unit",
    "UnitAlias",
    "UnitLiaison",
    "User",
    "chinese_numeral",
]
