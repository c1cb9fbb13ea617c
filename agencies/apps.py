from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Agencies and users"

    def ready(self) -> None:
        from agencies import signals  # noqa: F401
