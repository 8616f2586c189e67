"""Keep media/ in step with Video rows: a deleted row leaves no files behind."""

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from .models import Video


@receiver(post_delete, sender=Video)
def delete_video_files(sender, instance: Video, **kwargs):
    files = instance.stored_files()

    def delete():
        for f in files:
            f.storage.delete(f.name)

    # Only once the row is really gone: a rolled-back delete keeps its files.
    transaction.on_commit(delete)
