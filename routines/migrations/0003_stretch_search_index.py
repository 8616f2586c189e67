"""The GIN index behind the stretch library's full-text search (PostgreSQL only)."""

from django.db import migrations

from routines.search import AddSearchIndex


class Migration(migrations.Migration):
    dependencies = [
        ("routines", "0002_video_processing"),
    ]

    operations = [
        AddSearchIndex(
            model_name="stretch",
            name="routines_stretch_search",
            fields=[("title", "A"), ("summary", "B"), ("cues", "C")],
        ),
    ]
