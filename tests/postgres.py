"""Helpers for tests of what only PostgreSQL does: full-text search and its indexes."""

import pytest
from django.db import connection

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="PostgreSQL only: `make test` runs it in its second pass (DATABASE_URL=postgres://…)",
)


# Big enough that reading every row costs more than the index (the planner's choice).
MANY_ROWS = 2000


def index_names(table: str) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s", [table])
        return {name for (name,) in cursor.fetchall()}


def filler_words(count: int, seed: int) -> str:
    """Words no test searches for ("word17 word42 …"), to make tables as large as real ones."""
    return " ".join(f"word{(seed * 7 + n * 13) % 97}" for n in range(count))


def analyzed_plan(queryset, index: str) -> str:
    """The plan PostgreSQL picks for `queryset` once the table is as autovacuum leaves it.

    New rows wait in a GIN index's pending list, which makes the index look costly to the
    planner, until autovacuum merges them; gin_clean_pending_list() does that now, and
    ANALYZE (which counts rows this test's own transaction inserted) gives the statistics.
    """
    table = connection.ops.quote_name(queryset.model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list(%s::regclass)", [index])
        cursor.execute(f"ANALYZE {table}")
    return queryset.explain()
