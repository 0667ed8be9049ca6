"""Dated delegation (issue 15 §2): a person hands their sign-off duty in one role to a named
colleague for a range of days (a holiday). Who may sign in a role on a request on a day, in
their own right or on behalf of whom (`standing`), and what a new delegation must be
(`delegation_problems`). Days are inclusive, in the portal's time zone (the caller's
`today`); a delegation ends by itself after its last day, or earlier when its delegator
ends it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from dataclasses import dataclass

from .routing import SIGNING_ROLES

# A delegation covers an absence, not a change of job: longer ones are a role change.
MAX_DAYS = 92


@dataclass(frozen=True)
class Grant:
    """A delegation as the rule reads it: people by id."""

    delegator: int
    delegate: int
    role: str
    starts: dt.date
    ends: dt.date
    ended: bool = False  # ended early by its delegator
    delegator_holds_role: bool = True  # read when the rule is asked; a leaver holds none

    def in_force(self, today: dt.date) -> bool:
        return (not self.ended and self.delegator_holds_role
                and self.starts <= today <= self.ends)


@dataclass(frozen=True)
class Standing:
    """May this person sign: in their own right (`on_behalf_of` None) or for a delegator;
    when not, `problem` says which rule refuses."""

    allowed: bool
    on_behalf_of: int | None = None
    problem: str = ""
    conflict: bool = False  # refused for what was signed already, not for who asks


def standing(*, signer: int, role: str, holds_role: bool, requester: int,
             signed: Collection[int], grants: Iterable[Grant], today: dt.date) -> Standing:
    """Who may sign `role` on a request filed by `requester` on `today`.

    `signed` holds everyone the request's current sign-offs count as: each signer and each
    person signed for. Never the requester; once per person, whether they signed or someone
    signed for them; in one's own role directly; else for the first delegator (by id) who
    delegated `role` to the signer for a range holding today, did not file the request
    (that would be self-approval by proxy) and has not signed it."""
    if signer == requester:
        return Standing(False, problem="the requester never signs off their own request")
    if signer in signed:
        return Standing(False, problem="one sign-off per person per request", conflict=True)
    if holds_role:
        return Standing(True)
    mine = [g for g in grants if g.delegate == signer and g.role == role]
    current = sorted((g for g in mine if g.in_force(today)), key=lambda g: g.delegator)
    if not current:
        if mine:
            return Standing(False, problem=f"your delegation of {role} is not in force on "
                                           f"{today.isoformat()} ({_ranges(mine)})")
        return Standing(False, problem=f"sign-off as {role} needs membership of {role} "
                                       "or a delegation of it to you")
    if all(g.delegator == requester for g in current):
        return Standing(False, problem="your delegator filed this request: signing for them "
                                       "would be self-approval by proxy")
    free = [g for g in current if g.delegator != requester and g.delegator not in signed]
    if not free:
        return Standing(False, problem="your delegator has signed this request already: "
                                       "one sign-off per person per request", conflict=True)
    return Standing(True, on_behalf_of=free[0].delegator)


def _ranges(grants: Iterable[Grant]) -> str:
    return "; ".join(
        f"{g.starts.isoformat()} to {g.ends.isoformat()}{', ended early' if g.ended else ''}"
        f"{'' if g.delegator_holds_role else ', the delegator no longer holds the role'}"
        for g in grants)


def delegation_problems(*, delegator: int, delegate: int | None, role: str,
                        starts: dt.date | None, ends: dt.date | None, today: dt.date,
                        delegator_roles: Collection[str], delegate_roles: Collection[str],
                        delegate_active: bool, existing: Iterable[Grant]) -> dict[str, str]:
    """What is wrong with a new delegation, by field (empty when nothing is). `existing`
    holds the delegator's delegations that have not been ended."""
    problems: dict[str, str] = {}
    if role not in SIGNING_ROLES:
        problems["role"] = f"choose one of {', '.join(SIGNING_ROLES)}"
    elif role not in delegator_roles:
        problems["role"] = f"you can delegate only a role you hold, and you do not hold {role}"
    if delegate is None or not delegate_active:
        problems["delegate"] = "name an active colleague by username"
    elif delegate == delegator:
        problems["delegate"] = "you cannot delegate to yourself: name a colleague"
    elif role in delegate_roles:
        problems["delegate"] = (f"they hold {role} already and sign in it in their own right: "
                                "name someone who does not")
    if starts is None:
        problems["starts"] = "give the first day, as YYYY-MM-DD"
    elif starts < today:
        problems["starts"] = f"the first day cannot be in the past (today is {today.isoformat()})"
    if ends is None:
        problems["ends"] = "give the last day, as YYYY-MM-DD"
    elif starts is not None and ends < starts:
        problems["ends"] = "the last day comes before the first: the range runs backwards"
    elif starts is not None and (ends - starts).days + 1 > MAX_DAYS:
        problems["ends"] = (f"a delegation lasts at most {MAX_DAYS} days "
                            f"({(ends - starts).days + 1} asked): a longer absence is a "
                            "change of roles")
    if problems:  # the overlap is worth telling only of days that are good otherwise
        return problems
    clash = [g for g in existing if g.delegator == delegator and g.role == role
             and not g.ended and g.starts <= ends and starts <= g.ends]
    if clash:
        problems["starts"] = (f"these days overlap your delegation of {role} from "
                              f"{clash[0].starts.isoformat()} to {clash[0].ends.isoformat()}: "
                              "end that one first or choose other days")
    return problems
