"""Background work for the blog: telling a post's author that a comment awaits them."""

from django.conf import settings
from django.core.mail import send_mail
from django.tasks import task
from django.template.loader import render_to_string
from django.urls import reverse

from .models import Comment


@task
def comment_notify_author(comment_id: int) -> bool:
    """Email the post's author about a comment awaiting moderation; False if nobody to tell.

    A worker runs it, so a slow or failing mail server never slows or breaks posting a comment.
    """
    comment = (
        Comment.objects.select_related("post__author__user")
        .filter(pk=comment_id, status=Comment.Status.PENDING)
        .first()
    )
    user = comment.post.author.user if comment else None
    if comment is None or user is None or not user.email:
        return False
    context = {
        "comment": comment,
        "post": comment.post,
        "site_name": settings.SITE_NAME,
        "post_url": settings.SITE_URL + comment.post.get_absolute_url(),
        "moderate_url": settings.SITE_URL
        + reverse("admin:blog_comment_changelist")
        + "?status__exact=pending",
        "change_url": settings.SITE_URL + reverse("admin:blog_comment_change", args=[comment.pk]),
    }
    send_mail(
        subject=f"[{settings.SITE_NAME}] A comment awaits you on “{comment.post.title}”",
        message=render_to_string("blog/email/comment_pending.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        recipient_list=[user.email],
    )
    return True
