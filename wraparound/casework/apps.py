from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "wraparound.casework"
    label = "casework"
    verbose_name = "Working together on a family"

    def ready(self) -> None:
        from wraparound.casework.subject_access import register_providers

        register_providers()  # casework and referrals answer in subject access responses
