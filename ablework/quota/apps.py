from django.apps import AppConfig


class QuotaConfig(AppConfig):
    name = "ablework.quota"
    label = "quota"
    verbose_name = "按比例就业年审"

    def ready(self) -> None:
        # The levy batch runs in the task worker: say how to queue a run again after its worker died.
        from ablework.core.imports import register_job_resumer
        from ablework.quota.batch import JOB_KIND
        from ablework.quota.tasks import run_levy_batch_task

        register_job_resumer(
            f"{JOB_KIND}:", lambda job: run_levy_batch_task.enqueue(job.pk, int(job.kind.rsplit(":", 1)[1]))
        )
