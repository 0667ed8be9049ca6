from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "registry"
    verbose_name = "Registry"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here.
        from audit.registration import CONFIG_MASK, register

        from . import services
        from .models import Approval, ExportSnapshot, Server

        services.connect_policy_signals()
        register(Server)
        register(Approval, **CONFIG_MASK)
        register(ExportSnapshot, exclude_fields=["registry_yaml", "managed_mcp_json",
                                                 "managed_settings_json", "diff"])
