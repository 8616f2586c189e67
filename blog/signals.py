"""Keep media/ and the page cache in step with blog rows: a deleted post, figure or profile
leaves no files behind, and a change visitors would see replaces the stored pages."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from routines.caching import content_changed

from .images import files_delete_on_commit, stored_names
from .models import AuthorProfile, Category, Comment, Figure, Post, Tag

CONTENT_MODELS = [AuthorProfile, Category, Figure, Post, Tag]

for model in CONTENT_MODELS:
    post_save.connect(content_changed, sender=model, dispatch_uid=f"content-saved-{model}")
for model in [*CONTENT_MODELS, Comment]:
    post_delete.connect(content_changed, sender=model, dispatch_uid=f"content-deleted-{model}")
for through in (Post.categories.through, Post.tags.through):
    m2m_changed.connect(content_changed, sender=through, dispatch_uid=f"content-{through}")


@receiver(post_save, sender=Comment)
def comment_saved(sender, instance: Comment, created: bool, **kwargs):
    """A new comment that waits for moderation changes no public page; anything else may."""
    if not created or instance.is_approved:
        content_changed()


@receiver(post_delete, sender=Post)
@receiver(post_delete, sender=Figure)
def delete_image_files(sender, instance, **kwargs):
    files_delete_on_commit(stored_names(instance.image_renditions))


@receiver(post_delete, sender=AuthorProfile)
def delete_avatar_files(sender, instance, **kwargs):
    files_delete_on_commit(stored_names(instance.avatar_renditions))
