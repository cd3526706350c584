from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "wraparound.records"
    label = "records"
