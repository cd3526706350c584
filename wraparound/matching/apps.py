from django.apps import AppConfig


class MatchingConfig(AppConfig):
    name = "wraparound.matching"
    label = "matching"
