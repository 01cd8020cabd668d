from django.apps import AppConfig


class WebclientConfig(AppConfig):
    name = "webclient"
    default_auto_field = "django.db.models.BigAutoField"
