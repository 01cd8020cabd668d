from django.apps import AppConfig
from django.core.signals import got_request_exception


class DiagnosticsConfig(AppConfig):
    name = "diagnostics"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from diagnostics.receivers import record_uncaught_exception

        got_request_exception.connect(record_uncaught_exception, dispatch_uid="diagnostics-server-errors")
