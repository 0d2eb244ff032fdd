"""`manage.py pairing run PROGRAMME [--k K] [--confirm] [--format json]`: run the optimizer of a programme.

`manage.py pairing bench [--large]` prints the optimizer's benchmark figures (pairing.bench) as JSON.

Prints the objective (beside the greedy total), the pairs made and the unpaired with the reason.
Acts as the superuser or `--user NAME`, through pairing.services like the web and the API.
"""
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.management.acting import acting_user
from core.scoping import VIEW
from pairing import services
from pairing.models import Program


class Command(BaseCommand):
    """Run a pairing programme's optimizer and print the outcome."""

    help = "Run the pairing optimizer of a programme (by code or id) and print the pairs and the unpaired."

    def add_arguments(self, parser):
        """run PROGRAMME, the K of candidate pruning, confirming, the acting user, the output format."""
        parser.add_argument("action", choices=["run", "bench"])
        parser.add_argument("program", nargs="?", help="programme code or id")
        parser.add_argument("--k", type=int, default=None, help="keep each beneficiary's best K candidates")
        parser.add_argument("--confirm", action="store_true", help="confirm every proposal into locked pairs")
        parser.add_argument("--user", help="act as this user (default: the superuser)")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--large", action="store_true", help="bench: also 100,000 × 1,000,000 with K = 10")

    def handle(self, *args, action, program, k, confirm, user, format, large, **options):
        """Run, optionally confirm, print (or print the benchmark figures)."""
        if action == "bench":
            from pairing import bench

            self.stdout.write(json.dumps(bench.run(large=large), ensure_ascii=False))
            return
        if not program:
            raise CommandError("name the programme: manage.py pairing run PROGRAMME")
        by = acting_user(user)
        qs = Program.objects.visible_to(by, VIEW)
        found = qs.filter(code=program).first() or (qs.filter(pk=int(program)).first() if program.isdigit() else None)
        if found is None:
            raise CommandError(f"no programme {program!r} in the scope of {by}")
        try:
            run = services.run_program(by=by, program=found, k=k)
            if confirm and run.status == "done":
                services.confirm_proposals(by=by, run=run)
        except (ValidationError, PermissionDenied) as e:
            raise CommandError(" ".join(getattr(e, "messages", [str(e)]))) from e
        names = dict(found.participants.values_list("pk", "name"))
        pairs = [
            {"helper": names.get(h), "helper_id": h, "beneficiary": names.get(b), "beneficiary_id": b,
             "score": s, "locked": lk, "components": c}
            for h, b, s, lk, c in run.proposals.order_by("-score", "pk").values_list(
                "helper_id", "beneficiary_id", "score", "locked", "components")
        ]
        out = {
            "program": found.code, "run": run.number, "status": run.status, "objective": run.objective,
            "greedy_objective": run.greedy_objective, "gain_percent": run.gain, "candidates": run.candidates,
            "pruned_k": run.pruned_k, "pairs_made": run.pairs, "pairs": pairs,
            "unpaired": [{k_: v for k_, v in row.items() if k_ != "reason_text"} | {"explanation": row["reason_text"]}
                         for row in services.unpaired_rows(run)],
            "error": run.result.get("error"), "seconds": run.seconds,
        }
        if format == "json":
            self.stdout.write(json.dumps(out, ensure_ascii=False))
            return
        if out["error"]:
            self.stdout.write(f"无法求解：{out['error']}")
            return
        self.stdout.write(f"{found.name} 第{run.number}次匹配：总分 {run.objective}（贪心法 {run.greedy_objective}），"
                          f"结对 {run.pairs} 对，候选 {run.candidates} 对"
                          + (f"，每个受助方保留最好的 {run.pruned_k} 个候选" if run.pruned_k else ""))
        for p in pairs:
            self.stdout.write(f"  {p['helper']} — {p['beneficiary']}  {p['score']:.3f}" + ("  [锁定]" if p["locked"] else ""))
        for u in out["unpaired"]:
            self.stdout.write(f"  未结对：{u['name']}（{u['side']}）：{u['explanation']}")
