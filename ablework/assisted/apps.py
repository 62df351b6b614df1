from django.apps import AppConfig


class AssistedConfig(AppConfig):
    name = "ablework.assisted"
    label = "assisted"
    verbose_name = "辅助性就业"
