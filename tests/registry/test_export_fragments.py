"""A build keeps each registry YAML entry it writes (registry.services.fragments) and the
next build takes it back only while it is the entry of the approval as it is now: the
files are the same bytes as files written whole, whatever changed the approvals and
whatever changed the kept texts."""

import pytest
from django.test import override_settings
from django.utils import timezone

from registry import selectors, services
from registry.models import Approval, ExportFragment
from tests.factories import ApprovalFactory, ServerFactory
from tests.registry.test_export_build import reference_files

pytestmark = pytest.mark.django_db


def built_yaml() -> str:
    """The registry YAML of the current snapshot, as served."""
    services.build_export(cause="test")
    return selectors.latest_snapshot().registry_yaml


def reference_yaml() -> str:
    return reference_files(timezone.localdate())["mcp-registry.yaml"]


@pytest.fixture
def approvals():
    return [ApprovalFactory(server=ServerFactory(name=f"srv-{n}"), version=f"1.{n}.0")
            for n in range(4)]


def test_a_build_keeps_each_entry_and_the_next_takes_back_the_unchanged_ones(approvals):
    services.build_export(cause="first")
    kept = dict(ExportFragment.objects.values_list("approval_id", "text"))
    assert set(kept) == {a.pk for a in approvals}
    assert all(f"name: srv-{n}" in kept[a.pk] for n, a in enumerate(approvals))
    # A change by a bulk update (no signal, no save): the entry is written anew.
    Approval.objects.filter(pk=approvals[1].pk).update(rationale="Changed behind its back.")
    services.build_export(cause="second")
    after = dict(ExportFragment.objects.values_list("approval_id", "text"))
    assert "Changed behind its back." in after[approvals[1].pk]
    assert {pk: text for pk, text in after.items() if pk != approvals[1].pk} == {
        pk: text for pk, text in kept.items() if pk != approvals[1].pk}
    assert built_yaml() == reference_yaml()


def test_a_kept_text_changed_in_the_database_is_never_used(approvals):
    services.build_export(cause="first")
    ExportFragment.objects.filter(approval=approvals[2]).update(
        text="  - name: smuggled\n    version: 6.6.6\n")
    services.build_export(cause="after the edit")  # an edit alone changes no file
    yaml = built_yaml()
    assert "smuggled" not in yaml and yaml == reference_yaml()
    Approval.objects.filter(pk=approvals[0].pk).update(version="9.9.9")
    assert services.build_export(cause="a change") is not None
    assert "smuggled" not in ExportFragment.objects.get(approval=approvals[2]).text
    assert built_yaml() == reference_yaml()


def test_a_new_secret_key_writes_every_entry_once_more(approvals):
    services.build_export(cause="first")
    before = dict(ExportFragment.objects.values_list("approval_id", "seal"))
    with override_settings(SECRET_KEY="another-" + "k" * 50):
        Approval.objects.filter(pk=approvals[0].pk).update(version="2.0.0")
        services.build_export(cause="rotated")
        after = dict(ExportFragment.objects.values_list("approval_id", "seal"))
        assert all(bytes(after[pk]) != bytes(before[pk]) for pk in before)
        assert built_yaml() == reference_yaml()
