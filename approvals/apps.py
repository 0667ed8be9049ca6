from django.apps import AppConfig


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = "Requests and sign-offs"

    def ready(self):
        # Models can be imported only once every app is loaded, hence here.
        from django.db.models.signals import post_delete, post_save

        from audit.registration import CONFIG_MASK, register
        from audit.trail import register_parts
        from governance.models import (
            CapabilityRule,
            DataClassification,
            Organisation,
            RiskValidity,
            VersionBumpRule,
        )
        from registry import workflow
        from registry.signals import active_approval_changed

        from .models import Comment, Request, RequestEvent, SignOff
        from .registry_view import RegistryView
        from .services import reroute_on_change
        from .waiting import forget_routing_policy

        register(SignOff, Comment, RequestEvent)
        register(Request, **CONFIG_MASK)
        register_parts(Request, SignOff, Comment, RequestEvent, via="request")
        workflow.provide(RegistryView())
        active_approval_changed.connect(reroute_on_change, dispatch_uid="approvals-reroute")
        # The routing policy is cached for the count of what waits on each reader.
        for model in (Organisation, VersionBumpRule, RiskValidity, DataClassification,
                      CapabilityRule):
            for verb, signal in (("saved", post_save), ("deleted", post_delete)):
                signal.connect(forget_routing_policy, sender=model,
                               dispatch_uid=f"approvals-policy-{model.__name__}-{verb}")
