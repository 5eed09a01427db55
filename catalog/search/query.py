"""Search over every asset: one query, the same result contract on PostgreSQL and SQLite.

PostgreSQL ranks with ``ts_rank`` over the weighted ``search_vector`` (name A,
description B, columns C, body D) of the narrow ``catalog_search_pg`` table; SQLite ranks
with FTS5's ``bm25`` over the same four columns. When a query as typed finds nothing,
both correct the words the index has never seen against its own vocabulary (lexemes in
``catalog_search_lexeme`` found by pg_trgm distance; fts5vocab terms), with difflib
deciding what is close enough.
Both then add 1 for an exact name match and up to 0.3 for much-used assets.

The permission filter and the filters (kind, workspace, owner, tag) are compiled by
the ORM into the WHERE clause of the full-text query itself, so a page of results
is always a page of what the user may see.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection as db
from django.db.models import Q, QuerySet
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from accounts.access import is_signed_in, named_filter, visible_filter
from accounts.models import Workspace
from catalog.models import App, Metric, Notebook, SearchDocument, SearchSynonym, Table

KINDS = ("table", "column", "metric", "app", "notebook")
# The model whose grants apply to each kind (a column is seen through its table).
KIND_MODELS = {"table": Table, "column": Table, "metric": Metric, "app": App, "notebook": Notebook}
MAX_QUERY_CHARS = 200
MAX_TERMS = 8
MAX_LIMIT = 100
SNIPPET_CHARS = 180
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
_PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
_FTS_WEIGHTS = "10.0, 4.0, 2.0, 1.0"  # name, description, columns, body


@dataclass(frozen=True)
class Term:
    """A word of the query, and the phrases a synonym says it also means."""

    word: str
    alternatives: tuple[tuple[str, ...], ...] = ()
    is_prefix: bool = True


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
    words = [w.lower() for w in _WORD.findall(text)]
    kept = [w for w in words if w not in STOPWORDS] or words
    return list(dict.fromkeys(kept))[:MAX_TERMS]


def expand(words: Sequence[str]) -> list[Term]:
    """Each word with what the synonym table says it also means (one query)."""
    synonyms = {w: SYNONYMS[w] for w in words if w in SYNONYMS}
    synonyms.update(
        SearchSynonym.objects.filter(term__in=list(words)).values_list("term", "expansion")
    )
    terms = []
    for word in words:
        alternatives = ()
        if word in synonyms:
            phrase = tuple(w for w in tokenize(synonyms[word]) if w != word)
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


def _named_visibility(user, words: Sequence[str]) -> Q:
    """Table rows the user sees by name only, when every word is in the name: the rest of
    such a row (documentation, owner, columns) is not theirs to match or read."""
    named = named_filter(user, Table, pk_field="object_id")
    if named is None or not words:
        return Q(pk__in=[])
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
    if not (workspace or owner or tag):  # each would tell what only the details say
        allowed |= _named_visibility(user, words)
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
    where, params = _where(rows)
    backend = _Postgres() if db.vendor == "postgresql" else _Sqlite()
    terms = expand(words)
    exact = "|" + " ".join(words) + "|"
    scored, count = backend.run(backend.match_all(terms), where, params, exact, limit, offset)
    corrected = ""
    if not count:
        # Corrections come only from what the user may see whole: a word of documents
        # they may not see is never suggested, nor does it stop a suggestion.
        seen, seen_params = _where(
            _filtered(user, kind=kind, workspace=workspace, owner=owner, tag=tag)
        )
        fuzzy = backend.fuzzy(terms, seen, seen_params, exact, limit, offset)
        if fuzzy is not None and fuzzy[1]:
            scored, count, corrected = fuzzy
    if not count and len(terms) > 1:
        scored, count = backend.run(backend.match_any(terms), where, params, exact, limit, offset)
    by_id = SearchDocument.objects.in_bulk([pk for pk, _ in scored])
    workspaces = dict(
        Workspace.objects.filter(pk__in={d.workspace_id for d in by_id.values()}).values_list(
            "pk", "slug"
        )
    )
    highlight = [*words, *corrected.split(), *(w for t in terms for p in t.alternatives for w in p)]
    docs = [(by_id[pk], score) for pk, score in scored if pk in by_id]
    named_only = _named_only(user, [doc for doc, _ in docs])
    return SearchResults(
        [_hit(doc, score, workspaces, highlight, doc.pk in named_only) for doc, score in docs],
        count,
        query,
        corrected,
    )


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


def _stem(word: str) -> str:
    """A crude stem, to highlight 'users' for 'user' and 'activation' for 'active'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def snippet(doc: SearchDocument, words: Sequence[str]) -> SafeString:
    """A short passage of the asset's text around the first word found, escaped, with
    every word found wrapped in ``<mark>``."""
    stems = sorted({_stem(w) for w in words if w}, key=len, reverse=True)
    pattern = (
        re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, stems)) + r")\w*", re.I)
        if stems
        else None
    )
    text = ""
    match = None
    for candidate in (doc.doc_text, doc.columns_text, doc.body):
        candidate = " ".join((candidate or "").split())
        found = pattern.search(candidate) if pattern and candidate else None
        if found:
            text, match = candidate, found
            break
    if not text:
        text = " ".join((doc.doc_text or doc.body or "").split())
    start = 0
    if match and match.start() > SNIPPET_CHARS // 3:
        start = text.rfind(" ", 0, match.start() - SNIPPET_CHARS // 3) + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        end = text.rfind(" ", start, end) if " " in text[start:end] else end
    passage = text[start:end]
    parts, last = [], 0
    for found in pattern.finditer(passage) if pattern else ():
        parts.append(escape(passage[last : found.start()]))
        parts.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    parts.append(escape(passage[last:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # safe: every piece escaped above


def _closest(word: str, candidates: Sequence[str]) -> str | None:
    """The indexed term closest to a word the index does not know, if one is close enough.

    Examples:
        >>> _closest("billng", ["bill", "balanc", "billion"])
        'bill'
    """
    return next(iter(difflib.get_close_matches(word, candidates, n=1, cutoff=0.7)), None)


def _closest_seen(backend, word: str, candidates: Sequence[str], where, params) -> str | None:
    """The closest of ``candidates`` (close enough, as `_closest` says) that a row the user
    may see holds: a word only other people's documents hold is never suggested."""
    for candidate in difflib.get_close_matches(word, candidates, n=5, cutoff=0.7):
        if backend.is_seen(candidate, where, params):
            return candidate
    return None


class _Sqlite:
    """FTS5: bm25 over (name, description, columns, body), prefix queries."""

    def _term(self, term: Term) -> str:
        first = f'"{term.word}"' + ("*" if term.is_prefix else "")
        options = [first] + [
            "(" + " AND ".join(f'"{w}"' for w in phrase) + ")" for phrase in term.alternatives
        ]
        return options[0] if len(options) == 1 else "(" + " OR ".join(options) + ")"

    def match_all(self, terms: Sequence[Term]) -> str:
        return " AND ".join(self._term(t) for t in terms)

    def match_any(self, terms: Sequence[Term]) -> str:
        return " OR ".join(self._term(t) for t in terms)

    def run(self, match, where, params, exact, limit, offset) -> tuple[list, int]:
        sql = f"""
            SELECT catalog_searchdocument.id,
                   m.r / (1.0 + m.r)
                   + CASE WHEN instr(catalog_searchdocument.keys, %s) > 0 THEN 1.0 ELSE 0.0 END
                   + catalog_searchdocument.boost AS score,
                   count(*) OVER () AS total
            FROM (SELECT rowid AS rid, -bm25(catalog_search_fts, {_FTS_WEIGHTS}) AS r
                  FROM catalog_search_fts WHERE catalog_search_fts MATCH %s) AS m
            JOIN catalog_searchdocument ON catalog_searchdocument.id = m.rid
            WHERE {where}
            ORDER BY score DESC, catalog_searchdocument.name
            LIMIT %s OFFSET %s
        """
        with db.cursor() as cursor:
            cursor.execute(sql, [exact, match, *params, limit, offset])
            rows = cursor.fetchall()
        return [(pk, score) for pk, score, _ in rows], (rows[0][2] if rows else 0)

    def is_seen(self, word: str, where, params) -> bool:
        """Does a row that ``where`` keeps hold a word starting with ``word``?"""
        return self.run(self._term(Term(word)), where, params, "", 1, 0)[1] > 0

    def fuzzy(self, terms, where, params, exact, limit, offset):
        """Words the rows ``where`` keeps have never seen are replaced by the closest word
        they have."""
        known = self._vocabulary({t.word for t in terms})
        corrected, changed = [], False
        for term in terms:
            if term.alternatives or (
                term.word in known["found"] and self.is_seen(term.word, where, params)
            ):
                corrected.append(term)
                continue
            best = _closest_seen(self, term.word, known["near"].get(term.word, []), where, params)
            if best:
                corrected.append(Term(best, term.alternatives, True))
                changed = True
            else:
                corrected.append(term)
        if not changed:
            return None
        scored, count = self.run(self.match_all(corrected), where, params, exact, limit, offset)
        return scored, count, " ".join(t.word for t in corrected)

    def _vocabulary(self, words: set[str]) -> dict:
        """Which words have a prefix match in the index, and for the others the indexed
        terms of about their length that share their first letter."""
        found, near = set(), {}
        with db.cursor() as cursor:
            for word in words:
                cursor.execute(
                    "SELECT term FROM catalog_search_vocab WHERE term >= %s AND term < %s "
                    "AND length(term) BETWEEN %s AND %s",
                    [word[0], chr(ord(word[0]) + 1), max(1, len(word) - 3), len(word) + 3],
                )
                terms = [row[0] for row in cursor.fetchall()]
                if any(t.startswith(word[: max(3, len(word) - 1)]) for t in terms):
                    found.add(word)
                near[word] = terms
        return {"found": found, "near": near}


class _Postgres:
    """A weighted tsvector with GIN; typos corrected against the index's lexemes."""

    def _term(self, term: Term) -> str:
        first = f"'{term.word}'" + (":*" if term.is_prefix else "")
        options = [first] + [
            "(" + " & ".join(f"'{w}'" for w in phrase) + ")" for phrase in term.alternatives
        ]
        return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"

    def match_all(self, terms: Sequence[Term]) -> str:
        return " & ".join(self._term(t) for t in terms)

    def match_any(self, terms: Sequence[Term]) -> str:
        return " | ".join(self._term(t) for t in terms)

    # The narrow catalog_search_pg stands in for catalog_searchdocument under its name, so
    # the WHERE clause the ORM compiled for the permission filter applies as it is.
    def run(self, match, where, params, exact, limit, offset) -> tuple[list, int]:
        sql = f"""
            SELECT id, score, count(*) OVER () AS total FROM (
                SELECT catalog_searchdocument.id, catalog_searchdocument.name,
                       ts_rank('{_PG_WEIGHTS}', catalog_searchdocument.search_vector, q, 32)
                       + CASE WHEN strpos(catalog_searchdocument.keys, %s) > 0
                              THEN 1.0 ELSE 0.0 END
                       + catalog_searchdocument.boost AS score
                FROM catalog_search_pg AS catalog_searchdocument, to_tsquery('english', %s) AS q
                WHERE catalog_searchdocument.search_vector @@ q AND ({where})
                OFFSET 0  -- scores first, so the count's window never carries the vectors
            ) AS matches
            ORDER BY score DESC, name
            LIMIT %s OFFSET %s
        """
        with db.cursor() as cursor:
            cursor.execute(sql, [exact, match, *params, limit, offset])
            rows = cursor.fetchall()
        return [(pk, score) for pk, score, _ in rows], (rows[0][2] if rows else 0)

    def fuzzy(self, terms, where, params, exact, limit, offset):
        """Words the index has never seen are replaced by the closest lexeme it has, as on
        SQLite, or left out when none is close; a query whose every word is known is left
        alone (None) for the any-word fallback.

        Leaving out a word no document has finds what the any-word fallback would rank
        first, from the far fewer documents that have all the other words: ranking every
        document with any word of "invoice status paid" is what made such queries slow.
        """
        words = [t.word for t in terms if not t.alternatives]
        unknown = {
            word: near
            for word, (is_known, near) in (self._near(words) if words else {}).items()
            if not (is_known and self.is_seen(word, where, params))
        }
        if not unknown:
            return None
        corrected = []
        for term in terms:
            if term.word not in unknown:
                corrected.append(term)
                continue
            near = [
                c
                for c in unknown[term.word]
                if c[0] == term.word[0] and abs(len(c) - len(term.word)) <= 3
            ]
            best = _closest_seen(self, term.word, near, where, params)
            if best:
                corrected.append(Term(best, term.alternatives, True))
        if not corrected:
            return None
        scored, count = self.run(self.match_all(corrected), where, params, exact, limit, offset)
        return scored, count, " ".join(t.word for t in corrected)

    def is_seen(self, word: str, where, params) -> bool:
        """Does a row that ``where`` keeps hold a word starting with ``word``?"""
        return self.run(self._term(Term(word)), where, params, "", 1, 0)[1] > 0

    def _near(self, words: Sequence[str]) -> dict[str, tuple[bool, list[str]]]:
        """Each word: whether a lexeme of the index starts with it (what ``'word':*``
        would match), and the lexemes most like it by trigrams, in one query.

        The index's lexemes are everyone's: a known word counts only if the person may
        see a row that holds it (`is_seen`), and a suggestion only if they may too.
        """
        # The stem is what to_tsquery would look for; a range on the "C"-collated key is
        # its prefix search (a LIKE on a value from the row could not use the index). The
        # nearest lexemes come from the partial GiST index of migration 0007 (KNN), whose
        # predicate the WHERE repeats.
        sql = """
            SELECT w.word, EXISTS (
                SELECT FROM catalog_search_lexeme AS v
                WHERE v.lexeme >= stem AND v.lexeme < stem || chr(1114111)
            ), ARRAY(
                SELECT v.lexeme FROM catalog_search_lexeme AS v
                WHERE v.lexeme ~ '^[[:alnum:]]+$'
                ORDER BY v.lexeme <-> w.word
                LIMIT 30
            )
            FROM unnest(%s::text[]) AS w(word),
                 coalesce((ts_lexize('english_stem', w.word))[1], w.word) AS stem
        """
        with db.cursor() as cursor:
            cursor.execute(sql, [list(words)])
            return {word: (is_known, near) for word, is_known, near in cursor.fetchall()}
