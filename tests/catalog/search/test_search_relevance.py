"""The relevance set (bench/search_relevance.yml) over the demo: the behaviour people
trust search for, checked on every run. bench/search.py reports the same figures."""

from __future__ import annotations

from collections import Counter

import pytest

from catalog.search.quality import judge, load_cases, mean_reciprocal_rank, share_first
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MIN_MRR = 0.95


def test_the_relevance_set_has_sixty_queries_of_every_sort():
    cases = load_cases()

    assert len(cases) >= 60
    sorts = Counter(case.kind for case in cases)
    for sort in ("exact names", "synonyms and abbreviations", "typos", "column names"):
        assert sorts[sort] >= 5, sorts
    for sort in ("table.column", "SQL fragments", "questions in plain words"):
        assert sorts[sort] >= 5, sorts


def test_search_over_the_demo_meets_the_relevance_bar(demo):
    staff = make_user("sam", is_staff=True)

    judged = judge(staff, load_cases())

    misses = [(j.query, j.rank, j.top) for j in judged if j.rank != 1]
    assert mean_reciprocal_rank(judged) >= MIN_MRR, misses
    assert share_first(judged) >= 0.9, misses
    ranks = {j.query: j.rank for j in judged}
    assert ranks["custmer 360"] == 1
    assert ranks["wau"] == 1
    assert ranks["who queries raw.invoices?"] == 1
    assert ranks["analytics.billing_daily"] == 1
