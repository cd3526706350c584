from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "wraparound.sharing"
    label = "sharing"
