"""The people: users and the bodies they belong to (leading group, office, units, receiving organs)."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Anyone who signs in; what they may do follows from the memberships below."""

    display_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language of e-mails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="zh-hans",
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class LeadingGroupPosition(models.TextChoices):
    LEADER = "leader", _("Leader (组长)")
    DEPUTY = "deputy", _("Deputy leader (副组长)")
    MEMBER = "member", _("Member")


class LeadingGroupMember(models.Model):
    """A member of the inspection work leading group (巡视工作领导小组)."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="leading_group_membership"
    )
    position = models.CharField(_("position"), max_length=16, choices=LeadingGroupPosition.choices)

    class Meta:
        verbose_name = _("leading group member")
        verbose_name_plural = _("leading group")

    def __str__(self) -> str:
        return f"{self.user} ({self.get_position_display()})"


class OfficeMember(models.Model):
    """A member of the inspection office (巡视办), which runs the rounds."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="office_membership")
    title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("office member")
        verbose_name_plural = _("inspection office")

    def __str__(self) -> str:
        return str(self.user)


class Route(models.TextChoices):
    """Where a lead goes after the committee's decision (分类处置)."""

    DISCIPLINE = "discipline", _("Discipline inspection and supervision commission")
    ORGANISATION = "organisation", _("Organisation department")
    OTHER = "other", _("Other relevant unit")


class ReceivingOrgan(models.Model):
    """An organ that receives leads (纪委监委, 组织部 …) and must report back."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    route = models.CharField(_("route"), max_length=16, choices=Route.choices)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        verbose_name = _("receiving organ")
        verbose_name_plural = _("receiving organs")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReceivingOrganDesk(models.Model):
    """A user who works the desk of a receiving organ."""

    organ = models.ForeignKey(ReceivingOrgan, on_delete=models.CASCADE, related_name="desks")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="organ_desks")

    class Meta:
        verbose_name = _("receiving-organ desk")
        verbose_name_plural = _("receiving-organ desks")
        constraints = [
            models.UniqueConstraint(fields=["organ", "user"], name="unique_desk_per_organ")
        ]

    def __str__(self) -> str:
        return f"{self.organ}: {self.user}"
