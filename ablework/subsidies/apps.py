from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "ablework.subsidies"
    label = "subsidies"
    verbose_name = "补贴与奖励"

    def ready(self) -> None:
        from ablework.core.crypto import register_encrypted_field

        register_encrypted_field("subsidies.Application", "bank_account_encrypted")
