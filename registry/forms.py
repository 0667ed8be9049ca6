"""Forms of the export pages and the security team's revocation (which the registry service
carries out). The catalog's filters are approvals.filtersets.ServerFilterSet."""

from django import forms


class DiffForm(forms.Form):
    a = forms.IntegerField(label="From snapshot", min_value=1)
    b = forms.IntegerField(label="To snapshot", min_value=1)


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
