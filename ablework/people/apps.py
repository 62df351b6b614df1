from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "ablework.people"
    label = "people"
    verbose_name = "残疾人信息"
