from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    name = "governance"
    verbose_name = "Policy"

    def ready(self):
        from . import audit, checks  # noqa: F401  (checks register themselves)

        audit.register_models()
