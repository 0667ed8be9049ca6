"""The jobs at scale (SPEC §8): expiring 10,000 due approvals in under a second with a
query count that does not grow with them; the expiry-warning scan over 50,000 approvals in
under 2 seconds (and its second run, with nothing left to warn, faster still)."""

import datetime as dt
import time

from harness import count_queries, report, seed_approvals, setup_django


def main():
    setup_django()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from audit.actors import system_user
    from governance.celery import app
    from notifications.approval_notices import warn_expiring_approvals
    from registry.models import Approval, RegistryRevision
    from registry.services import expire_due_approvals

    # The export rebuild is queued after commit, as in production, not run inside the job.
    app.conf.update(task_always_eager=False, broker_url="memory://")
    system_user()
    RegistryRevision.load()  # made once, by the first change of a new database
    today = timezone.localdate()

    # Expiry: the query count with 100 due approvals equals the one with 10,000.
    seed_approvals(100, expires_in_days=-1, prefix="small")
    ContentType.objects.clear_cache()
    small = count_queries(lambda: expire_due_approvals(today=today))
    seed_approvals(10_000, expires_in_days=-1, prefix="due")
    ContentType.objects.clear_cache()
    start = time.perf_counter()
    large = count_queries(lambda: expire_due_approvals(today=today))
    seconds = time.perf_counter() - start
    expired = Approval.objects.filter(status="expired").count()
    report("expire: queries, 100 vs 10,000 due approvals", f"{small} vs {large}", "equal",
           small == large)
    report(f"expire 10,000 due approvals ({expired} expired)", f"{seconds:.3f} s", "< 1 s",
           seconds < 1 and expired == 10_100)

    # Warnings: 50,000 active approvals, expiries spread over a year; 2 approvers each and a
    # security team of 3, so each warning goes to 5 people.
    security, _ = Group.objects.get_or_create(name="security_team")
    users = get_user_model().objects.bulk_create(
        [get_user_model()(username=f"bench-user-{n}", email=f"u{n}@company.com")
         for n in range(23)])
    security.user_set.add(*users[:3])
    for part in range(10):
        seed_approvals(5_000, prefix=f"warn{part}", expires_in_days=1)
    active = list(Approval.objects.filter(status="active").values_list("pk", flat=True))
    # Spread the expiries with one update per day rather than one per row.
    by_day = {}
    for n, pk in enumerate(active):
        by_day.setdefault(n % 365, []).append(pk)
    for day, ids in by_day.items():
        for start_at in range(0, len(ids), 900):
            Approval.objects.filter(pk__in=ids[start_at:start_at + 900]).update(
                expires=today + dt.timedelta(days=day))
    through = Approval.approvers.through
    through.objects.bulk_create(
        [through(approval_id=pk, user_id=users[3 + (n + k) % 20].pk)
         for n, pk in enumerate(active) for k in (0, 1)], batch_size=5000)
    due = Approval.objects.filter(status="active",
                                  expires__lte=today + dt.timedelta(days=30)).count()

    start = time.perf_counter()
    warned = warn_expiring_approvals(today=today)
    first = time.perf_counter() - start
    start = time.perf_counter()
    again = warn_expiring_approvals(today=today)
    second = time.perf_counter() - start
    report(f"warning scan, 50,000 approvals ({warned} of {due} due warned)",
           f"{first:.3f} s", "< 2 s", first < 2 and warned == due)
    report(f"warning scan again ({again} new warnings)", f"{second:.3f} s", "< 2 s",
           second < 2 and again == 0)


if __name__ == "__main__":
    main()
