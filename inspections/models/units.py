"""Inspected units (被巡视单位), their aliases, liaisons and the affiliations that require recusal."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from inspections.models.people import User


class PartyOrganisationKind(models.TextChoices):
    PARTY_COMMITTEE = "party_committee", _("Party committee (党委)")
    LEADING_PARTY_GROUP = "leading_party_group", _("Leading party group (党组)")
    WORKING_COMMITTEE = "working_committee", _("Party working committee (党工委)")
    ORGAN_COMMITTEE = "organ_committee", _("Organ party committee (机关党委)")
    BRANCH = "branch", _("Party branch (党支部)")
    UNSPECIFIED = "unspecified", _("Party organisation (党组织)")


class Unit(models.Model):
    """An organisation whose party organisation can be inspected."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    party_organisation_kind = models.CharField(
        _("party organisation"),
        max_length=32,
        choices=PartyOrganisationKind.choices,
        default=PartyOrganisationKind.UNSPECIFIED,
    )
    category = models.CharField(_("category"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    party_head_name = models.CharField(_("party head"), max_length=100, blank=True)
    party_head_email = models.EmailField(_("party head's e-mail"), blank=True)

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UnitAlias(models.Model):
    """Another name of a unit (the names in brackets: 市委组织部(市公务员局))."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=200, unique=True)

    class Meta:
        verbose_name = _("alias")
        verbose_name_plural = _("aliases")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class UnitLiaison(models.Model):
    """The person at a unit who answers for it: receives e-mails, submits plans and reports."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="liaisons")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="unit_liaison")

    class Meta:
        verbose_name = _("unit liaison")
        verbose_name_plural = _("unit liaisons")

    def __str__(self) -> str:
        return f"{self.unit}: {self.user}"


class AffiliationKind(models.TextChoices):
    PAST_POST = "past_post", _("held a post there")
    RELATIVE = "relative", _("a relative works there")
    OTHER = "other", _("other conflict of interest")


class Affiliation(models.Model):
    """A tie between a person and a unit that bars them from inspecting it (回避)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="affiliations")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="affiliations")
    kind = models.CharField(_("kind"), max_length=16, choices=AffiliationKind.choices)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("affiliation")
        verbose_name_plural = _("affiliations (recusal)")

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_kind_display()})"
