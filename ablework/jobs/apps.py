from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "ablework.jobs"
    label = "jobs"
    verbose_name = "岗位与匹配"
