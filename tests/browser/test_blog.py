"""The blog in Chromium: leaving a comment, replying in place, and accessibility."""

import re

import pytest
from playwright.sync_api import expect

from blog.demo import POST_SLUG
from blog.models import Comment, Post
from tests.browser.conftest import assert_accessible


@pytest.fixture
def quick_commenting(settings):
    """A test fills the form in milliseconds; a person takes more than the minimum."""
    settings.BLOG_COMMENT_MIN_SECONDS = 0
    settings.BLOG_COMMENT_FLOOD_SECONDS = 0


@pytest.fixture
def refusal_page(context, live_server):
    """Like `page`, but a refused comment answers 400, which Chromium logs as a console error
    for the document itself; any other error, and every script error, still fails the test."""
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" and "status of 400" not in message.text
            else None
        ),
    )
    page.base_url = live_server.url
    yield page
    assert not errors, f"the page logged errors: {errors}"


def demo_post() -> Post:
    return Post.objects.published().get(slug=POST_SLUG)


def fill_comment(page, *, body: str, name: str, email: str) -> None:
    page.get_by_role("textbox", name=re.compile(r"^Comment")).fill(body)
    page.get_by_role("textbox", name=re.compile(r"^Name")).fill(name)
    page.get_by_role("textbox", name=re.compile(r"^Email")).fill(email)
    page.get_by_role("button", name="Post Comment").click()


def test_leave_a_comment_and_see_it_await_moderation(page, demo, quick_commenting, browser):
    post = demo_post()
    page.goto(page.base_url + post.get_absolute_url())
    expect(page.get_by_role("heading", name=re.compile(r"4 Responses to"))).to_be_visible()
    fill_comment(
        page, body="Ten minutes of rest and my back is quiet.", name="Ada", email="ada@example.com"
    )

    comment = Comment.objects.get(email="ada@example.com")
    assert comment.status == Comment.Status.PENDING
    expect(page).to_have_url(re.compile(rf"#comment-{comment.pk}$"))
    mine = page.locator(f"#comment-{comment.pk}")
    expect(mine).to_contain_text("Ten minutes of rest and my back is quiet.")
    expect(mine.get_by_text("Your comment is awaiting moderation.")).to_be_visible()

    stranger = browser.new_page()
    stranger.goto(page.base_url + post.get_absolute_url())
    expect(stranger.get_by_role("heading", name=re.compile(r"4 Responses to"))).to_be_visible()
    expect(stranger.get_by_text("Ten minutes of rest")).to_have_count(0)
    stranger.close()


def test_reply_moves_the_form_under_the_comment(page, demo, quick_commenting):
    post = demo_post()
    parent = post.comments.get(name="Tomás Reyes")
    page.goto(page.base_url + post.get_absolute_url())
    page.get_by_role("link", name="Reply to Tomás Reyes").click()

    form_under_comment = page.locator(f"#comment-{parent.pk} #respond")
    expect(form_under_comment).to_be_visible()
    expect(page.get_by_role("heading", name="Leave a Reply to Tomás Reyes")).to_be_visible()
    expect(page.get_by_role("textbox", name=re.compile(r"^Comment"))).to_be_focused()

    page.get_by_role("link", name="Cancel reply").click()
    expect(form_under_comment).to_have_count(0)
    expect(page.get_by_role("heading", name="Leave a Reply", exact=True)).to_be_visible()

    page.get_by_role("link", name="Reply to Tomás Reyes").click()
    # Tomás has an approved comment already, so his reply is published at once.
    fill_comment(
        page,
        body="The tuck made all the difference.",
        name="Tomás",
        email="tomas.reyes@example.org",
    )
    reply = Comment.objects.get(body="The tuck made all the difference.")
    assert (reply.parent, reply.status) == (parent, Comment.Status.APPROVED)
    replies = page.locator(f"#comment-{parent.pk} .comment-list--children")
    expect(replies).to_contain_text("The tuck made all the difference.")


def test_reply_link_works_without_javascript(browser, live_server, demo):
    post = demo_post()
    parent = post.comments.get(name="June Whitfield")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + post.get_absolute_url())
    page.get_by_role("link", name="Reply to June Whitfield").click()
    expect(page).to_have_url(re.compile(rf"\?replytocom={parent.pk}#respond$"))
    expect(page.get_by_role("heading", name="Leave a Reply to June Whitfield")).to_be_visible()
    assert page.locator('input[name="parent"]').input_value() == str(parent.pk)
    context.close()


def test_a_refused_comment_keeps_what_was_typed(refusal_page, demo, quick_commenting):
    page = refusal_page
    page.goto(page.base_url + demo_post().get_absolute_url())
    fill_comment(page, body="Please keep this text.", name="Ada", email="not an email")
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Your comment was not sent")
    expect(alert).to_contain_text("like name@example.com")
    expect(page.get_by_role("textbox", name=re.compile(r"^Comment"))).to_have_value(
        "Please keep this text."
    )
    expect(page.get_by_role("textbox", name=re.compile(r"^Email"))).to_have_value("not an email")
    assert not Comment.objects.filter(body="Please keep this text.").exists()


@pytest.mark.parametrize("path", ["/blog/", "post", "post-with-error"])
def test_blog_pages_have_no_accessibility_violations(
    refusal_page, demo, axe, quick_commenting, path
):
    page = refusal_page
    if path == "/blog/":
        page.goto(page.base_url + path)
    else:
        page.goto(page.base_url + demo_post().get_absolute_url())
        page.get_by_role("img", name=re.compile("diagram")).first.wait_for()
        if path == "post-with-error":
            page.get_by_role("button", name="Post Comment").click()
            expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(axe, page)
