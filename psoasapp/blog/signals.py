"""Keep media/ in step with blog rows: a deleted post, figure or profile leaves no files behind."""

from django.db.models.signals import post_delete
from django.dispatch import receiver

from .images import files_delete_on_commit, stored_names
from .models import AuthorProfile, Figure, Post


@receiver(post_delete, sender=Post)
@receiver(post_delete, sender=Figure)
def delete_image_files(sender, instance, **kwargs):
    files_delete_on_commit(stored_names(instance.image_renditions))


@receiver(post_delete, sender=AuthorProfile)
def delete_avatar_files(sender, instance, **kwargs):
    files_delete_on_commit(stored_names(instance.avatar_renditions))
