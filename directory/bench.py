"""Benchmark of the directory for `manage.py bench` (and `manage.py directory_bench`).

Fills the database up to `products` synthetic products (names from the glossary: a material or
attribute and a good, 真丝 + 围巾; categories from the glossary), spread over enterprises of the
organization tree, with their search entries; vectors are those of a few thousand distinct names
encoded by the real encoder plus small noise, written straight to the vector files (encoding two
million names would take hours and measure the encoder, not the search). Then it times, through
Django's test client with a token or a session, as a user of the whole tree:
product search through the API, faceted search through the API, matching one demand, and the
public catalogue page.
"""
from __future__ import annotations

import random
import time

import numpy as np
from django.db import connection, transaction

from directory import glossary

MODIFIERS = ["真丝", "纯棉", "羊毛", "塑料", "不锈钢", "玻璃", "陶瓷", "木制", "硅胶", "合金", "纯银", "皮革", "帆布",
             "儿童", "女士", "男士", "卡通", "防水", "便携", "折叠", "印花", "刺绣", "复古", "时尚", "迷你", "环保"]
QUERIES = ["围巾", "圍巾", "weijin", "scarf", "保温杯", "silk", "积木", "cartoon", "手机壳", "stainless steel"]
FACETED = [{"q": "围巾", "price": "20-100"}, {"q": "toy", "category": "toys"}, {"q": "杯", "country": "CN"},
           {"q": "backpack", "certification": "CE"}]
DEMANDS = [("silk scarf", "en"), ("bufanda de seda", "es"), ("stainless steel thermos", "en"),
           ("plastic building blocks for kids", "en"), ("шелковый шарф", "ru"), ("phone case", "en"),
           ("mochila escolar", "es"), ("christmas tree decorations", "en")]


def _goods():
    """(Chinese good, category code) pairs of the glossary whose category is a second-level one."""
    from directory.models import Category

    second = set(Category.objects.filter(parent__isnull=False).values_list("code", flat=True))
    return [(e.zh, e.category) for e in glossary.get().entries.values() if e.category in second and len(e.zh) >= 2]


def timed(fn, repeat: int, warmup: int = 2) -> dict:
    """p50/p95 in milliseconds of fn(i) over `repeat` calls."""
    for i in range(warmup):
        fn(i)
    samples, cpu = [], []
    for i in range(repeat):
        started, cpu_started = time.perf_counter(), time.process_time()
        fn(i)
        samples.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - cpu_started) * 1000)
    samples.sort()
    cpu.sort()

    def pct(values, q):
        return round(values[min(len(values) - 1, int(len(values) * q))], 1)

    # CPU time of this process beside the wall clock: on the shared machine the wall clock also
    # counts other engineers' work (PostgreSQL's own CPU is in its server processes, not here).
    return {"p50_ms": pct(samples, 0.5), "p95_ms": pct(samples, 0.95), "cpu_p50_ms": pct(cpu, 0.5),
            "cpu_p95_ms": pct(cpu, 0.95), "n": repeat}


def fill(products: int, log=print, seed: int = 7) -> dict:
    """Add synthetic products until there are `products`; returns what was built and how long it took."""
    from core import search
    from core.importing.sheets import insert
    from core.models import SearchEntry
    from directory import categories, vectors
    from directory.encoder import get_encoder
    from directory.models import Category, Product
    from directory.sheets import insert_products
    from orgs.models import Organization
    from registry.models import Enterprise

    categories.ensure()
    have = Product.objects.count()
    if have >= products:
        return {"products": have, "added": 0}
    started = time.monotonic()
    rng = random.Random(seed)
    cats = {c.code: c for c in Category.objects.all()}
    goods = _goods()
    enterprises = list(Enterprise.objects.select_related("org").order_by("pk")[:50_000])
    if not enterprises:
        root = Organization.objects.filter(depth=1).order_by("path").first()
        if root is None:
            root = Organization.add_root(code="bench-dir", name="目录基准测试商会", kind="chamber")
        made = [Enterprise(org=root, name=f"义乌基准商贸{i}号有限公司", country=rng.choice(["CN"] * 8 + ["IT", "ES"]))
                for i in range(2000)]
        with transaction.atomic():
            insert(Enterprise, made)
        enterprises = list(Enterprise.objects.select_related("org").order_by("pk"))
    names = sorted({m + g for m in MODIFIERS for g, _c in goods})
    rng.shuffle(names)
    names = names[:3000]
    log(f"directory: encoding {len(names)} distinct names ...")
    encoder = get_encoder()
    templates = encoder.encode(names) if encoder.available else np.zeros((len(names), 512), np.float32)
    category_of = {m + g: c for m in MODIFIERS for g, c in goods}
    certs = ["", "", "CE", "CE,EN71", "FDA", "OEKO-TEX", "RoHS", "LFGB"]
    entry = search.REGISTRY["directory.product"]
    nprng = np.random.default_rng(seed)
    ids_all, cats_all, vecs_all = [], [], []
    batch = 20_000
    for start in range(have, products, batch):
        rows = []
        for i in range(start, min(products, start + batch)):
            t = rng.randrange(len(names))
            e = enterprises[i % len(enterprises)]
            c = cats[category_of[names[t]]]
            price = round(rng.lognormvariate(2.5, 1.0), 2)
            p = Product(org=e.org, enterprise=e, code=f"B{i}", name=names[t], description=f"{names[t]}，义乌工厂直供",
                        category=c, min_order=rng.choice([10, 50, 100, 500, 1000]), unit="件", price_min=price,
                        price_max=round(price * 1.3, 2), currency="CNY", certifications=rng.choice(certs),
                        status="published" if rng.random() < 0.95 else "hidden", country=e.country or "CN",
                        translations={})
            p._template = t
            rows.append(p)
        with transaction.atomic():
            insert_products(rows)
            with search.bulk_loading():
                entries = [SearchEntry(model="directory.product", object_id=p.pk, tokens=search.document(p, entry))
                           for p in rows]
                insert(SearchEntry, entries)
        published = [p for p in rows if p.status == "published"]
        noise = nprng.normal(0, 0.03, (len(published), templates.shape[1])).astype(np.float32)
        v = templates[[p._template for p in published]] + noise
        v /= np.linalg.norm(v, axis=1, keepdims=True)
        ids_all.append(np.asarray([p.pk for p in published], np.int64))
        cats_all.append(np.asarray([p.category_id for p in published], np.int64))
        vecs_all.append(v.astype(np.float16))
        log(f"directory: {start + len(rows):,} products")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE directory_product; ANALYZE core_searchentry")
    # Vectors of products stored earlier (by the services) join those of the synthetic ones.
    earlier = Product.objects.filter(status="published", vector__isnull=False).values_list(
        "pk", "category_id", "vector")
    for pk, cat, vector in earlier:
        ids_all.append(np.asarray([pk], np.int64))
        cats_all.append(np.asarray([cat or 0], np.int64))
        vecs_all.append(np.frombuffer(bytes(vector), np.float16).reshape(1, -1))
    vectors.write(np.concatenate(ids_all), np.concatenate(cats_all), np.vstack(vecs_all))
    return {"products": products, "added": products - have, "seconds": round(time.monotonic() - started, 1)}


def run(products: int = 100_000, repeat: int = 40, log=print) -> dict:
    """Fill up to `products`, then time search, faceted search, matching and the catalogue page."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from accounts.models import Grant
    from directory import matching, vectors
    from directory.models import Demand
    from orgs.models import Organization
    from shanghui.startup import freeze_loaded_objects

    report = {"build": fill(products, log)}
    freeze_loaded_objects()  # as a granian worker serves (shanghui/wsgi.py)
    vectors.forget()
    User = get_user_model()
    user, created = User.objects.get_or_create(username="directory-bench")
    root = Organization.objects.filter(depth=1).order_by("path").first()
    if created or not Grant.objects.filter(user=user).exists():
        Grant.objects.create(user=user, org=root, role="staff")
    token, _c = Token.objects.get_or_create(user=user)
    api = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token.key}")
    web = Client(HTTP_HOST="127.0.0.1")

    def get(client, url, params):
        response = client.get(url, params, secure=True)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
        return response

    hits = {}

    def search(i):
        q = QUERIES[i % len(QUERIES)]
        hits[q] = get(api, "/api/directory/products/", {"q": q}).json()["count"]

    log("directory: search")
    report["search"] = {**timed(search, repeat), "hits": hits}
    log("directory: faceted search")
    report["faceted"] = timed(lambda i: (get(api, "/api/directory/products/", FACETED[i % len(FACETED)]),
                                         get(api, "/api/directory/products/facets/", FACETED[i % len(FACETED)])),
                              repeat)
    demands = [Demand(org=root, buyer="bench", title=t, language=lang) for t, lang in DEMANDS]
    from directory.encoder import to_bytes
    from directory.services import translate_demand

    for d in demands:
        translate_demand(d)
    # Posting a demand encodes it once (timed apart); matching reads the stored vector.
    report["encode"] = timed(lambda i: matching.demand_vector(demands[i % len(demands)]), min(repeat, 20))
    for d in demands:
        vector = matching.demand_vector(d)
        d.vector = to_bytes(vector) if vector is not None else None
    log("directory: matching")
    found = {}

    def match(i):
        d = demands[i % len(demands)]
        found[d.title] = [f.obj.name for f in matching.match_demand(d, 5)][:3]

    report["match"] = {**timed(match, repeat), "top": found}
    log("directory: vector search in no category (a demand whose words imply none)")
    index = vectors.current()
    rows = (np.vstack([index.flat.reconstruct(int(r)) for r in range(0, len(index.ids), max(1, len(index.ids) // 64))][:64])
            if index and len(index.ids) else None)
    report["match_any"] = ({**timed(lambda i: vectors.search(rows[i % len(rows)], matching.VECTOR_CANDIDATES),
                                    repeat), "coarse": bool(index.coarse)} if rows is not None and len(rows)
                           else {"p50_ms": 0.0, "p95_ms": 0.0, "n": 0})
    log("directory: public catalogue")
    report["catalogue"] = timed(lambda i: get(web, "/catalogue/", {"lang": "en"} if i % 2 else {}), repeat)
    report["catalogue_search"] = timed(lambda i: get(web, "/catalogue/", {"q": QUERIES[i % len(QUERIES)],
                                                                       "lang": "en"}), repeat)
    report["database"] = connection.vendor
    import os

    report["load"] = round(os.getloadavg()[0], 1)
    return report


def lines(report: dict) -> list[str]:
    """The report as text lines beside the issue's targets."""
    b = report["build"]
    out = [f"directory ({report['database']}, load average {report.get('load', '?')}): {b['products']:,} products"
           + (f", {b['added']:,} added in {b.get('seconds')} s" if b.get("added") else "")]
    for key, label, target in [("search", "product search (API)", 50), ("faceted", "faceted search (API, list + facets)", 150),
                               ("match", "matching one demand", 200),
                               ("match_any", "vector search in no category", 200), ("encode", "encoding a demand (at posting)", None),
                               ("catalogue", "public catalogue page", 100),
                               ("catalogue_search", "public catalogue search", 100)]:
        r = report[key]
        out.append(f"  {label:38} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms"
                   + (f"  (CPU p50 {r['cpu_p50_ms']:.1f}, p95 {r['cpu_p95_ms']:.1f} ms)" if "cpu_p50_ms" in r else "")
                   + (f"  (target p95 ≤ {target} ms)" if target else ""))
    return out
