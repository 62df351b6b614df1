from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ablework.people"
    label = "people"
    verbose_name = "残疾人信息"

    def ready(self) -> None:
        from ablework.core.crypto import register_encrypted_field

        register_encrypted_field("people.Person", "id_cipher")
        register_encrypted_field("people.Certificate", "number_cipher")
        # Imports run in the task worker: say how to queue a batch again after a worker died.
        from ablework.core.imports import register_resumer
        from ablework.people.actions.imports import KINDS
        from ablework.people.tasks import run_people_import_task as task

        register_resumer(KINDS, lambda batch_id: task.enqueue(batch_id))
