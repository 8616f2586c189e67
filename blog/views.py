"""Blog pages: generic date views for lists and posts, one function view for posting a comment."""

import re
from datetime import date

from django.conf import settings
from django.core import signing
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST
from django.views.generic.dates import (
    ArchiveIndexView,
    DateDetailView,
    DayArchiveView,
    MonthArchiveView,
    YearArchiveView,
)

from routines.addresses import client_ip
from routines.caching import CSRF_TOKEN, CachedPageMixin, Hole
from routines.search import has_search_words

from . import spam
from .forms import CommentForm, parse_id
from .models import Post, comment_tree
from .services import comment_submit

POSTS_PER_PAGE = 10

# The ids of comments this browser sent that still await moderation: only their author sees
# them. The session is signed server-side state, so nobody can claim someone else's comment.
PENDING_SESSION_KEY = "blog_pending_comments"
PENDING_REMEMBERED = 20

# With the commenter's consent, their name, email and website, signed, for a year.
REMEMBER_COOKIE = "comment_author"
# The old module path, kept: a new salt would forget every remembered commenter.
REMEMBER_SALT = "psoasapp.blog.comment-author"
REMEMBER_MAX_AGE = 365 * 24 * 60 * 60


# The comment form's signed time, which must be when this visitor was shown the form.
COMMENT_FORM_TOKEN = Hole(
    re.compile(r'name="token" value="([^"]*)"'),
    lambda request, token: spam.token_refresh(token),
    keep_value=True,
)


class CalendarEdgeMixin:
    """A 404 for the calendar's first and last days, 0001-01-01 and 9999-12-31.

    Django's date views work out the day before or after the one asked for (for the
    previous/next links and the day's bounds), which Python cannot do there.
    """

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except OverflowError:
            raise Http404("Date out of range.") from None


class PostArchiveMixin(CalendarEdgeMixin, CachedPageMixin):
    """Published posts by publication date, with what a list entry shows, ten to a page."""

    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"
    paginate_by = POSTS_PER_PAGE
    allow_empty = True
    template_name = "blog/post_archive.html"

    def get_queryset(self):
        return Post.objects.published().for_lists()

    def get_heading(self) -> str:
        return "Blog"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = self.get_heading()
        query = self.request.GET.copy()
        query.pop("page", None)
        context["query_without_page"] = query.urlencode()
        return context


class PostIndexView(PostArchiveMixin, ArchiveIndexView):
    pass


class PostYearArchiveView(PostArchiveMixin, YearArchiveView):
    make_object_list = True

    def get_heading(self) -> str:
        return f"Posts from {self.get_year()}"


class PostMonthArchiveView(PostArchiveMixin, MonthArchiveView):
    def get_heading(self) -> str:
        return f"Posts from {date(int(self.get_year()), int(self.get_month()), 1):%B %Y}"


class PostDayArchiveView(PostArchiveMixin, DayArchiveView):
    def get_heading(self) -> str:
        day = date(int(self.get_year()), int(self.get_month()), int(self.get_day()))
        return f"Posts from {day.day} {day:%B %Y}"


class PostSubjectArchiveView(PostArchiveMixin, ArchiveIndexView):
    """Posts in one category, with one tag, or by one author (`subject_model` by slug)."""

    subject_model = None
    lookup = ""
    heading_format = "{}"
    feed_name = ""  # a URL name taking the subject's slug, for feed discovery

    def get_queryset(self):
        self.subject = get_object_or_404(self.subject_model, slug=self.kwargs["slug"])
        return super().get_queryset().filter(**{self.lookup: self.subject})

    def get_heading(self) -> str:
        return self.heading_format.format(self.subject)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(subject=self.subject, **kwargs)
        if self.feed_name:
            context["subject_feed_url"] = reverse(self.feed_name, args=[self.subject.slug])
        return context


class PostSearchView(PostArchiveMixin, ArchiveIndexView):
    def get_queryset(self):
        # A NUL byte cannot reach PostgreSQL; nobody types one.
        text = self.request.GET.get("q", "").replace("\x00", " ")
        self.query = " ".join(text.split())[:100]
        posts = super().get_queryset()
        if self.query and not has_search_words(self.query, using=posts.db):
            self.query = ""  # only stop words ("the", "and"): like an empty search box
        return posts.search(self.query) if self.query else posts.none()

    def get_heading(self) -> str:
        return f"Search results for “{self.query}”" if self.query else "Search the blog"

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.query, is_search=True, **kwargs)


def post_detail_queryset(user):
    """Posts with everything their page shows; staff also reach drafts and scheduled posts."""
    posts = Post.objects.select_related("author", "stretch__video").prefetch_related(
        "categories", "tags", "figures"
    )
    return posts if user.is_staff else posts.published()


class PostDetailView(CalendarEdgeMixin, CachedPageMixin, DateDetailView):
    date_field = "published_at"
    month_format = "%m"
    day_format = "%d"
    template_name = "blog/post_detail.html"
    context_object_name = "post"
    page_holes = (CSRF_TOKEN, COMMENT_FORM_TOKEN)
    # The form is filled in with the details this browser asked us to remember.
    personal_cookies = (REMEMBER_COOKIE,)

    def get_queryset(self):
        return post_detail_queryset(self.request.user)

    def get_allow_future(self) -> bool:
        # Staff preview scheduled posts at the address they will have.
        return self.request.user.is_staff

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(post_page_context(self.request, self.object))
        return context

    def render_to_response(self, context, **kwargs):
        return personal(super().render_to_response(context, **kwargs), context)


@require_POST
def comment_post(request: HttpRequest, pk: int) -> HttpResponse:
    """Take a comment: back to the post at the new comment, or the post again with the errors."""
    post = get_object_or_404(post_detail_queryset(request.user).published(), pk=pk)
    submission = comment_submit(
        post=post,
        data=request.POST,
        ip=client_ip(request),
        user_agent=request.headers.get("User-Agent", ""),
        user=request.user,
    )
    if not submission.accepted:
        context = {"post": post, **post_page_context(request, post, form=submission.form)}
        response = render(request, "blog/post_detail.html", context, status=400)
        return personal(response, context)

    comment = submission.comment
    if not comment.is_approved:
        pending = [pk for pk in pending_comment_ids(request) if pk != comment.pk]
        request.session[PENDING_SESSION_KEY] = [*pending, comment.pk][-PENDING_REMEMBERED:]
    response = redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")
    remember_commenter(response, submission.form.cleaned_data)
    return response


def post_page_context(request: HttpRequest, post: Post, *, form: CommentForm | None = None):
    """What the post page shows besides the post: its comments, the form, its neighbours."""
    comments = list(post.comments.thread(own_pks=pending_comment_ids(request)))
    by_pk = {comment.pk: comment for comment in comments}
    remembered = remembered_commenter(request)
    if form is None:
        reply_to = by_pk.get(parse_id(request.GET.get("replytocom")))
        if reply_to is not None and not reply_to.can_have_replies:
            reply_to = None
        initial = {**remembered, "parent": reply_to.pk if reply_to else ""}
        form = CommentForm(post=post, initial=initial)
    else:
        reply_to = by_pk.get(parse_id(form.data.get("parent")))
    return {
        "comments": comment_tree(comments),
        "comment_count": sum(comment.is_approved for comment in comments),
        "comment_form": form,
        "reply_to": reply_to,
        "previous_post": post.previous_post() if post.is_published else None,
        "next_post": post.next_post() if post.is_published else None,
        "is_preview": not post.is_published,
        "is_personal": bool(remembered) or any(not c.is_approved for c in comments),
    }


def personal(response: HttpResponse, context: dict) -> HttpResponse:
    """Keep shared caches from storing a page that shows one visitor's own details."""
    if context.get("is_personal"):
        patch_cache_control(response, private=True, no_store=True)
    return response


def pending_comment_ids(request: HttpRequest) -> list[int]:
    ids = request.session.get(PENDING_SESSION_KEY, [])
    return [pk for pk in ids if isinstance(pk, int)] if isinstance(ids, list) else []


def remembered_commenter(request: HttpRequest) -> dict:
    """The name, email and website this browser was asked to remember, to fill the form."""
    value = request.COOKIES.get(REMEMBER_COOKIE)
    if not value:
        return {}
    try:
        data = signing.loads(value, salt=REMEMBER_SALT, max_age=REMEMBER_MAX_AGE)
    except signing.BadSignature:
        return {}
    if not isinstance(data, dict):
        return {}
    fields = {key: str(data.get(key, "")) for key in ("name", "email", "website")}
    return {**fields, "remember": True}


def remember_commenter(response: HttpResponse, data: dict) -> None:
    """With consent, keep the commenter's details in a cookie; without it, keep nothing."""
    if not data.get("remember"):
        response.delete_cookie(REMEMBER_COOKIE, samesite="Lax")
        return
    value = signing.dumps(
        {key: data.get(key, "") for key in ("name", "email", "website")},
        salt=REMEMBER_SALT,
        compress=True,
    )
    response.set_cookie(
        REMEMBER_COOKIE,
        value,
        max_age=REMEMBER_MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
