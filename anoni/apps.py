from django.apps import AppConfig


class AnoniConfig(AppConfig):
    name = "anoni"

    def ready(self):
        from anoni import checks  # noqa: F401  (registers them)
