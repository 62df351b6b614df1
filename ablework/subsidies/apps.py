from django.apps import AppConfig


class SubsidiesConfig(AppConfig):
    name = "ablework.subsidies"
    label = "subsidies"
    verbose_name = "补贴与奖励"
