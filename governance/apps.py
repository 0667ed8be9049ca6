from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Policy"

    def ready(self):
        from . import audit

        audit.register_models()
