"""Template helpers for the blog: responsive images, post bodies with figures, the sidebar."""

from django import template
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from ..models import FIGURE_PLACEHOLDER, Category, Post

register = template.Library()

# Most blog images sit in the text column (at most 46rem); below that they fill the screen.
CONTENT_SIZES = "(min-width: 50rem) 46rem, calc(100vw - 2rem)"


@register.inclusion_tag("blog/_img.html")
def responsive_image(renditions, alt="", sizes=CONTENT_SIZES, loading="lazy", css_class=""):
    """An <img> with srcset, sizes and the intrinsic width and height (no layout shift)."""
    return {
        "renditions": renditions,
        "image": renditions.default if renditions else None,
        "alt": alt,
        "sizes": sizes,
        "loading": loading,
        "css_class": css_class,
    }


@register.simple_tag
def post_body(post: Post) -> str:
    """The post's HTML with each [[figure N]] line replaced by that figure.

    Figures the text does not place follow it, in order, so none is lost.
    """
    figures = {figure.number: figure for figure in post.figures.all()}
    placed = set()

    def figure_html(match) -> str:
        figure = figures.get(int(match[1]))
        if figure is None:
            return ""
        placed.add(figure.number)
        return render_to_string("blog/_figure.html", {"figure": figure})

    body = FIGURE_PLACEHOLDER.sub(figure_html, post.body_html)
    rest = [
        render_to_string("blog/_figure.html", {"figure": figure})
        for number, figure in figures.items()
        if number not in placed
    ]
    # body_html was sanitised by nh3 on save; the figures are rendered with autoescaping.
    return mark_safe(body + "".join(rest))  # noqa: S308


@register.filter
def responses(count: int, title: str) -> str:
    """WordPress's heading: "No Responses", "One Response to “T”", "5 Responses to “T”"."""
    if not count:
        return "No Responses"
    if count == 1:
        return f"One Response to “{title}”"
    return f"{count} Responses to “{title}”"


@register.inclusion_tag("blog/_sidebar.html", takes_context=True)
def blog_sidebar(context):
    """Search, categories with their post counts, and the months that have posts."""
    published = Q(posts__status=Post.Status.PUBLISHED, posts__published_at__lte=timezone.now())
    categories = (
        Category.objects.annotate(post_count=Count("posts", filter=published))
        .filter(post_count__gt=0)
        .order_by("name")
    )
    months = Post.objects.published().datetimes("published_at", "month", order="DESC")
    return {
        "categories": categories,
        "months": months,
        "query": context.get("query", ""),
        "request": context.get("request"),
    }
