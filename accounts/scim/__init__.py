"""SCIM 2.0 for the company's identity provider (SPEC §10), on django-scim2: the calls Okta
and Entra ID make to provision and deprovision, with a bearer token administrators make.

- Users are portal users; their SCIM `id` is the user's id and their `externalId` the
  stable identifier that sign-in matches (ExternalIdentity.subject), so that the account
  SCIM makes is the one the person signs in to (`users`).
- `active: false` (PATCH or PUT) and DELETE deactivate through accounts.identity: the row
  stays, sign-in and API tokens stop at once, the workflow hands the work back.
- Groups are DirectoryGroups; membership maps to roles as the groups claim does (`groups`).
- Every call is an IdentityEvent in the audit trail; a refused one gets a SCIM error
  document and changes nothing; only the provider's users are in reach (`auth`).
- `filters`: the filters providers send; `values`: reading SCIM values.

The settings name these modules (SCIM_SERVICE_PROVIDER). Nothing is imported here:
django-scim2's adapters module imports `filters` through the settings while it loads, and
`users` and `groups` import that module."""
