from django.apps import AppConfig


class NeedsConfig(AppConfig):
    """Needs identification: indicators, family needs profiles and the targeting report."""

    name = "wraparound.needs"
    label = "needs"
    verbose_name = "Needs identification and targeting"
