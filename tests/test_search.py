"""Chinese search: fragments, one character, traditional characters, pinyin, initials, Latin names,
enterprise name parts, scoping inside the query, ranking, and the index kept current."""
import pytest
from django.core.management import call_command

from core import search
from core.models import SearchEntry
from orgs import services as org_services
from registry import services
from registry.models import Enterprise, Person


@pytest.fixture
def people(users, tree):
    by = users["zj_admin"]
    made = {}
    for name, org, extra in [
        ("王小明", "hz", {"foreign_name": "Xiaoming Wang"}),
        ("王", "hz", {}),
        ("小王", "hz", {}),
        ("陳靜", "hz", {}),
        ("李华", "hz", {"foreign_name": "Marco Li"}),
        ("王建国", "wz", {}),
    ]:
        made[name] = services.create_person(by=by, org=tree[org], name=name, category="overseas_chinese", **extra)
    return made


def names(user, query, model=Person):
    return [o.name for o in search.search(model.objects.all(), user, query)]


@pytest.mark.parametrize("query, expected", [
    ("小明", {"王小明"}),
    ("王小明", {"王小明"}),
    ("wang", {"王小明", "王", "小王"}),
    ("wxm", {"王小明"}),
    ("wangxiao", {"王小明"}),
    ("陈", {"陳靜"}),
    ("陳", {"陳靜"}),
    ("marco", {"李华"}),
    ("MARCO", {"李华"}),
    ("ｍａｒｃｏ", {"李华"}),
])
def test_search_cases(users, people, query, expected):
    assert set(names(users["zj_admin"], query)) - {"王建国"} == expected


def test_one_character_surname_and_exact_name_first(users, people):
    found = names(users["hz_staff"], "王")
    assert found[0] == "王"
    assert set(found) == {"王", "王小明", "小王"}


def test_scope_is_part_of_the_query(users, people):
    assert names(users["hz_staff"], "王建国") == []
    assert names(users["wz_staff"], "王") == ["王建国"]
    assert names(users["nobody"], "王") == []


def test_a_scope_covering_every_root_needs_no_scope_term_and_another_root_stays_out(users, tree, people):
    from accounts.access import paths_for
    from tests import factories as f

    assert search.query_scope(paths_for(users["zj_admin"])) is None  # the only root: no scope term
    assert search.query_scope(paths_for(users["hz_staff"])) == [tree["hz"].path]
    other = f.org("sh", "上海市侨联", region="310000")
    both = f.user("both", (tree["zj"], "staff"), (other, "staff"))
    services.create_person(by=both, org=other, name="王上海", category="overseas_chinese")
    assert search.query_scope(paths_for(users["zj_admin"])) == [tree["zj"].path]
    assert "王上海" not in names(users["zj_admin"], "王")
    assert search.query_scope(paths_for(both)) is None
    assert "王上海" in names(both, "王") and "王建国" in names(both, "王")


def test_the_roots_are_kept_a_minute_and_a_stale_copy_shows_nothing_hidden(users, tree, people):
    """Another process keeps the tree's roots for up to ROOTS_SECONDS after a new root is made: its scope
    term is then too wide, yet the search still shows only what the user may see."""
    from accounts.access import paths_for
    from tests import factories as f

    assert search.query_scope(paths_for(users["zj_admin"])) is None
    stale = search._ROOTS  # what another process still holds
    other = f.org("sh", "上海市侨联", region="310000")
    both = f.user("both", (tree["zj"], "staff"), (other, "staff"))
    services.create_person(by=both, org=other, name="王上海", category="overseas_chinese")
    assert search.query_scope(paths_for(users["zj_admin"])) == [tree["zj"].path]  # this process: at once

    search._ROOTS = stale
    assert search.query_scope(paths_for(users["zj_admin"])) is None
    assert "王上海" not in names(users["zj_admin"], "王") and "王建国" in names(users["zj_admin"], "王")
    search._ROOTS = (stale[0] - search.ROOTS_SECONDS, stale[1])  # a minute later
    assert search.query_scope(paths_for(users["zj_admin"])) == [tree["zj"].path]


def test_exact_names_come_first_and_candidates_are_ranked(users, tree):
    """The records named exactly as asked come first, then names that start so, then the others."""
    by = users["zj_admin"]
    for name in ["李明华", "张李明", "李明"]:
        services.create_person(by=by, org=tree["hz"], name=name, category="overseas_chinese")
    assert names(by, "李明") == ["李明", "李明华", "张李明"]


def test_part_of_an_enterprise_name(users, tree):
    services.create_enterprise(by=users["hz_staff"], org=tree["hz"], name="义乌市华联贸易有限公司",
                               main_products="袜子、饰品")
    assert [e.name for e in search.search(Enterprise.objects.all(), users["hz_staff"], "华联贸易")] == [
        "义乌市华联贸易有限公司"]
    assert names(users["hz_staff"], "饰品", Enterprise) == ["义乌市华联贸易有限公司"]
    assert names(users["hz_staff"], "hualian", Enterprise) == ["义乌市华联贸易有限公司"]


def test_index_follows_update_delete_merge_and_move(users, tree, people):
    by = users["zj_admin"]
    p = people["李华"]
    services.update_person(by=by, person=p, name="李文华")
    assert names(by, "文华") == ["李文华"]
    services.delete_person(by=by, person=people["小王"])
    assert "小王" not in names(by, "wang")
    services.merge_people(by=by, keep=people["王小明"], drop=people["王"])
    active = search.search(Person.objects.active(), by, "wang")
    assert {o.name for o in active} == {"王小明", "王建国"}
    org_services.move_organization(by=by, org=tree["hz"], new_parent=tree["wz"])
    assert "王小明" in names(users["wz_staff"], "wang")


def test_reindex_command_rebuilds(users, people):
    SearchEntry.objects.all().delete()
    assert names(users["zj_admin"], "wang") == []
    call_command("reindex")
    assert "王小明" in names(users["zj_admin"], "wang")


def test_list_page_and_api_use_the_search(client, users, people):
    client.force_login(users["hz_staff"])
    body = client.get("/registry/people/", {"q": "wxm"}).content.decode()
    assert "王小明" in body and "李华" not in body


def test_each_model_is_searched_apart_from_the_others(users, people):
    """A word common in one model's entries costs nothing to another model's search: SQLite ANDs the
    model's token, PostgreSQL reads a partial index of that model's entries."""
    from django.db import connection

    entry = SearchEntry.objects.get(model="registry.person", object_id=people["王小明"].pk)
    assert entry.tokens.split()[0] == search.model_token("registry.person") == "mregistryperson"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'core_searchentry'")
            partial = [row[0] for row in cursor.fetchall() if "WHERE" in row[0]]
        assert len(partial) == 2 * len(search.REGISTRY)  # every entry, and one in SAMPLE_MODULUS
        # No GIN index over every model's entries: each write would update it, and no search reads it.
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexdef FROM pg_indexes WHERE tablename = 'core_searchentry' AND indexdef LIKE '%%gin%%'")
            assert all("WHERE" in row[0] for row in cursor.fetchall())
        assert any("'registry.person'" in d for d in partial)
        assert search.ensure_model_indexes() == []  # idempotent after migrate
    else:
        assert '"mregistryperson"' in search._fts_query(search.query_terms("王"), None, "registry.person")
    assert names(users["zj_admin"], "王") and not search.matching_ids("registry.enterprise", "王小明", None)


def test_search_reads_the_models_index_and_leaves_the_sessions_settings(users, people):
    """PostgreSQL: the candidates come from an index even where the planner would read the table in order
    (a common word's estimate under LIMIT, at scale, where the table's other models' entries come first:
    2.3 s instead of 0.3 s), and the session's settings are unchanged after."""
    from django.db import connection

    if connection.vendor != "postgresql":
        assert names(users["zj_admin"], "王")
        return
    plans = []

    def explain(execute, sql, params, many, context):
        if sql.startswith("SELECT object_id FROM core_searchentry"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN " + sql, params)
                plans.append("\n".join(row[0] for row in cursor.fetchall()))
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        # Index reads made to look dear, as a common word's row estimate under LIMIT makes them at scale.
        cursor.execute("SET random_page_cost = 100000")
        try:
            with connection.execute_wrapper(explain):
                found = search.matching_ids("registry.person", "王", None)
            cursor.execute("SELECT current_setting('enable_seqscan'), current_setting('work_mem')")
            after = cursor.fetchone()
        finally:
            cursor.execute("RESET random_page_cost")
    assert set(found) >= {people["王"].pk, people["王小明"].pk}
    assert plans and all("Seq Scan" not in plan and "Index Scan" in plan for plan in plans), plans
    assert after == ("on", "4MB")


def test_whole_words_are_tried_before_prefixes(users, tree):
    """A Latin word matches as a prefix (marc finds Marco), but when its whole-word matches alone fill the
    candidates, words it merely starts (Marconi, stored first here) are not collected; otherwise they are."""
    by = users["zj_admin"]
    made = {name: services.create_person(by=by, org=tree["hz"], name=name, category="overseas_chinese",
                                         foreign_name=foreign)
            for name, foreign in [("马可尼", "Marconi Verdi"), ("罗马可", "Marco Rossi"), ("白马可", "Marco Bianchi")]}
    words = {made["罗马可"].pk, made["白马可"].pk}
    assert set(search.matching_ids("registry.person", "marco", None, limit=2)) == words
    assert set(search.matching_ids("registry.person", "marco", None, limit=10)) == words | {made["马可尼"].pk}
    assert set(search.matching_ids("registry.person", "marc", None, limit=10)) == {p.pk for p in made.values()}


def test_a_common_word_fills_the_limit_and_a_rare_one_is_found_whatever_its_id(users, tree):
    """Candidates are looked for first among a sample of the entries (PostgreSQL); a word with fewer matches
    there than the limit is looked for again among all, so nothing that matches is ever missed."""
    by = users["zj_admin"]
    common = [services.create_person(by=by, org=tree["hz"], name=f"赵{i}", category="overseas_chinese",
                                     foreign_name="Zed Common").pk for i in range(20)]
    rare = services.create_person(by=by, org=tree["hz"], name="钱", category="overseas_chinese", foreign_name="Quux")
    few = search.matching_ids("registry.person", "zed", None, limit=2)
    assert len(few) == 2 and set(few) <= set(common)
    assert set(search.matching_ids("registry.person", "zed", None, limit=100)) == set(common)
    assert search.matching_ids("registry.person", "quux", None, limit=2) == [rare.pk]


def test_a_query_whose_sample_fell_short_goes_to_the_whole_index_at_once_for_a_while(users, tree, monkeypatch):
    """PostgreSQL: after a sampled query returned fewer than the limit, the same query skips the sample (one
    query instead of two, the same candidates) until SPARSE_SECONDS have passed. A Latin word is looked for
    twice, as a whole word and then as a prefix."""
    from django.core.cache import caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    by = users["zj_admin"]
    made = {services.create_person(by=by, org=tree["hz"], name=f"孙{i}", category="overseas_chinese",
                                   foreign_name="Yonder Sparse").pk for i in range(3)}

    def candidates():
        caches["fragments"].clear()  # the kept answer (tested below) would spare both queries
        with CaptureQueriesContext(connection) as queries:
            found = search.matching_ids("registry.person", "yonder", None, limit=50)
        return set(found), sum("FROM core_searchentry" in q["sql"] or "core_search_fts" in q["sql"]
                               for q in queries.captured_queries)

    first, second = candidates(), candidates()
    assert first[0] == second[0] == made
    if connection.vendor != "postgresql":
        assert first[1] == second[1] == 2  # SQLite: one FTS5 query each, no sample
        return
    assert (first[1], second[1]) == (4, 2)
    later = search.time.monotonic() + search.SPARSE_SECONDS
    monkeypatch.setattr(search.time, "monotonic", lambda: later)
    assert candidates() == (made, 4)  # the sample is tried again


def _index_queries(queries) -> int:
    return sum("core_searchentry" in q["sql"] or "core_search_fts" in q["sql"] for q in queries.captured_queries)


def test_the_same_search_again_reads_no_index_until_the_entries_are_written(users, tree, people, tmp_path):
    """The candidates of a query are kept per process under the model's generation: the next page or the
    same words again read no index; a record saved, deleted, merged or imported is found (or gone) at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.importing.pipeline import run_import

    by = users["zj_admin"]
    with CaptureQueriesContext(connection) as first:
        found = search.matching_ids("registry.person", "wang", None)
    with CaptureQueriesContext(connection) as again:
        assert search.matching_ids("registry.person", "wang", None) == found
    assert _index_queries(first) >= 1 and _index_queries(again) == 0
    assert set(found) == {people[n].pk for n in ("王小明", "王", "小王", "王建国")}
    # Another scope or limit is another answer.
    assert set(search.matching_ids("registry.person", "wang", [tree["wz"].path])) == {people["王建国"].pk}

    added = services.create_person(by=by, org=tree["hz"], name="王新来", category="overseas_chinese")
    assert added.pk in search.matching_ids("registry.person", "wang", None)
    services.update_person(by=by, person=added, name="赵新来")
    assert added.pk not in search.matching_ids("registry.person", "wang", None)
    services.delete_person(by=by, person=people["小王"])
    assert people["小王"].pk not in search.matching_ids("registry.person", "wang", None)

    path = tmp_path / "p.csv"
    path.write_text("姓名,类别\n王导入,华侨\n", encoding="utf-8")
    run_import("people", path, by=users["hz_staff"], org=tree["hz"])
    imported = Person.objects.get(name="王导入")
    assert imported.pk in search.matching_ids("registry.person", "wang", None)
    # Enterprises keep their own generation: a person written leaves their kept answers alone.
    assert search.generation("registry.person") != search.generation("registry.enterprise")


def test_a_kept_answer_reads_nothing_again_and_follows_every_write(users, tree, people):
    """A search's ranked answer is kept like its candidates: the same search again runs no query at all, while
    a rename, a merge, a move out of the user's subtree, another scope or another filter is answered anew."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from orgs import services as org_services

    by, staff = users["zj_admin"], users["hz_staff"]
    visible = Person.objects.active()
    first = search.search_ids(visible, staff, "王")
    with CaptureQueriesContext(connection) as again:
        assert search.search_ids(visible, staff, "王") == first
    assert len(again.captured_queries) == 0
    assert set(first) == {people[n].pk for n in ("王小明", "王", "小王")}
    assert search.search_ids(visible, users["wz_staff"], "王") == [people["王建国"].pk]
    assert search.search_ids(visible.filter(country="IT"), staff, "王") != first

    services.update_person(by=by, person=people["小王"], name="小李")
    assert people["小王"].pk not in search.search_ids(visible, staff, "王")
    services.merge_people(by=by, keep=people["王"], drop=people["王小明"])
    assert people["王小明"].pk not in search.search_ids(visible, staff, "王")
    shangcheng = services.create_person(by=by, org=tree["sc"], name="王上城", category="relative")
    assert shangcheng.pk in search.search_ids(visible, staff, "王")
    org_services.move_organization(by=by, org=tree["sc"], new_parent=tree["wz"])
    assert shangcheng.pk not in search.search_ids(visible, staff, "王")


def test_a_generation_changes_when_written_and_again_at_the_commit(db, django_capture_on_commit_callbacks):
    """Searches inside the writing transaction see its writes (renewed at once); other processes may have
    kept candidates read before the commit, so the generation changes again when it commits."""
    before = search.generation("registry.person")
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        search.changed("registry.person")
        during = search.generation("registry.person")
        assert during != before
    assert len(callbacks) == 1
    assert search.generation("registry.person") not in (before, during)


def test_a_lost_generation_is_never_an_earlier_one():
    """A generation evicted from the cache (or the cache cleared, as a restore does) comes back as a new
    token, so candidates kept under an earlier one are not read again."""
    from django.core.cache import cache

    before = search.generation("registry.person")
    cache.delete(search.GENERATION_KEY + "registry.person")
    after = search.generation("registry.person")
    assert after != before and search.generation("registry.person") == after


def test_english_stems_come_from_the_c_stemmer():
    """Stemming runs for every Latin word indexed or searched (a million-row import, two million products):
    snowballstemmer's pure-Python stemmer cost 60 µs a word, PyStemmer's 0.4, with the same stems."""
    assert type(search._stemmer).__module__ == "Stemmer"
    assert search._stems(["scarves", "toys", "stainless", "bufanda"]) == ["scarv", "toy", "stainless", "bufanda"]


def test_a_searchs_pages_follow_its_rank_and_its_count_needs_no_query(api, users, tree):
    """A search's answer is paginated from its own ids: the API's count and each page come without counting
    or sorting the candidates in the database, in rank order (exact name first); another filter on top
    counts the usual way."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from core.pagination import CappedCountPaginator, paginate

    by = users["zj_admin"]
    for i in range(5):
        services.create_person(by=by, org=tree["hz"], name=f"孙{i}号", category="relative")
    exact = services.create_person(by=by, org=tree["hz"], name="孙", category="overseas_chinese")
    services.create_person(by=by, org=tree["wz"], name="孙外", category="relative")  # outside hz_staff's scope

    qs = Person.objects.visible_to(users["hz_staff"]).order_by("-pk")
    answer = search.found(qs, users["hz_staff"], "孙")
    assert answer.search_order[0] == exact.pk and len(answer.search_order) == 6
    pages = [paginate(answer, n, per_page=4) for n in (1, 2)]
    assert [p.pk for p in pages[0].rows + pages[1].rows] == answer.search_order
    assert pages[0].has_next and not pages[1].has_next
    # A page reads its own rows by id, not the whole answer again (PostgreSQL looked up all 500 for 50).
    import json

    whole = (search._pg_array(answer.search_order), json.dumps(answer.search_order))
    with CaptureQueriesContext(connection) as ctx:
        assert [p.pk for p in paginate(answer, 2, per_page=4).rows] == answer.search_order[4:]
    assert not [q["sql"] for q in ctx.captured_queries if any(w in q["sql"] for w in whole)]
    paginator = CappedCountPaginator(answer, 4)
    assert paginator.count == 6 and [p.pk for p in paginator.page(2)] == answer.search_order[4:]

    c = api("hz_staff")
    with CaptureQueriesContext(connection) as ctx:
        body = c.get("/api/people/", {"q": "孙"}).json()
    assert body["count"] == 6 and body["results"][0]["name"] == "孙"
    assert not [q["sql"] for q in ctx.captured_queries if "COUNT(" in q["sql"].upper()]
    narrowed = c.get("/api/people/", {"q": "孙", "category": "relative"}).json()
    assert narrowed["count"] == 5 and "孙" not in [r["name"] for r in narrowed["results"]]
    assert search.found(qs, users["hz_staff"], "没有这个名字").count() == 0


def test_the_name_memo_holds_chinese_names_with_shared_tokens():
    """An import of a million people keeps the tokens of repeated Chinese names, not of unique foreign
    ones (which cost little to compute), and names sharing a character share its token (memory: 130 MB →
    58 MB for 161,000 names). The tokens are the same either way."""
    search._chinese_name_tokens.cache_clear()
    latin = search._name_tokens("Marco Rossi")
    assert search._chinese_name_tokens.cache_info().currsize == 0
    assert latin == search._tokens_of_name("Marco Rossi") and "marco" in latin
    first, second = search._name_tokens("王小明"), search._name_tokens("王建国")
    assert search._chinese_name_tokens.cache_info().currsize == 2
    assert first == search._tokens_of_name("王小明")
    assert first[first.index("王")] is second[second.index("王")]
    assert search._name_tokens(None) == ()


def test_an_import_s_reading_process_tokenises_names_without_filling_the_memo():
    """The names of a sheet tokenised by the reading process (core.importing.cleaning) give the tokens
    document() would, and, unmemoised there, leave the child's memory as it was (141 MB instead of 208 MB)."""
    from orgs.models import Organization
    from registry.models import Person

    entry = search.REGISTRY["registry.person"]
    person = Person(org=Organization(code="yw", name="义乌市侨联", path="0001"), name="陈静怡", foreign_name="Chen Jingyi", former_names="陈静，陈小静")
    search._chinese_name_tokens.cache_clear()
    known = search.name_tokens(person, entry)
    assert search._chinese_name_tokens.cache_info().currsize == 0
    assert set(known) == {"陈静怡", "Chen Jingyi", "陈静", "陈小静"} and "chen" in known["Chen Jingyi"]
    assert search.document(person, entry, known) == search.document(person, entry)
    assert search.document(person, entry, {"陈静怡": ("unlikely",)}).count("unlikely") == 1
