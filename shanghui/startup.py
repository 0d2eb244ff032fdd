"""What a serving process does once it has loaded: the long-lived objects kept out of the garbage collector."""
import gc


def freeze_loaded_objects() -> int:
    """Load the URLconf (every view, form and serializer) and the search's dictionaries, then freeze.

    Django's modules and the dictionaries of pypinyin and jieba are hundreds of thousands of objects
    that live as long as the process. Each full collection of the cyclic garbage collector walked all
    of them: 20–300 ms, at random, inside whichever request set it off (the p95 of a search page).
    `gc.freeze()` moves them to a generation the collector never scans; requests' own garbage is
    collected as before. Returns how many objects were frozen.
    """
    from django.urls import get_resolver

    from core import search

    get_resolver().url_patterns  # noqa: B018  (imports every app's views)
    search.text_tokens("王小明 Marco")
    search.pinyin_tokens("王小明")
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
