from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "ablework.portal"
    label = "portal"
    verbose_name = "公共门户"
