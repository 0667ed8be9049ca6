"""Run the background jobs of SPEC §8 once, in this process: for the embedded default (no
broker, no beat; call it from cron) and for an operator who wants a run now. Each job is
idempotent, so running it between scheduled runs sends and changes nothing twice."""

from django.core.management.base import BaseCommand, CommandError

from governance.celery import app

JOBS = {
    # In the order beat runs them in a day: expire what is due, then warn what is near.
    # By task name, as beat sends them (every app's tasks are registered at start).
    "expire": "registry.expire_approvals",
    "warn": "registry.warn_expiring_approvals",
    "overdue": "approvals.flag_overdue_requests",
    "review": "governance.review_cycle_reminder",
    "campaigns": "campaigns.run_campaigns",
    "export": "registry.build_export",
    "watch": "registry.watch_upstream_releases",
    "audit": "audit.verify_chain",
    "deliver": "approvals.deliver_notifications",
    "digest": "notifications.send_daily_digests",
}


class Command(BaseCommand):
    help = "Run the background jobs once, in-process (expire, warn, overdue, review, " \
           "campaigns, export, watch, audit, deliver, digest)."

    def add_arguments(self, parser):
        parser.add_argument("jobs", nargs="*", metavar="job",
                            help=f"the jobs to run: {', '.join(JOBS)} (default: all, in order)")

    def handle(self, *args, jobs=None, **options):
        unknown = sorted(set(jobs or ()) - set(JOBS))
        if unknown:
            raise CommandError(f"unknown job(s): {', '.join(unknown)}; the jobs are "
                               f"{', '.join(JOBS)}")
        for name in jobs or JOBS:
            kwargs = {"cause": "run_jobs"} if name == "export" else {}
            result = app.tasks[JOBS[name]].apply(kwargs=kwargs).get()
            self.stdout.write(f"{name}: {result}")
