"""How the engine learns, from the domain, who is told about a deadline and what to say."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from django.contrib.contenttypes.models import ContentType
from django.db import models

from workflows.models import Deadline


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    language: str = "zh-hans"


class DeadlineSubjects(Protocol):
    """What the domain tells the engine about the deadlines of one of its models."""

    def recipients_by_audience(
        self, wanted: Mapping[str, Sequence[Deadline]]
    ) -> dict[str, dict[int, list[Recipient]]]:
        """For each audience (responsible, supervisor, party_head, office), each of its
        deadlines' recipients."""

    def context(
        self, deadlines: Sequence[Deadline], language: str, *, now: datetime.datetime
    ) -> dict[int, dict]:
        """Each deadline's e-mail context (JSON-safe) in the recipient's language, as of `now`."""


_subjects: dict[str, DeadlineSubjects] = {}


def register_subjects(model: type[models.Model], adapter: DeadlineSubjects) -> None:
    """The domain registers an adapter per model whose rows own deadlines."""
    _subjects[model._meta.label_lower] = adapter


def subjects_for(deadline: Deadline) -> DeadlineSubjects:
    # get_for_id reads Django's content-type cache: no query per deadline.
    model = ContentType.objects.get_for_id(deadline.content_type_id).model_class()
    return _subjects[model._meta.label_lower]
