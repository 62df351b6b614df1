from django.apps import AppConfig


class QuotaConfig(AppConfig):
    name = "ablework.quota"
    label = "quota"
    verbose_name = "按比例就业年审"
