"""Forms of the export pages and the security team's revocation (which the registry service
carries out). The catalog's filters are approvals.filtersets.ServerFilterSet."""

from django import forms
from django.utils import timezone

from .models import ExportSnapshot

LISTED_SNAPSHOTS = 200  # the newest, in the lists; an older one asked for by its link too


class SnapshotField(forms.TypedChoiceField):
    def validate(self, value):
        if value not in self.empty_values and not self.valid_value(value):
            raise forms.ValidationError(
                f"there is no snapshot #{value}: pick one from the list", code="invalid_choice")
        super().validate(value)


def snapshot_label(snapshot) -> str:
    when = timezone.localtime(snapshot.created_at).strftime("%Y-%m-%d %H:%M")
    cause = snapshot.cause if len(snapshot.cause) <= 50 else f"{snapshot.cause[:49]}…"
    return f"#{snapshot.pk} · {when} · {cause}"


class DiffForm(forms.Form):
    """Two snapshots picked from lists (newest first), the older one first. A snapshot
    that does not exist, the same one twice, or the newer one first is refused, saying so."""

    a = SnapshotField(label="From snapshot (older)", coerce=int,
                      error_messages={"required": "pick the older snapshot from the list"})
    b = SnapshotField(label="To snapshot (newer)", coerce=int,
                      error_messages={"required": "pick the newer snapshot from the list"})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        asked = [int(v) for v in (self.data.get("a"), self.data.get("b"))
                 if isinstance(v, str) and v.isdigit() and len(v) < 19]
        fields = ("pk", "created_at", "cause")
        listed = list(ExportSnapshot.objects.only(*fields)
                      .order_by("-created_at", "-id")[:LISTED_SNAPSHOTS])
        have = {s.pk for s in listed}
        listed += [s for s in ExportSnapshot.objects.only(*fields).filter(pk__in=asked)
                   if s.pk not in have]
        listed.sort(key=lambda s: (s.created_at, s.pk), reverse=True)
        self.snapshots = {s.pk: s for s in listed}
        choices = [(s.pk, snapshot_label(s)) for s in listed]
        for name in ("a", "b"):
            self.fields[name].choices = choices

    def clean(self):
        data = super().clean()
        a, b = self.snapshots.get(data.get("a")), self.snapshots.get(data.get("b"))
        if a is not None and b is not None:
            if a.pk == b.pk:
                self.add_error("b", f"pick two different snapshots (both are #{a.pk})")
            elif (a.created_at, a.pk) > (b.created_at, b.pk):
                self.add_error("a", f"#{a.pk} is newer than #{b.pk}: pick the older one here "
                                    "(or swap them)")
        return data


class RevokeReasonForm(forms.Form):
    """Why an approval is revoked (the admin's revoke action asks only this)."""

    reason = forms.CharField(
        label="Why revoke it?", max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required. An incident, a CVE...: the requester, the approvers, the security "
                  "and platform teams are told, and it is kept in the audit trail.")


class RevokeForm(RevokeReasonForm):
    """Revoke a server's active approval (security team). The approval's id says which one
    the person looked at: if a bump replaced it meanwhile, the service refuses."""

    # Bounded as the database's ids are: a larger number is a clear error, not a 500.
    approval = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)


class OwnerForm(forms.Form):
    """Name the approval's owner, told of its upstream releases (security team)."""

    approval = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    owner = forms.CharField(label="Owner (username)", max_length=150,
                            help_text="Told once per new release upstream; by default the "
                                      "person who requested the approval.")
