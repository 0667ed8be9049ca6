"""The organisation's policy (SPEC §4) as pure functions of their inputs: nothing here
touches the database or imports Django. `governance.selectors.current_policy` turns the
rows administrators edit into the `routing.PolicyData` these functions take.

Callers import the module of the rule they need (`from governance.policy import versions`):

- `versions`: exact version pins, the versions named in a config's arguments, and the
  classification of a bump as patch, minor or major (rules 1 and 4).
- `routing`: the policy's data (`PolicyData`), who signs off, by when and with what
  evidence (`route_for`), data scopes and denial at submission (rules 2, 3, 4, 6).
- `validity`: how long an approval lasts, by risk (rule 7).
- `secrets`: values and arguments that look like credentials (rule 8).
- `characters`: control, bidirectional and zero-width characters (rule 11).
- `remote`: the one concrete https endpoint a remote server's URL must be (rule 11).
- `configs`: the shape of a Claude Code server config, checked field by field.
- `identity`: what a config runs, and keeping it across bumps and renewals (rule 12).
- `names`: the names a request gives: server, source, package, choices.
- `tools`: tool-level approval: the tool names an approval excludes, how they carry
  over to the next approval, and the Claude Code deny rules they become.
- `delegation`: who may sign in a role on a request on a day, in their own right or on
  behalf of a delegator, and what a new delegation must be (issue 15).
"""
