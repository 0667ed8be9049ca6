from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Requests and sign-offs"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here.
        from audit.registration import CONFIG_MASK, register
        from audit.trail import register_parts
        from registry import workflow
        from registry.signals import active_approval_changed

        from .models import Comment, Request, RequestEvent, SignOff
        from .registry_view import RegistryView
        from .services import reroute_on_change

        register(SignOff, Comment, RequestEvent)
        register(Request, **CONFIG_MASK)
        register_parts(Request, SignOff, Comment, RequestEvent, via="request")
        workflow.provide(RegistryView())
        active_approval_changed.connect(reroute_on_change, dispatch_uid="approvals-reroute")
