"""RSS and Atom feeds: latest posts, a category's posts, and a post's comments.

Only published posts and approved comments appear, and no email address ever does.
"""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from .models import Category, Comment, Post

FEED_LENGTH = 20


class LatestPostsFeed(Feed):
    description = "New posts about releasing the psoas gently: anatomy, stretches and breathing."

    def title(self) -> str:
        return f"{settings.SITE_NAME}: blog"

    def link(self) -> str:
        return reverse("blog:post_index")

    def posts(self, obj=None):
        """The posts this feed draws from; the category feed narrows them."""
        return Post.objects.published()

    def items(self, obj=None):
        return (
            self.posts(obj)
            .select_related("author")
            .prefetch_related("categories")
            .order_by("-published_at", "-pk")[:FEED_LENGTH]
        )

    def item_title(self, post: Post) -> str:
        return post.title

    def item_description(self, post: Post) -> str:
        return post.summary

    def item_author_name(self, post: Post) -> str:
        return post.author.name

    def item_pubdate(self, post: Post):
        return post.published_at

    def item_updateddate(self, post: Post):
        return post.updated_at

    def item_categories(self, post: Post) -> list[str]:
        return [category.name for category in post.categories.all()]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed
    subtitle = LatestPostsFeed.description


class CategoryFeed(LatestPostsFeed):
    def get_object(self, request, slug: str) -> Category:
        return get_object_or_404(Category, slug=slug)

    def title(self, category: Category) -> str:
        return f"{settings.SITE_NAME}: {category.name}"

    def link(self, category: Category) -> str:
        return category.get_absolute_url()

    def description(self, category: Category) -> str:
        return category.description or f"Posts in {category.name}."

    def posts(self, category: Category):
        return super().posts().filter(categories=category)


class PostCommentsFeed(Feed):
    def get_object(self, request, year: str, month: str, day: str, slug: str) -> Post:
        try:
            posts = Post.objects.published().on_date(year, month, day)
        except (ValueError, OverflowError):  # 30 February; 9999-12-31, which has no next day
            raise Http404("No such date.") from None
        return get_object_or_404(posts, slug=slug)

    def title(self, post: Post) -> str:
        return f"Comments on “{post.title}”"

    def link(self, post: Post) -> str:
        return post.get_absolute_url()

    def description(self, post: Post) -> str:
        return f"Approved comments on “{post.title}”, newest first."

    def items(self, post: Post) -> list[Comment]:
        comments = list(
            post.comments.approved()
            .only(*Comment.PUBLIC_FIELDS)
            .order_by("-created_at", "-pk")[:FEED_LENGTH]
        )
        for comment in comments:
            comment.post = post  # so each link needs no query of its own
        return comments

    def item_title(self, comment: Comment) -> str:
        return f"By: {comment.name}"

    def item_description(self, comment: Comment) -> str:
        return comment.body_html

    def item_link(self, comment: Comment) -> str:
        return comment.get_absolute_url()

    def item_author_name(self, comment: Comment) -> str:
        return comment.name

    def item_pubdate(self, comment: Comment):
        return comment.created_at
