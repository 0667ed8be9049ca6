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
        # The lookup columns follow the config (already in the entry, masked); the kept
        # YAML entry (ExportFragment, a build's cache) is no field of the approval's.
        register(Approval, **CONFIG_MASK,
                 exclude_fields=["run_digest", "url_host", "export_fragment"])
        register(ExportSnapshot, exclude_fields=["registry_yaml", "managed_mcp_json",
                                                 "managed_settings_json", "diff",
                                                 *ExportSnapshot.GZIP_COLUMNS.values()])
