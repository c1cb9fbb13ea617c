from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "frontdoor"
    verbose_name = "Front Door"

    def ready(self) -> None:
        from frontdoor import checks, signals  # noqa: F401
