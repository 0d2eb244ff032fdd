"""`manage.py rotate_keys`: re-encrypt personal data with the current key and refresh the lookup hashes.

Rotation of the data key:

1. `manage.py rotate_keys --generate` prints a new `id:key` entry;
2. put it FIRST in SHANGHUI_DATA_KEYS, keeping the old entries after it, and restart
   Shanghui: new values are written with the new key, old ones still read;
3. `manage.py rotate_keys` re-encrypts every value still under an older key;
4. once it reports no value left under the old key, remove the old entry.

Step 3 also re-encrypts values kept sealed outside encrypted columns: every app whose config has a
`reseal(batch)` method (the portal: numbers in members' proposed changes) is asked to, and reports.

Without SHANGHUI_DATA_KEYS (keys in var/data_keys), `--new-key` does steps 1–3 at once.
After a change of SHANGHUI_LOOKUP_KEY the same run recomputes every lookup hash (exact
lookups miss the rows not yet done until it finishes).

The work goes in batches of `--batch` rows, each in its own transaction, so an interrupted
run leaves every row either done or untouched and a second run finishes the job
(idempotent: a value already under the current key with the right hash is not rewritten).
"""
from __future__ import annotations

import json
from collections import Counter

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from core import crypto
from core.fields import EncryptedCharField


def encrypted_models() -> list[tuple[type, list[EncryptedCharField]]]:
    """Every installed model with encrypted fields, and those fields."""
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedCharField)]
        if fields:
            found.append((model, fields))
    return found


def rotate_model(model, fields, batch: int = 1000, progress=None) -> dict:
    """Re-encrypt one model's encrypted columns under the current key and recompute their hashes.

    Reads the stored ciphertexts with plain SQL (their key ids are needed), in keyset pages;
    each page's rewrites are one transaction. Returns counts: rows, values, reencrypted, rehashed
    and the key ids found before the run (`keys_before`).
    """
    ring = crypto.keyring()
    qn = connection.ops.quote_name
    table, pk = qn(model._meta.db_table), qn(model._meta.pk.column)
    columns = []
    for f in fields:
        columns.append(qn(f.column))
        columns.append(qn(model._meta.get_field(f.hash_field).column) if f.hash_field else "NULL")
    select = f"SELECT {pk}, {', '.join(columns)} FROM {table} WHERE {pk} > %s ORDER BY {pk} LIMIT %s"
    sets = [f"{qn(f.column)} = %s" for f in fields]
    sets += [f"{qn(model._meta.get_field(f.hash_field).column)} = %s" for f in fields if f.hash_field]
    update = f"UPDATE {table} SET {', '.join(sets)} WHERE {pk} = %s"
    counts = {"rows": 0, "values": 0, "reencrypted": 0, "rehashed": 0}
    keys_before: Counter = Counter()
    last = None
    while True:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(select, [last if last is not None else _lowest(model), batch])
                page = cursor.fetchall()
            if not page:
                break
            updates = []
            for row in page:
                values, hashes, changed = [], [], False
                for i, f in enumerate(fields):
                    stored, stored_hash = row[1 + 2 * i], row[2 + 2 * i]
                    if stored in (None, ""):
                        values.append(stored)
                        new_hash = None
                    else:
                        counts["values"] += 1
                        kid = crypto.key_id_of(stored)
                        keys_before[kid] += 1
                        clear = crypto.decrypt(stored)
                        if kid != ring.current_id:
                            stored = crypto.encrypt(clear)
                            counts["reencrypted"] += 1
                            changed = True
                        values.append(stored)
                        new_hash = crypto.lookup_hash(clear)
                    if f.hash_field:
                        if new_hash != stored_hash:
                            counts["rehashed"] += 1
                            changed = True
                        hashes.append(new_hash)
                if changed:
                    updates.append([*values, *hashes, row[0]])
            if updates:
                with connection.cursor() as cursor:
                    cursor.executemany(update, updates)
            counts["rows"] += len(page)
            last = page[-1][0]
        if progress:
            progress(model, counts["rows"])
        if len(page) < batch:
            break
    counts["keys_before"] = dict(keys_before)
    return counts


def _lowest(model):
    """A key below every primary key (integers here; '' for text keys)."""
    return -1 if model._meta.pk.get_internal_type() in {"AutoField", "BigAutoField", "IntegerField",
                                                         "BigIntegerField", "SmallAutoField"} else ""


class Command(BaseCommand):
    """Re-encrypt every ID and passport number with the current data key; refresh lookup hashes."""

    help = _("用当前数据密钥重新加密全部身份证号、护照号，并重算查询散列；--generate 生成新密钥。")

    def add_arguments(self, parser):
        """--generate, --new-key, --batch and --format."""
        parser.add_argument("--generate", action="store_true",
                            help=_("只生成一条新密钥（id:key），供放在 SHANGHUI_DATA_KEYS 最前面"))
        parser.add_argument("--new-key", action="store_true",
                            help=_("未设置 SHANGHUI_DATA_KEYS 时：在 var/data_keys 中加入新密钥并立即轮换"))
        parser.add_argument("--batch", type=int, default=1000, help=_("每批行数（每批一个事务，默认 1000）"))
        parser.add_argument("--format", choices=["text", "json"], default="text", help=_("输出格式"))

    def handle(self, *args, generate, new_key, batch, format, **options):
        """Rotate and report counts per model."""
        if generate:
            self.stdout.write(crypto.new_data_key())
            return
        if batch < 1:
            raise CommandError(_("--batch 必须是正整数。"))
        ring = crypto.keyring()
        if new_key:
            if ring.source != "file":
                raise CommandError(_("密钥来自环境变量 SHANGHUI_DATA_KEYS：请用 --generate 生成新密钥，"
                                     "放在该变量最前面并重启后，再运行本命令。"))
            path = crypto.data_keys_file()
            path.write_text(crypto.new_data_key() + "," + path.read_text().strip() + "\n")
            ring = crypto.reload()

        def progress(model, rows):
            if format == "text":
                self.stderr.write(f"{model._meta.label}: {rows}")

        report = {"current_key": ring.current_id, "keys": ring.key_ids, "models": {}}
        for model, fields in encrypted_models():
            report["models"][model._meta.label] = rotate_model(model, fields, batch, progress)
        report["sealed"] = {config.label: config.reseal(batch) for config in apps.get_app_configs()
                            if callable(getattr(config, "reseal", None))}
        totals = Counter()
        for counts in report["models"].values():
            totals.update({k: v for k, v in counts.items() if isinstance(v, int)})
        report["totals"] = dict(totals)
        if format == "json":
            self.stdout.write(json.dumps(report, ensure_ascii=False))
            return
        self.stdout.write(_("当前密钥 %(k)s：%(r)s 行，%(v)s 个加密值，重新加密 %(e)s 个，重算散列 %(h)s 个。")
                          % {"k": ring.current_id, "r": totals["rows"], "v": totals["values"],
                             "e": totals["reencrypted"], "h": totals["rehashed"]})
        for label, counts in report["models"].items():
            self.stdout.write(f"  {label}: {counts['rows']} / {counts['values']} / {counts['reencrypted']} / "
                              f"{counts['rehashed']}  {counts['keys_before']}")
        for label, counts in report["sealed"].items():
            self.stdout.write(_("  %(app)s 中另行加密保存的值：检查 %(r)s 行，重新加密 %(s)s 行  %(k)s")
                              % {"app": label, "r": counts["rows"], "s": counts["resealed"],
                                 "k": counts["keys_before"]})
