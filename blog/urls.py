from django.urls import path, register_converter

from . import feeds, views
from .models import AuthorProfile, Category, Tag


class TwoDigitsConverter:
    """A month or day in a permalink: always two digits, as WordPress writes them."""

    regex = "[0-9]{2}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value) -> str:
        return f"{int(value):02d}"


class YearConverter(TwoDigitsConverter):
    regex = "[0-9]{4}"

    def to_url(self, value) -> str:
        return f"{int(value):04d}"


register_converter(TwoDigitsConverter, "blog_two_digits")
register_converter(YearConverter, "blog_year")

app_name = "blog"

POST = "<blog_year:year>/<blog_two_digits:month>/<blog_two_digits:day>/<slug:slug>/"

urlpatterns = [
    path("", views.PostIndexView.as_view(), name="post_index"),
    path("search/", views.PostSearchView.as_view(), name="search"),
    path("feed/", feeds.LatestPostsFeed(), name="feed"),
    path("feed/atom/", feeds.LatestPostsAtomFeed(), name="feed_atom"),
    path(
        "category/<slug:slug>/",
        views.PostSubjectArchiveView.as_view(
            subject_model=Category,
            lookup="categories",
            heading_format="Category: {}",
            feed_name="blog:category_feed",
        ),
        name="category",
    ),
    path("category/<slug:slug>/feed/", feeds.CategoryFeed(), name="category_feed"),
    path(
        "tag/<slug:slug>/",
        views.PostSubjectArchiveView.as_view(
            subject_model=Tag, lookup="tags", heading_format="Tagged “{}”"
        ),
        name="tag",
    ),
    path(
        "author/<slug:slug>/",
        views.PostSubjectArchiveView.as_view(
            subject_model=AuthorProfile, lookup="author", heading_format="Posts by {}"
        ),
        name="author",
    ),
    path("comment/<int:pk>/", views.comment_post, name="comment_post"),
    path("<blog_year:year>/", views.PostYearArchiveView.as_view(), name="year_archive"),
    path(
        "<blog_year:year>/<blog_two_digits:month>/",
        views.PostMonthArchiveView.as_view(),
        name="month_archive",
    ),
    path(
        "<blog_year:year>/<blog_two_digits:month>/<blog_two_digits:day>/",
        views.PostDayArchiveView.as_view(),
        name="day_archive",
    ),
    path(POST, views.PostDetailView.as_view(), name="post_detail"),
    path(POST + "feed/", feeds.PostCommentsFeed(), name="post_comments_feed"),
]
