"""Search over every asset: one query, the same result contract on PostgreSQL and SQLite.

PostgreSQL ranks with ``ts_rank`` over the weighted ``search_vector`` (name A,
description B, columns C, body D) of the narrow ``catalog_search_pg`` table; SQLite ranks
with FTS5's ``bm25`` over the same four columns (`catalog.search.backends`, which also
says how exact names, usage, kinds and deprecation count). When a query as typed finds
nothing, both correct the words the index has never seen against its own vocabulary
(lexemes in ``catalog_search_lexeme`` found by pg_trgm distance; fts5vocab terms), with
difflib deciding what is close enough.

A query is read first (`read_query`): a question ("who queries raw.invoices?", "which
notebook builds core.users?") loses its question words and asks for a kind; a pasted
SQL or code fragment asks for the blocks that hold it.

The permission filter and the filters (kind, workspace, owner, tag) are compiled by
the ORM into the WHERE clause of the full-text query itself, so a page of results
is always a page of what the user may see.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from accounts.access import is_signed_in, named_filter, visible_filter
from accounts.models import Workspace
from catalog.models import App, Metric, Notebook, SearchDocument, SearchSynonym, Table
from catalog.search.backends import Plan, Term, backend
from catalog.search.index import name_key
from catalog.search.snippets import snippet

KINDS = ("table", "column", "metric", "app", "notebook", "block")
# The model whose grants apply to each kind (a column is seen through its table, a block
# through its notebook).
KIND_MODELS = {
    "table": Table,
    "column": Table,
    "metric": Metric,
    "app": App,
    "notebook": Notebook,
    "block": Notebook,
}
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_LIMIT = 100
# fmt: off
STOPWORDS = frozenset((
    "a", "an", "and", "are", "as", "at", "by", "for", "from", "in", "is", "it", "of", "on",
    "or", "that", "the", "this", "to", "with", "per",
))
# fmt: on
# Words people search with and what else they mean; the SearchSynonym table adds to these
# (and overrides them) per installation.
SYNONYMS = {
    "wau": "weekly active users",
    "dau": "daily active users",
    "mau": "monthly active users",
    "ab": "experiment",
    "abtest": "experiment",
    "experiment": "ab test",
    "attrition": "churn",
    "churn": "attrition",
    "cx": "customer support",
    "gdpr": "erasure",
    "forget": "delete",
    "erase": "delete",
    "revenue": "invoices",
    "mrr": "monthly revenue",
    "arr": "annual revenue",
    "subscription": "plan",
    "tier": "plan",
    "customer": "user",
    "customers": "users",
    "people": "users",
    "signup": "sign up",
    "signups": "sign ups",
    "email": "e mail",
    "pii": "personal",
    "kpi": "metric",
    "acct": "account",
    "accts": "accounts",
    "dedupe": "duplicate",
    "tickets": "support",
    "ml": "model",
}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# Compound spellings people type for the same thing: "a/b test" is "ab test".
_COMPOUNDS = (
    (re.compile(r"\ba\s*/\s*b\b", re.I), "ab"),
    (re.compile(r"\be-mail\b", re.I), "email"),
)
# fmt: off
# Words of a question that say what is asked, not what to find.
QUESTION_WORDS = frozenset(("who", "what", "which", "where", "when", "why", "how"))
QUESTION_FILLERS = frozenset((
    "many", "much", "do", "does", "did", "i", "we", "you", "me", "my", "our", "your", "is",
    "are", "was", "were", "can", "could", "mean", "means", "each", "every", "all", "any",
    "there", "data", "info", "information", "about", "get", "find", "show", "have", "has",
    "own", "owns", "owned", "owner",
))
# Verbs asking who reads or writes a thing: the blocks that do, unless a kind is named.
USAGE_VERBS = frozenset((
    "queries", "query", "queried", "reads", "read", "uses", "use", "used", "selects",
    "joins", "touches", "references", "needs", "depends", "writes", "write", "builds",
    "build", "built", "creates", "create", "makes", "make", "populates", "fills", "changes",
    "change", "updates", "update", "defines", "define", "produces", "computes", "loads",
))
KIND_WORDS = {
    "table": "table", "tables": "table", "notebook": "notebook", "notebooks": "notebook",
    "metric": "metric", "metrics": "metric", "app": "app", "apps": "app",
    "column": "column", "columns": "column", "block": "block", "blocks": "block",
    "cell": "block", "cells": "block",
}
# fmt: on
_SQL_KEYWORDS = re.compile(
    r"\b(select|insert\s+into|update|create|from|join|where|group\s+by|order\s+by|set)\b",
    re.I,
)
_CALL = re.compile(r"[^\W\d]\w*\s*\(")
_DOTTED = re.compile(r"\w\.\w")


# What holds pasted SQL or code: a block, or a metric's definition.
CODE_KINDS = "block metric"


@dataclass(frozen=True)
class ReadQuery:
    """What a query asks: the words to find, the exact-name key, and the kinds wanted
    (space-separated)."""

    words: list[str]
    exact: str
    prefer: str = ""


def is_code(query: str) -> bool:
    """Whether a query is pasted SQL or code rather than words.

    Examples:
        >>> is_code("lower(trim(s.email))"), is_code("UPDATE raw.workspaces SET plan_id")
        (True, True)
        >>> is_code("delete user"), is_code("analytics.billing_daily")
        (False, False)
    """
    if _CALL.search(query):
        return True
    keywords = {m.lower() for m in _SQL_KEYWORDS.findall(query)}
    return len(keywords) >= 2 or (len(keywords) == 1 and bool(_DOTTED.search(query)))


def read_query(query: str) -> ReadQuery:
    """Read a query: a question keeps only what it asks about, and asks for a kind.

    Examples:
        >>> read_query("who queries raw.invoices?")
        ReadQuery(words=['raw', 'invoices'], exact='raw invoices', prefer='block')
        >>> read_query("which notebook builds core.users?").prefer
        'notebook'
        >>> read_query('"analytics.billing_daily"').exact
        'analytics billing daily'
    """
    words = tokenize(query)
    if is_code(query):
        return ReadQuery(words, "", CODE_KINDS)
    stripped = query.strip()
    first = _WORD.findall(stripped[:40].lower())[:1]
    if not (stripped.endswith("?") or (first and first[0] in QUESTION_WORDS)):
        return ReadQuery(words, name_key(query[:MAX_QUERY_CHARS]))
    kinds = [KIND_WORDS[w] for w in words if w in KIND_WORDS]
    has_verb = any(w in USAGE_VERBS for w in words)
    dropped = QUESTION_WORDS | QUESTION_FILLERS | USAGE_VERBS | set(KIND_WORDS)
    kept = [w for w in words if w not in dropped] or [
        w for w in words if w not in QUESTION_WORDS | QUESTION_FILLERS
    ]
    prefer = kinds[0] if kinds else ("block" if has_verb else "")
    return ReadQuery(kept or words, " ".join(kept), prefer)


@dataclass(frozen=True)
class SearchHit:
    urn: str
    kind: str
    name: str
    workspace: str
    snippet: SafeString
    score: float
    url: str

    def as_json(self) -> dict:
        return {
            "urn": self.urn,
            "kind": self.kind,
            "name": self.name,
            "workspace": self.workspace,
            "snippet": str(self.snippet),
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class SearchResults:
    hits: list[SearchHit] = field(default_factory=list)
    count: int = 0
    query: str = ""
    # The words actually searched when the query as typed found nothing ("custmer" ->
    # "custom"), or "" when it was searched as typed.
    corrected: str = ""


def tokenize(query: str) -> list[str]:
    """The words of a query, lower-cased, stop words and repeats dropped.

    Examples:
        >>> tokenize("The A/B test of custmer-360!")
        ['ab', 'test', 'custmer', '360']
    """
    text = query[:MAX_QUERY_CHARS]
    for pattern, replacement in _COMPOUNDS:
        text = pattern.sub(replacement, text)
    # A letter alone ("customer's", "s.email") finds everything or nothing.
    words = [w.lower() for w in _WORD.findall(text) if len(w) > 1 or w.isdigit()]
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def expand(words: Sequence[str]) -> list[Term]:
    """Each word with what the synonym table says it also means (one query)."""
    # A plural finds the singular's synonyms: "tiers" means what "tier" does.
    singular = {w: w[:-1] for w in words if w.endswith("s") and len(w) > 3}
    wanted = set(words) | set(singular.values())
    synonyms = {w: SYNONYMS[w] for w in wanted if w in SYNONYMS}
    synonyms.update(
        SearchSynonym.objects.filter(term__in=list(wanted)).values_list("term", "expansion")
    )
    terms = []
    for word in words:
        alternatives = ()
        known = word if word in synonyms else singular.get(word, "")
        if known in synonyms:
            phrase = tuple(w for w in tokenize(synonyms[known]) if w != word)
            alternatives = (phrase,) if phrase else ()
        terms.append(Term(word, alternatives, is_prefix=len(word) >= 2 or word.isdigit()))
    return terms


def index_visibility(user) -> Q:
    """Index rows the user may see whole: by workspace role, or through a grant on the
    object (for a table or column: on the notebook that defines it, see accounts.access)."""
    by_role, _ = visible_filter(user, Table, workspace_field="workspace_id", pk_field="object_id")
    allowed = by_role
    for model in {Table, Metric, App, Notebook}:
        _, by_grant = visible_filter(
            user, model, workspace_field="workspace_id", pk_field="object_id"
        )
        if by_grant is not None:
            kinds = [k for k, m in KIND_MODELS.items() if m is model]
            allowed |= Q(kind__in=kinds) & by_grant
    return allowed


def _named_visibility(user, words: Sequence[str]) -> Q | None:
    """Table rows the user sees by name only, when every word is in the name: the rest of
    such a row (documentation, owner, columns) is not theirs to match or read. None when
    there are none (an instance admin sees every row whole already)."""
    named = named_filter(user, Table, pk_field="object_id")
    if not named or not words:  # None, or Q() for an instance admin
        return None
    in_name = Q()
    for word in words:  # tokens are letters and digits only: nothing LIKE would read
        in_name &= Q(keys__contains=word)
    return Q(kind="table") & in_name & named


def _filtered(
    user,
    *,
    kind: str | None,
    workspace: str | None,
    owner: str | None,
    tag: str | None,
    words: Sequence[str] = (),
) -> QuerySet[SearchDocument]:
    allowed = index_visibility(user)
    # Each filter would tell what only the details say. An empty Q already allows every
    # row (staff), and ``Q() | q`` is ``q``: _named_visibility gives None for them.
    named = None if workspace or owner or tag else _named_visibility(user, words)
    if named is not None:
        allowed |= named
    rows = SearchDocument.objects.filter(allowed)
    if kind:
        rows = rows.filter(kind=kind)
    if workspace:
        rows = rows.filter(workspace_id__in=Workspace.objects.filter(slug=workspace).values("pk"))
    if owner:
        rows = rows.filter(owner=owner.strip().lower())
    if tag:
        rows = rows.filter(tags__contains=f" {tag.strip().lower()} ")
    return rows


def _where(rows: QuerySet) -> tuple[str, list]:
    """The WHERE clause of ``rows`` as SQL on the bare table name (no joins in it)."""
    from django.core.exceptions import EmptyResultSet, FullResultSet

    query = rows.query
    compiler = query.get_compiler(using=rows.db)
    try:
        sql, params = compiler.compile(query.where)
    except FullResultSet:
        return "1 = 1", []
    except EmptyResultSet:
        return "1 = 0", []
    joined = [a for a in query.alias_map if query.alias_refcount.get(a)]
    assert len(joined) <= 1, "the search filters must not join"
    return sql, list(params)


def search_assets(
    user,
    query: str,
    *,
    kind: str | None = None,
    workspace: str | None = None,
    owner: str | None = None,
    tag: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchResults:
    """The assets matching ``query`` that ``user`` may see, best first.

    ``kind``, ``workspace`` (a slug), ``owner`` (an e-mail) and ``tag`` narrow it down;
    an empty query lists what the filters keep, most used first.
    """
    if not is_signed_in(user) or (kind and kind not in KINDS):
        return SearchResults(query=query)
    limit = max(1, min(limit, MAX_LIMIT))
    offset = max(0, offset)
    words = tokenize(query)
    rows = _filtered(user, kind=kind, workspace=workspace, owner=owner, tag=tag, words=words)
    if not words:
        if not (kind or workspace or owner or tag):
            return SearchResults(query=query)
        page = list(rows.order_by("-popularity", "name")[offset : offset + limit])
        return SearchResults(_hits(page, {}, []), rows.count(), query)
    # Corrections come only from what the user may see whole: a word of documents they
    # may not see is never suggested, nor does it stop a suggestion.
    seen = _filtered(user, kind=kind, workspace=workspace, owner=owner, tag=tag)
    scored, count, corrected, read, terms = _ranked(rows, seen, query, limit, offset)
    by_id = SearchDocument.objects.in_bulk([pk for pk, _ in scored])
    workspaces = dict(
        Workspace.objects.filter(pk__in={d.workspace_id for d in by_id.values()}).values_list(
            "pk", "slug"
        )
    )
    highlight = [
        *read.words,
        *corrected.split(),
        *(w for t in terms for p in t.alternatives for w in p),
    ]
    docs = [(by_id[pk], score) for pk, score in scored if pk in by_id]
    named_only = _named_only(user, [doc for doc, _ in docs])
    return SearchResults(
        [_hit(doc, score, workspaces, highlight, doc.pk in named_only) for doc, score in docs],
        count,
        query,
        corrected,
    )


def _ranked(rows: QuerySet, seen: QuerySet, query: str, limit: int, offset: int):
    """The (id, score) rows of a page of what ``query`` finds among ``rows``, how many it
    finds, the corrected words if any (from the ``seen`` rows), and how it was read."""
    where, params = _where(rows)
    db = backend()
    read = read_query(query)
    terms = expand(read.words)
    exact = f"|{read.exact}|" if read.exact else ""
    plan = Plan(exact, read.prefer, limit, offset)
    scored, count = db.run(plan, db.match_all(terms), db.own(terms), where, params)
    corrected = ""
    if not count:
        seen_where, seen_params = _where(seen)
        fuzzy = db.fuzzy(plan, terms, seen_where, seen_params)
        if fuzzy is not None and fuzzy[1]:
            scored, count, corrected = fuzzy
    if not count and len(terms) > 1:
        scored, count = db.run(plan, db.match_any(terms), db.own(terms), where, params)
    return scored, count, corrected, read, terms


def matching_documents(
    user,
    query: str,
    *,
    limit: int,
    kind: str | None = None,
    workspace: str | None = None,
    owner: str | None = None,
    tag: str | None = None,
) -> list[int]:
    """The ids of the best ``limit`` documents ``query`` finds for ``user`` (for facets)."""
    if not is_signed_in(user) or (kind and kind not in KINDS) or not tokenize(query):
        return []
    words = tokenize(query)
    rows = _filtered(user, kind=kind, workspace=workspace, owner=owner, tag=tag, words=words)
    seen = _filtered(user, kind=kind, workspace=workspace, owner=owner, tag=tag)
    return [pk for pk, _ in _ranked(rows, seen, query, limit, 0)[0]]


def _named_only(user, docs: Sequence[SearchDocument]) -> set[int]:
    """Which of these table rows the user sees by name only (one query, tables only)."""
    tables = [doc.pk for doc in docs if doc.kind == "table"]
    if not tables:
        return set()
    whole = SearchDocument.objects.filter(index_visibility(user), pk__in=tables)
    return set(tables) - set(whole.values_list("pk", flat=True))


def _hits(docs, scores, words) -> list[SearchHit]:
    workspaces = dict(
        Workspace.objects.filter(pk__in={d.workspace_id for d in docs}).values_list("pk", "slug")
    )
    return [_hit(d, scores.get(d.pk, 0.0), workspaces, words) for d in docs]


def _hit(
    doc: SearchDocument,
    score: float,
    workspaces: dict,
    words: Sequence[str],
    named_only: bool = False,
) -> SearchHit:
    return SearchHit(
        urn=doc.urn,
        kind=doc.kind,
        name=doc.name,
        # Seen by name only: neither its text nor its home workspace.
        workspace="" if named_only else workspaces.get(doc.workspace_id, ""),
        snippet=mark_safe("") if named_only else snippet(doc, words),
        score=float(score),
        url=doc.url,
    )
