"""Full-text search on PostgreSQL for the stretch library and the blog, and its GIN index.

Stemmed (English), ranked and read like a web search box; SQLite keeps the models' own
word-by-word search.
"""

import operator
from collections.abc import Sequence
from functools import reduce

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections, models
from django.db.migrations.operations.base import Operation
from django.db.models import Func, Q

SEARCH_CONFIG = "english"

# (field, weight) pairs; weight A ranks highest, then B, C and D.
WeightedFields = Sequence[tuple[str, str]]


def is_postgresql(queryset: models.QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def search_document(fields: WeightedFields) -> SearchVector:
    """The text searched, as one tsvector: the expression the GIN index is built on."""
    vectors = [SearchVector(name, config=SEARCH_CONFIG, weight=weight) for name, weight in fields]
    return reduce(operator.add, vectors)


def search_query(text: str) -> SearchQuery:
    # websearch_to_tsquery never fails on what a person types: quotes make a phrase, a
    # leading minus excludes a word, "or" offers alternatives, other punctuation is ignored.
    return SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")


def full_text_search(queryset: models.QuerySet, text: str, fields: WeightedFields):
    """Rows of `queryset` matching `text`, annotated with `search_rank` (higher is better).

    A query with no word left to look for (empty, punctuation, only stop words like "the")
    narrows nothing, as an empty search box does. The caller orders by rank.
    """
    query = search_query(text)
    # numnode(…) is computed once when the query is planned, so when the query does have
    # words the planner drops this branch and the match is answered from the GIN index.
    word_count = Func(query, function="numnode", output_field=models.IntegerField())
    document = search_document(fields)
    return (
        queryset.alias(search_document=document, search_word_count=word_count)
        .filter(Q(search_document=query) | Q(search_word_count=0))
        .annotate(search_rank=SearchRank(document, query))
    )


def has_search_words(text: str, *, using: str) -> bool:
    """Whether `text` leaves PostgreSQL any word to search for (stop words alone do not)."""
    if connections[using].vendor != "postgresql":
        return bool(text.split())
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT numnode(websearch_to_tsquery(%s::regconfig, %s))", [SEARCH_CONFIG, text]
        )
        return cursor.fetchone()[0] > 0


class AddSearchIndex(Operation):
    """Create a GIN index on a model's search document, on PostgreSQL only.

    The index stays out of the migration state: SQLite never learns of it (its table
    rebuilds recreate every index the state lists) and makemigrations has nothing to add.
    `fields` must match what the model's search() passes to full_text_search(), or the
    planner cannot use the index.
    """

    reversible = True

    def __init__(self, model_name: str, name: str, fields: WeightedFields):
        self.model_name = model_name
        self.name = name
        self.fields = [tuple(pair) for pair in fields]

    def index(self) -> GinIndex:
        return GinIndex(search_document(self.fields), name=self.name)

    def deconstruct(self):
        kwargs = {"model_name": self.model_name, "name": self.name, "fields": self.fields}
        return (self.__class__.__qualname__, [], kwargs)

    def state_forwards(self, app_label, state):
        pass

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = to_state.apps.get_model(app_label, self.model_name)
            schema_editor.add_index(model, self.index())

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            model = from_state.apps.get_model(app_label, self.model_name)
            schema_editor.remove_index(model, self.index())

    def describe(self) -> str:
        return f"Create full-text search index {self.name} on {self.model_name} (PostgreSQL)"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name.lower()}_search_index"
