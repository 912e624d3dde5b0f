from django.apps import AppConfig


class OnportConfig(AppConfig):
    name = "onport"
    verbose_name = "Onport platform"
