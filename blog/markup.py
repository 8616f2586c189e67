"""Text to safe HTML: Markdown post bodies (staff) and plain-text comments (anyone).

Both go through nh3 with an explicit allow-list, so whatever reaches a template is safe to mark
as such.
"""

import re

import markdown
import nh3
from django.utils.html import Urlizer, linebreaks

POST_TAGS = {
    "a",
    "abbr",
    "blockquote",
    "br",
    "code",
    "dd",
    "del",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "img",
    "kbd",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
POST_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "ol": {"start"},
}
MARKDOWN_EXTENSIONS = ["abbr", "def_list", "fenced_code", "sane_lists", "smarty", "tables"]

COMMENT_TAGS = {"p", "br", "a"}
COMMENT_LINK_REL = "nofollow ugc"
# Commenters' links are shortened for display; the href keeps the whole address.
COMMENT_URL_DISPLAY_LIMIT = 60

_HEADING = re.compile(r"<(/?)h([1-6])\b")


class WebUrlizer(Urlizer):
    """Django's urlize for web addresses only: an email address in a comment stays plain text."""

    @staticmethod
    def is_email_simple(value) -> bool:
        return False


urlize_web = WebUrlizer()


def markdown_to_html(text: str) -> str:
    """A post body in Markdown as sanitised HTML, its headings shifted to start at h2.

    The post's title is the page's h1; whether the author wrote "#" or "##" for a section, it
    becomes an h2, so the outline never skips a level.
    """
    html = markdown.markdown(text, extensions=MARKDOWN_EXTENSIONS, output_format="html")
    levels = [int(level) for _, level in _HEADING.findall(html)]
    if levels:
        shift = 2 - min(levels)
        html = _HEADING.sub(lambda m: f"<{m[1]}h{min(int(m[2]) + shift, 6)}", html)
    return nh3.clean(
        html,
        tags=POST_TAGS,
        attributes=POST_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def comment_to_html(text: str) -> str:
    """A plain-text comment as HTML: escaped, paragraphs kept, web addresses linked.

    urlize escapes the text itself; nh3 then keeps only paragraphs, line breaks and http(s)
    links, and gives every link rel="nofollow ugc" so spam earns nothing from search engines.
    """
    html = linebreaks(
        urlize_web(text.strip(), trim_url_limit=COMMENT_URL_DISPLAY_LIMIT, autoescape=True),
        autoescape=False,
    )
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel=COMMENT_LINK_REL,
    )
