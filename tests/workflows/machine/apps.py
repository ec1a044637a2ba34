"""App config of the engine tests' machine: registers its steps and permissions, as a domain would."""

from django.apps import AppConfig


class MachineConfig(AppConfig):
    name = "tests.workflows.machine"
    label = "machine"
    verbose_name = "Engine test machine"

    def ready(self) -> None:
        from tests.workflows.machine import rules  # noqa: F401  (registers the permissions)
        from tests.workflows.machine.deadlines import EveryAudience
        from tests.workflows.machine.models import Case, Task
        from tests.workflows.machine.steps import CASE_STEPS, TASK_STEPS
        from workflows import registry

        registry.register(Case, steps=CASE_STEPS, deadlines=EveryAudience())
        # A task's rules read its case's owner: fetched in the query that locks the task.
        registry.register(
            Task, steps=TASK_STEPS, deadlines=EveryAudience(), read_with_lock=("case",)
        )
