"""The full-text query of each database, one result contract: ``(id, score)`` rows, best
first, and how many matched.

The score of a match is its text rank divided by the best text rank among the matches
(so 1.0 for the best text match, whatever the database's scale), plus 2.2 for an exact
match of the full name (2.0 of a shorter one: without schema, a column without its
table), plus the document's boost (usage up to 0.3; a column or block a little below
its table or notebook; a deprecated asset far below), plus 3.0 for the kind a question
asks for ("which notebook ...", a pasted SQL fragment: blocks). A column is found only
by words of its own (name, description, type): the words of its table's name find the
table, not its twenty columns.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import connection as db

EXACT_FULL, EXACT_SHORT, PREFERRED = 2.2, 2.0, 3.0
_PG_WEIGHTS = "{0.1, 0.2, 0.4, 1.0}"  # D, C, B, A
_FTS_WEIGHTS = "10.0, 4.0, 2.0, 1.0"  # name, description, columns, body


@dataclass(frozen=True)
class Term:
    """A word of the query, and the phrases a synonym says it also means."""

    word: str
    alternatives: tuple[tuple[str, ...], ...] = ()
    is_prefix: bool = True


@dataclass(frozen=True)
class Plan:
    """How to rank one query: its exact-name key ('|billing daily|', '' for none), the kinds
    it asks for ('block metric', '' for none), and the page."""

    exact: str
    prefer: str
    limit: int
    offset: int


def closest(word: str, candidates: Sequence[str]) -> str | None:
    """The indexed term closest to a word the index does not know, if one is close enough.

    Examples:
        >>> closest("billng", ["bill", "balanc", "billion"])
        'bill'
    """
    return next(iter(difflib.get_close_matches(word, candidates, n=1, cutoff=0.7)), None)


def closest_seen(db, word: str, candidates: Sequence[str], where, params) -> str | None:
    """The closest of ``candidates`` (close enough, as `closest` says) that a row the user
    may see holds: a word only other people's documents hold is never suggested."""
    for candidate in difflib.get_close_matches(word, candidates, n=5, cutoff=0.7):
        if db.is_seen(candidate, where, params):
            return candidate
    return None


def _is_seen(db, word: str, where, params) -> bool:
    """Does a row that ``where`` keeps hold a word starting with ``word``?"""
    term = Term(word)
    return db.run(Plan("", "", 1, 0), db._term(term), db.own([term]), where, params)[1] > 0


def _score_params(plan: Plan) -> list:
    exact = plan.exact or "\x01"  # no key holds it
    return [exact, exact, f" {plan.prefer} "]


class Sqlite:
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

    def own(self, terms: Sequence[Term]) -> str:
        return "{name_text doc_text body} : (" + self.match_any(terms) + ")"

    def run(self, plan: Plan, match: str, own: str, where: str, params) -> tuple[list, int]:
        sql = f"""
            SELECT id, score, total FROM (
                SELECT catalog_searchdocument.id, catalog_searchdocument.name,
                       m.r / max(m.r) OVER ()
                       + CASE WHEN instr(catalog_searchdocument.keys, %s) = 1 THEN {EXACT_FULL}
                              WHEN instr(catalog_searchdocument.keys, %s) > 0 THEN {EXACT_SHORT}
                              ELSE 0.0 END
                       + CASE WHEN instr(%s, ' ' || catalog_searchdocument.kind || ' ') > 0
                              THEN {PREFERRED} ELSE 0.0 END
                       + catalog_searchdocument.boost AS score,
                       count(*) OVER () AS total
                FROM (SELECT rowid AS rid, -bm25(catalog_search_fts, {_FTS_WEIGHTS}) AS r
                      FROM catalog_search_fts WHERE catalog_search_fts MATCH %s) AS m
                JOIN catalog_searchdocument ON catalog_searchdocument.id = m.rid
                WHERE ({where}) AND (catalog_searchdocument.kind <> 'column' OR m.rid IN (
                    SELECT rowid FROM catalog_search_fts WHERE catalog_search_fts MATCH %s))
            )
            ORDER BY score DESC, name
            LIMIT %s OFFSET %s
        """
        args = [*_score_params(plan), match, *params, own, plan.limit, plan.offset]
        with db.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()
        return [(pk, score) for pk, score, _ in rows], (rows[0][2] if rows else 0)

    def is_seen(self, word: str, where, params) -> bool:
        return _is_seen(self, word, where, params)

    def fuzzy(self, plan: Plan, terms, where, params):
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
            best = closest_seen(self, term.word, known["near"].get(term.word, []), where, params)
            if best:
                corrected.append(Term(best, term.alternatives, True))
                changed = True
            else:
                corrected.append(term)
        if not changed:
            return None
        match, own = self.match_all(corrected), self.own(corrected)
        scored, count = self.run(plan, match, own, where, params)
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


class Postgres:
    """A weighted tsvector with GIN; typos corrected against the index's lexemes."""

    def _term(self, term: Term, weights: str = "") -> str:
        first = f"'{term.word}'" + (":*" if term.is_prefix else ":" if weights else "")
        first += weights
        options = [first] + [
            "(" + " & ".join(f"'{w}'" + (f":{weights}" if weights else "") for w in phrase) + ")"
            for phrase in term.alternatives
        ]
        return options[0] if len(options) == 1 else "(" + " | ".join(options) + ")"

    def match_all(self, terms: Sequence[Term]) -> str:
        return " & ".join(self._term(t) for t in terms)

    def match_any(self, terms: Sequence[Term]) -> str:
        return " | ".join(self._term(t) for t in terms)

    def own(self, terms: Sequence[Term]) -> str:
        """Any term in a column's own text: its name (A), description (B) or type (D)."""
        return " | ".join(self._term(t, "ABD") for t in terms)

    # The narrow catalog_search_pg stands in for catalog_searchdocument under its name, so
    # the WHERE clause the ORM compiled for the permission filter applies as it is.
    def run(self, plan: Plan, match: str, own: str, where: str, params) -> tuple[list, int]:
        sql = f"""
            SELECT id, score, total FROM (
                SELECT id, name,
                       r / greatest(max(r) OVER (), 1e-9)
                       + CASE WHEN strpos(keys, %s) = 1 THEN {EXACT_FULL}
                              WHEN strpos(keys, %s) > 0 THEN {EXACT_SHORT} ELSE 0.0 END
                       + CASE WHEN strpos(%s, ' ' || kind || ' ') > 0
                              THEN {PREFERRED} ELSE 0.0 END
                       + boost AS score,
                       count(*) OVER () AS total
                FROM (
                    SELECT catalog_searchdocument.id, catalog_searchdocument.name,
                           catalog_searchdocument.keys, catalog_searchdocument.kind,
                           catalog_searchdocument.boost,
                           ts_rank('{_PG_WEIGHTS}', catalog_searchdocument.search_vector, q) AS r
                    FROM catalog_search_pg AS catalog_searchdocument,
                         to_tsquery('english', %s) AS q, to_tsquery('english', %s) AS own
                    WHERE catalog_searchdocument.search_vector @@ q AND ({where})
                      AND (catalog_searchdocument.kind <> 'column'
                           OR catalog_searchdocument.search_vector @@ own)
                    OFFSET 0  -- scores first, so the windows never carry the vectors
                ) AS ranked
            ) AS matches
            ORDER BY score DESC, name
            LIMIT %s OFFSET %s
        """
        args = [*_score_params(plan), match, own, *params, plan.limit, plan.offset]
        with db.cursor() as cursor:
            cursor.execute(sql, args)
            rows = cursor.fetchall()
        return [(pk, score) for pk, score, _ in rows], (rows[0][2] if rows else 0)

    def fuzzy(self, plan: Plan, terms, where, params):
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
            best = closest_seen(self, term.word, near, where, params)
            if best:
                corrected.append(Term(best, term.alternatives, True))
        if not corrected:
            return None
        match, own = self.match_all(corrected), self.own(corrected)
        scored, count = self.run(plan, match, own, where, params)
        return scored, count, " ".join(t.word for t in corrected)

    def is_seen(self, word: str, where, params) -> bool:
        return _is_seen(self, word, where, params)

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


def backend() -> Sqlite | Postgres:
    return Postgres() if db.vendor == "postgresql" else Sqlite()
