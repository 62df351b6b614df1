from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "ablework.exchange"
    label = "exchange"
    verbose_name = "数据共享"
