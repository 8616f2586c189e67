"""The comment flow in one place: spam checks, then save, then tell the post's author."""

from dataclasses import dataclass
from functools import partial

from django.db import transaction

from . import spam
from .forms import CommentForm
from .models import Comment, Post
from .tasks import comment_notify_author

COMMENTS_CLOSED = "Comments are closed on this post, so your comment was not sent."


@dataclass
class CommentSubmission:
    """What became of a comment: saved (`comment` set) or refused (`form` says why)."""

    form: CommentForm
    comment: Comment | None = None

    @property
    def accepted(self) -> bool:
        return self.comment is not None


def comment_submit(
    *, post: Post, data, ip: str | None, user_agent: str, user=None
) -> CommentSubmission:
    """Check a comment sent to `post`, save it with the status it earns, and notify.

    A refusal (closed post, honeypot, timestamp, flood) comes back as a form error in plain
    words, the form still holding what the person typed. Disallowed words make a comment spam;
    too many links hold it for moderation.
    """
    form = CommentForm(data, post=post)
    if not post.accepts_comments:
        form.is_valid()
        form.add_error(None, COMMENTS_CLOSED)
    elif form.is_valid() and (refusal := _refusal(form, post=post, ip=ip)):
        form.add_error(None, refusal)
    if not form.is_valid():
        form.refresh_token()
        return CommentSubmission(form)

    comment = form.save(commit=False)
    comment.ip_address = ip
    comment.user_agent = user_agent[:500]
    comment.status = comment_status(comment, user=user)
    comment.save()
    if comment.status == Comment.Status.PENDING:
        transaction.on_commit(partial(comment_notify_author.enqueue, comment.pk))
    return CommentSubmission(form, comment)


def comment_status(comment: Comment, *, user=None) -> str:
    """The status a new comment earns, by WordPress's rules.

    Staff are trusted; a disallowed word makes spam; more links than allowed wait for a person;
    otherwise an email address with an approved comment already is let through.
    """
    if user is not None and user.is_staff:
        return Comment.Status.APPROVED
    fields = [comment.name, comment.email, comment.website, comment.body, comment.user_agent]
    if spam.disallowed_word_in(*fields, str(comment.ip_address or "")):
        return Comment.Status.SPAM
    if spam.has_too_many_links(comment.body):
        return Comment.Status.PENDING
    if Comment.objects.approved().filter(email__iexact=comment.email).exists():
        return Comment.Status.APPROVED
    return Comment.Status.PENDING


def _refusal(form: CommentForm, *, post: Post, ip: str | None) -> str | None:
    if form.cleaned_data.get("subject"):
        return spam.HONEYPOT_FILLED
    if problem := spam.token_problem(form.cleaned_data.get("token", ""), post.pk):
        return problem
    # Last, so that only a comment about to be saved starts the wait.
    return spam.flood_problem(ip)
