"""Factories for every model, in one place."""

import datetime

import factory
from django.utils import timezone

from inspections import models as m


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("pass")


class LeadingGroupMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.LeadingGroupMember

    user = factory.SubFactory(UserFactory)
    position = m.LeadingGroupPosition.MEMBER


class OfficeMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.OfficeMember

    user = factory.SubFactory(UserFactory)


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Term
        django_get_or_create = ("body", "number")

    body = "市委"
    number = 12


class RoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Round

    term = factory.SubFactory(TermFactory)
    number = factory.Sequence(lambda n: n + 1)


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Batch

    round = factory.SubFactory(RoundFactory)
    number = 1


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Unit

    name = factory.Sequence(lambda n: f"市第{n}局")
    email = factory.Sequence(lambda n: f"unit{n}@example.org")


class UnitLiaisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.UnitLiaison

    unit = factory.SubFactory(UnitFactory)
    user = factory.SubFactory(UserFactory)


class AffiliationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Affiliation

    user = factory.SubFactory(UserFactory)
    unit = factory.SubFactory(UnitFactory)
    kind = m.AffiliationKind.PAST_POST


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Team

    round = factory.SubFactory(RoundFactory)
    number = factory.Sequence(lambda n: n + 1)


class TeamMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.TeamMember

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = m.TeamRole.MEMBER


class InspectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Inspection

    round = factory.SubFactory(RoundFactory)
    unit = factory.SubFactory(UnitFactory)
    kind = m.InspectionKind.REGULAR


class FindingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Finding

    inspection = factory.SubFactory(InspectionFactory)
    number = factory.Sequence(lambda n: n + 1)
    category = m.FindingCategory.POLITICAL
    title = factory.Sequence(lambda n: f"问题{n}")
    recorded_by = factory.SubFactory(UserFactory)


class ReceivingOrganFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ReceivingOrgan
        django_get_or_create = ("name",)

    name = "市纪委监委"
    route = m.Route.DISCIPLINE


class ReceivingOrganDeskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.ReceivingOrganDesk

    organ = factory.SubFactory(ReceivingOrganFactory)
    user = factory.SubFactory(UserFactory)


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.Lead

    inspection = factory.SubFactory(InspectionFactory)
    number = factory.Sequence(lambda n: n + 1)
    summary = "反映某处长违规收受礼金"
    registered_by = factory.SubFactory(UserFactory)


class RectificationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = m.RectificationItem

    inspection = factory.SubFactory(InspectionFactory)
    number = factory.Sequence(lambda n: n + 1)
    problem = factory.Sequence(lambda n: f"问题{n}")
    measure = "建立制度,堵塞漏洞"
    responsible_person = "张三"
    due_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
