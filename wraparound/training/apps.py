from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "wraparound.training"
    label = "training"
