from django.apps import AppConfig


class NumberingConfig(AppConfig):
    name = "tadamun.numbering"
    default_auto_field = "django.db.models.BigAutoField"
