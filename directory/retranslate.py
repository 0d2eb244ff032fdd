"""After staff add a glossary word, the products that contain it are translated and indexed again.

A product's machine-made English (and the English words search finds it by) was written with the
glossary of the day it was saved; a word added later reaches those products through this job,
which finds them through the search index (the Chinese word is already indexed) instead of
reading every product.
"""
from __future__ import annotations

from core import jobs, search
from core.models import Job

BATCH = 500
LIMIT = 5_000_000


def start(*, by, zh: str) -> Job:
    """Queue the job for the products whose Chinese text holds `zh` (run by the worker after commit)."""
    from django.utils.translation import gettext as _

    return jobs.start("directory.retranslate", by=by, title=_("按新词汇重新翻译产品：%(w)s") % {"w": zh},
                      params={"zh": zh})


@jobs.handler("directory.retranslate")
def retranslate_job(job: Job, ctx: jobs.JobContext) -> dict:
    """Refill the machine-made English of the matching products and index them again, in batches."""
    from directory.models import Product
    from directory.services import fill_translations

    ids = search.matching_ids("directory.product", job.params["zh"], None, LIMIT)
    changed = 0
    for start in range(0, len(ids), BATCH):
        products = list(Product.objects.filter(pk__in=ids[start:start + BATCH]).select_related("enterprise",
                                                                                            "category"))
        for product in products:
            before = product.translations
            fill_translations(product)
            changed += product.translations != before
        Product.objects.bulk_update(products, ["translations"])
        search.index(products)
        ctx.progress(min(start + BATCH, len(ids)), len(ids))
    return {"products": len(ids), "translated": changed}
