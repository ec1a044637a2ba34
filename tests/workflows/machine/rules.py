"""Who may take the machine's steps, and who holds the engine's own permissions in its tests.

People are told apart by Django groups (clerks, desk, readers) and by owning a case.
"""

from __future__ import annotations

import rules

is_clerk = rules.is_group_member("clerks")
is_desk = rules.is_group_member("desk")
is_reader = rules.is_group_member("readers")


@rules.predicate
def is_owner(user, record) -> bool:
    """The person who filed the case (a task is judged by its case)."""
    case = getattr(record, "case", record)
    return case is not None and user.is_authenticated and case.owner == user.get_username()


rules.add_perm("machine.file_case", is_owner)
rules.add_perm("machine.retitle_case", is_owner)
rules.add_perm("machine.withdraw_case", is_owner)
rules.add_perm("machine.add_task_case", is_owner | is_clerk)
rules.add_perm("machine.answer_case", is_desk)
rules.add_perm("machine.send_back_case", is_clerk)
rules.add_perm("machine.accept_case", is_clerk)
rules.add_perm("machine.close_case", is_clerk)
rules.add_perm("machine.finish_task", is_owner | is_clerk)
rules.add_perm("machine.report_progress_task", is_owner)
rules.add_perm("machine.reopen_task", is_clerk)
rules.add_perm("machine.prolong_task", is_clerk)

oversees = is_clerk | is_reader

# The engine asks for these on its own records. In this project the domain's rules grant
# them; the engine's tests put these in their place for each test (tests/workflows/conftest.py),
# so they never depend on the domain's roles.
ENGINE_RULES = {
    "workflows.view_auditentry": oversees,
    "workflows.add_workingdayoverride": is_clerk,
    "workflows.change_workingdayoverride": is_clerk,
    "workflows.delete_workingdayoverride": is_clerk,
    "workflows.view_workingdayoverride": oversees,
    "workflows.view_deadlinepolicy": oversees,
    "workflows.change_deadlinepolicy": is_clerk,
    "workflows.view_deadline": oversees,
    "workflows.extend_deadline": is_clerk,
    "workflows.view_outboxmessage": oversees,
}
