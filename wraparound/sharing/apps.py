from django.apps import AppConfig


class SharingConfig(AppConfig):
    name = "wraparound.sharing"
    label = "sharing"
    verbose_name = "Sharing agreements and audit"

    def ready(self) -> None:
        from wraparound.sharing import agreement_cache

        agreement_cache.connect_signals()
