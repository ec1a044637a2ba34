"""The one application error type: a stable code for programs, a message for people."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.utils.translation import gettext_lazy as _


class ApplicationError(Exception):
    """A refusal the user can act on. `code` is stable; `message` is translated at display."""

    code = "error"
    default_message = _("The request could not be carried out.")

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Sequence[str] = (),
        fields: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.message = message if message is not None else self.default_message
        if code is not None:
            self.code = code
        self.details = list(details)
        self.fields = dict(fields or {})
        super().__init__(str(self.message))

    def __str__(self) -> str:
        text = str(self.message)
        if self.details:
            text += "\n" + "\n".join(f"- {detail}" for detail in self.details)
        return text


class NotFound(ApplicationError):
    """The object does not exist, or the user may not know that it does."""

    code = "not_found"
    default_message = _("Not found.")


class PermissionDenied(ApplicationError):
    """The user may see the object but may not do this to it."""

    code = "permission_denied"
    default_message = _("You are not allowed to do this.")


class WrongState(ApplicationError):
    """The transition does not start from the object's current state."""

    code = "wrong_state"
    default_message = _("This action is not possible in the current state.")


class ConditionFailed(ApplicationError):
    """The transition's guard refused it; `details` says each reason."""

    code = "condition_failed"
    default_message = _("The conditions for this action are not met.")


class StaleObject(ApplicationError):
    """Someone else changed the object since the user loaded it."""

    code = "stale"
    default_message = _(
        "Someone else changed this record after you opened it. Reload it and try again."
    )


class InvalidInput(ApplicationError):
    """The input is malformed or out of range; `fields` says where."""

    code = "invalid"
    default_message = _("The input is not valid.")
