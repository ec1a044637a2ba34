"""The person attributes of the `world` fixture, for tests parametrised over every role."""

ROLES = (
    "leading_group",
    "office",
    "team_leader",
    "team_deputy",
    "team_member",
    "other_team_member",
    "unit_liaison",
    "other_unit_liaison",
    "organ_desk",
    "outsider",
)
