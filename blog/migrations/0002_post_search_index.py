"""The GIN index behind the blog's full-text search (PostgreSQL only)."""

from django.db import migrations

from routines.search import AddSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_initial"),
    ]

    operations = [
        AddSearchIndex(
            model_name="post",
            name="blog_post_search",
            fields=[("title", "A"), ("body", "B")],
        ),
    ]
