from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "ablework.reports"
    label = "reports"
    verbose_name = "监测与报告"
