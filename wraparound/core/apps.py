from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "wraparound.core"
    label = "core"
    verbose_name = "Wraparound core"
