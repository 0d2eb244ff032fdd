"""`manage.py subject_request …`: data-subject requests from the command line (same services as the web).

    subject_request list [--overdue] [--org CODE]
    subject_request create PERSON_ID KIND [--details TEXT] [--channel TEXT]
    subject_request export REQUEST_ID --out FILE.zip        (answers an access request)
    subject_request correct REQUEST_ID field=value …
    subject_request erase REQUEST_ID
    subject_request withdraw REQUEST_ID [--purpose P …]
    subject_request refuse REQUEST_ID --reason TEXT
Every sub-command takes --user NAME (default: the superuser) and --format json.
"""
import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.management.acting import acting_user, organization
from privacy import services
from privacy.models import RequestKind, SubjectRequest
from registry.models import Person


def _row(r: SubjectRequest) -> dict:
    return {"id": r.pk, "person": r.person_id, "org": r.org.code, "kind": r.kind, "status": r.status,
            "received_at": r.received_at.isoformat(), "due_on": r.due_on.isoformat(), "overdue": r.overdue,
            "outcome": r.outcome}


class Command(BaseCommand):
    """List, record and answer data-subject requests."""

    help = "Data-subject requests (PIPL): list, create, export, correct, erase, withdraw, refuse."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list", "create", "export", "correct", "erase", "withdraw", "refuse"])
        parser.add_argument("args", nargs="*")
        parser.add_argument("--overdue", action="store_true")
        parser.add_argument("--org")
        parser.add_argument("--details", default="")
        parser.add_argument("--channel", default="")
        parser.add_argument("--out")
        parser.add_argument("--purpose", action="append", default=[])
        parser.add_argument("--reason", default="")
        parser.add_argument("--user")
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, action, user, format, **opts):
        by = acting_user(user)
        try:
            result = getattr(self, f"do_{action}")(by, list(args), opts)
        except (ValidationError, PermissionDenied) as e:
            raise CommandError("; ".join(e.messages) if isinstance(e, ValidationError) else str(e)) from None
        if format == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False))
        elif isinstance(result, list):
            for r in result:
                self.stdout.write(f"#{r['id']} {r['kind']} person {r['person']} due {r['due_on']} {r['status']}"
                                  + (" OVERDUE" if r["overdue"] else ""))
        else:
            self.stdout.write(f"#{result['id']} {result['kind']} {result['status']} {result['outcome']}")

    def _request(self, by, args) -> SubjectRequest:
        if not args or not args[0].isdigit():
            raise CommandError("give the request's id")
        obj = SubjectRequest.objects.visible_to(by).select_related("person", "org").filter(pk=int(args[0])).first()
        if obj is None:
            raise CommandError(f"no request {args[0]} visible to {by}")
        return obj

    def do_list(self, by, args, opts):
        """Requests visible to the user, soonest due first."""
        qs = SubjectRequest.objects.visible_to(by).select_related("org")
        qs = qs.overdue() if opts["overdue"] else qs
        org = organization(opts["org"])
        if org:
            qs = qs.filter(org__path__startswith=org.path)
        return [_row(r) for r in qs.order_by("due_on", "pk")]

    def do_create(self, by, args, opts):
        """Record a request."""
        if len(args) != 2 or not args[0].isdigit():
            raise CommandError(f"usage: create PERSON_ID KIND (KIND: {', '.join(RequestKind.values)})")
        person = Person.objects.visible_to(by).filter(pk=int(args[0])).first()
        if person is None:
            raise CommandError(f"no person {args[0]} visible to {by}")
        return _row(services.receive(by=by, person=person, kind=args[1], details=opts["details"],
                                     channel=opts["channel"]))

    def do_export(self, by, args, opts):
        """Answer an access request, writing the zip to --out."""
        if not opts["out"]:
            raise CommandError("--out FILE.zip is required")
        content, obj = services.fulfil_access(by=by, request=self._request(by, args))
        Path(opts["out"]).write_bytes(content)
        return {**_row(obj), "file": opts["out"]}

    def do_correct(self, by, args, opts):
        """Answer a correction request with field=value pairs."""
        obj = self._request(by, args)
        fields = {}
        for pair in args[1:]:
            if "=" not in pair:
                raise CommandError(f"expected field=value, got {pair!r}")
            key, value = pair.split("=", 1)
            fields[key] = value
        return _row(services.correct(by=by, request=obj, **fields))

    def do_erase(self, by, args, opts):
        """Answer a deletion request (anonymise)."""
        return _row(services.erase(by=by, request=self._request(by, args)))

    def do_withdraw(self, by, args, opts):
        """Answer a withdrawal request."""
        return _row(services.withdraw(by=by, request=self._request(by, args), purposes=opts["purpose"]))

    def do_refuse(self, by, args, opts):
        """Refuse a request with --reason."""
        return _row(services.refuse(by=by, request=self._request(by, args), reason=opts["reason"]))
