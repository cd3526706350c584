from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "wraparound.casework"
    label = "casework"
    verbose_name = "Working together on a family"
