"""Keep media/ and the page cache in step with the rows: a deleted video leaves no files
behind, and any change to what visitors see replaces the stored pages."""

from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from .caching import content_changed
from .models import BodyArea, BreathingPattern, Routine, RoutineStep, Stretch, Video

CONTENT_MODELS = [BodyArea, BreathingPattern, Routine, RoutineStep, Stretch, Video]

for model in CONTENT_MODELS:
    post_save.connect(content_changed, sender=model, dispatch_uid=f"content-saved-{model}")
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-deleted-{model}")
m2m_changed.connect(
    content_changed, sender=Stretch.body_areas.through, dispatch_uid="content-stretch-areas"
)


@receiver(post_delete, sender=Video)
def delete_video_files(sender, instance: Video, **kwargs):
    files = instance.stored_files()

    def delete():
        for f in files:
            f.storage.delete(f.name)

    # Only once the row is really gone: a rolled-back delete keeps its files.
    transaction.on_commit(delete)
