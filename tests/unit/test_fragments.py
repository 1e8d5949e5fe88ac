"""The per-worker cache of rendered fragments: bounded, least recently used first out."""

from __future__ import annotations

from markupsafe import Markup

from tracker.ratings.fragments import FragmentCache


def test_keeps_at_most_its_size_and_drops_the_least_recently_used() -> None:
    cache = FragmentCache(size=2)
    cache.put(("a", 1), Markup("<p>a</p>"))
    cache.put(("b", 1), Markup("<p>b</p>"))
    assert cache.get(("a", 1)) == Markup("<p>a</p>")  # a is now the most recently used
    cache.put(("c", 1), Markup("<p>c</p>"))
    assert len(cache) == 2
    assert cache.get(("b", 1)) is None
    assert cache.get(("a", 1)) == Markup("<p>a</p>") and cache.get(("c", 1)) == Markup("<p>c</p>")


def test_a_new_key_never_returns_an_old_fragment() -> None:
    cache = FragmentCache()
    cache.put(("dashboard", "", 1, 7, 1, "2023-04-30", 3), Markup("<p>inputs 3</p>"))
    assert cache.get(("dashboard", "", 1, 7, 1, "2023-04-30", 4)) is None
