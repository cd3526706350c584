from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    name = "wraparound.casework"
    label = "casework"
    verbose_name = "Working together on a family"

    def ready(self) -> None:
        from wraparound.casework import subject_access
        from wraparound.sharing import subject_data

        subject_data.register("Agency records", subject_access.agency_records)
        subject_data.register_family_resolver(subject_access.families_of_person)
