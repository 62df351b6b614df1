from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "ablework.accounts"
    label = "accounts"
    verbose_name = "账户与权限"

    def ready(self) -> None:
        from ablework.accounts import signals  # noqa: F401
