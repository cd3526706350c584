from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "wraparound.referrals"
    label = "referrals"
    verbose_name = "Referrals between agencies"

    def ready(self) -> None:
        from wraparound.referrals import checks  # noqa: F401  (registers the system check)
