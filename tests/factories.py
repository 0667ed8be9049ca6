"""factory_boy factories for the domain; users get their roles as real groups."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from approvals.models import Request
from registry.models import Approval, Server


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@company.com")
    password = factory.PostGenerationMethodCall("set_password", "pw-for-tests-1")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            self.groups.add(*(Group.objects.get_or_create(name=r)[0] for r in extracted))
            self._portal_roles = None
            del self._portal_roles
        if create:
            self.save()


class ServerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Server
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"server-{n}")
    source = "https://github.com/example/mcp"
    package_registry = "npm"
    package = factory.LazyAttribute(lambda s: f"@example/{s.name}")


def stdio_config(package: str, version: str) -> dict:
    return {"command": "npx", "args": ["-y", f"{package}@{version}"], "env": {}}


class ApprovalFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Approval

    server = factory.SubFactory(ServerFactory)
    version = "1.2.3"
    data_scope = "INTERNAL"
    risk = "LOW"
    rationale = "Read-only lookups."
    config = factory.LazyAttribute(lambda a: stdio_config(a.server.package, a.version))
    approved_by = "john.doe@company.com"
    approved_date = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    expires = factory.LazyAttribute(lambda a: a.approved_date + dt.timedelta(days=180))
    status = Approval.Status.ACTIVE


class RequestFactory(factory.django.DjangoModelFactory):
    """A request written directly (for selectors and pages); rules are tested through the
    workflow service, which the `file` fixture in conftest uses."""

    class Meta:
        model = Request

    kind = "new_server"
    server = factory.SubFactory(ServerFactory)
    version = "1.0.0"
    requester = factory.SubFactory(UserFactory)
    proposed_data_scope = "INTERNAL"
    use_case = "Look things up."
    config = factory.LazyAttribute(lambda r: stdio_config(r.server.package, r.version))
    expected_decision = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))
