from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "ablework.employers"
    label = "employers"
    verbose_name = "用人单位"

    def ready(self) -> None:
        # Imports run in the task worker: say how to queue a batch again after a worker died.
        from ablework.core.imports import register_resumer
        from ablework.employers.imports import EMPLOYERS
        from ablework.employers.tasks import run_employer_import_task as task

        register_resumer((EMPLOYERS,), lambda batch_id: task.enqueue(batch_id))
