"""manage.py verify_audit: walk the audit trail's hash chain; exit 1 naming the first entry
changed, removed or inserted, or when a head kept elsewhere (--head POSITION:HASH, from the
daily mail) no longer matches the chain at its position. The heads the daily check
published (audit_chaincheckpoint, signed) are compared too."""

from django.core.management.base import BaseCommand, CommandError

from audit.models import ChainLink
from audit.publish import verify_against_published


def _head(text: str) -> tuple[int, str]:
    position, _, hash_ = text.partition(":")
    if not position.isdigit() or len(hash_) != 64:
        raise CommandError(f"--head {text!r}: give POSITION:HASH as in the daily mail, e.g. "
                           "4790:3f1c... (the position, a colon, the 64 hex digits).")
    return int(position), hash_.lower()


class Command(BaseCommand):
    help = ("Check the audit trail's hash chain from its start; names the first entry that "
            "was changed, removed or inserted, and exits non-zero when there is one.")

    def add_arguments(self, parser):
        parser.add_argument("--head", action="append", default=[], metavar="POSITION:HASH",
                            help="a published head kept outside the database: the chain "
                                 "must still carry this hash at this position (repeatable)")

    def handle(self, *args, **options):
        heads = [_head(text) for text in options["head"]]
        verdict = verify_against_published()
        if not verdict.ok:
            raise CommandError(f"The audit chain is broken: {verdict.problem}. "
                               f"{verdict.checked} entries checked before it.")
        for position, hash_ in heads:
            found = ChainLink.objects.filter(seq=position).values_list("hash", flat=True)
            if list(found) != [hash_]:
                raise CommandError(
                    f"The audit chain was rewritten: the head published for position "
                    f"{position} was {hash_}, the chain now has "
                    f"{found[0] if found else 'no such position'} there.")
        self.stdout.write(f"The audit chain is intact: {verdict.checked} entries, head "
                          f"{verdict.head_hash} at position {verdict.head_seq}"
                          + (f"; {len(heads)} kept head(s) match." if heads else "."))
