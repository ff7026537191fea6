from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xinqu.demo"
    label = "demo"
    verbose_name = "Demo zone"
