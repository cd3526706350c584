from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "wraparound.evaluation"
    verbose_name = "Evaluation: which services work"
