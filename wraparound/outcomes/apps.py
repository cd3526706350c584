from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Families' progress against the Supporting Families outcome framework, and claims."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "wraparound.outcomes"
    verbose_name = "Progress and outcomes"
