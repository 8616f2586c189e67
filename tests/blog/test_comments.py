"""The whole comment flow: moderation, replies, consent, spam and flood defences, errors."""

import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from blog import spam
from blog.models import Comment
from blog.views import PENDING_SESSION_KEY, REMEMBER_COOKIE
from tests.blog.factories import comment_data, make_author, make_comment, make_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def post():
    return make_post(title="Releasing the psoas")


def send(client, post, **overrides):
    return client.post(f"/blog/comment/{post.pk}/", comment_data(post, **overrides))


def refused(response, message: str, *, form: bool = True) -> str:
    """The post shown again with the reason (and the form, anchored, unless comments closed)."""
    html = response.content.decode()
    assert response.status_code == 400
    assert 'role="alert"' in html and message in html, html[html.find('id="respond"') :][:2000]
    if form:
        assert 'action="/blog/comment/' in html and '#respond"' in html
    return html


def test_a_first_comment_waits_for_moderation_and_only_its_author_sees_it(client, post):
    response = send(client, post, body="My very first comment.")
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.PENDING
    assert response.status_code == 302
    assert response["Location"] == f"{post.get_absolute_url()}#comment-{comment.pk}"

    mine = client.get(post.get_absolute_url()).content.decode()
    assert "My very first comment." in mine
    assert "Your comment is awaiting moderation." in mine

    theirs = Client().get(post.get_absolute_url()).content.decode()
    assert "My very first comment." not in theirs
    assert "awaiting moderation" not in theirs


def test_the_pending_notice_comes_from_the_session_not_a_forgeable_cookie(client, post):
    other = make_comment(post, status=Comment.Status.PENDING, body="Someone else's secret.")
    client.cookies["blog_pending_comments"] = str(other.pk)
    client.cookies["comment_ids"] = str(other.pk)
    assert "Someone else's secret." not in client.get(post.get_absolute_url()).content.decode()
    session = client.session
    session[PENDING_SESSION_KEY] = [other.pk]
    session.save()
    assert "Someone else's secret." in client.get(post.get_absolute_url()).content.decode()


def test_an_approved_comment_is_shown_to_everyone(client, post):
    send(client, post, body="Worth the wait.")
    Comment.objects.update(status=Comment.Status.APPROVED)
    html = Client().get(post.get_absolute_url()).content.decode()
    assert "Worth the wait." in html and "awaiting moderation" not in html
    assert "One Response to “Releasing the psoas”" in html


def test_an_email_with_an_approved_comment_is_approved_at_once(client, post):
    make_comment(make_post(title="Earlier post"), email="Known@Example.com")
    send(client, post, email="known@example.com", body="Back again.")
    assert Comment.objects.get(body="Back again.").status == Comment.Status.APPROVED


def test_an_email_with_only_pending_or_spam_comments_still_waits(client, post):
    make_comment(post, email="new@example.com", status=Comment.Status.PENDING)
    make_comment(post, email="new@example.com", status=Comment.Status.SPAM)
    send(client, post, email="new@example.com", body="Still new.")
    assert Comment.objects.get(body="Still new.").status == Comment.Status.PENDING


def test_staff_comments_are_approved(client, post, admin_user):
    client.force_login(admin_user)
    send(client, post, body="From the teacher.")
    assert Comment.objects.get().status == Comment.Status.APPROVED


def test_ip_address_and_user_agent_are_kept_for_moderation(client, post):
    client.post(
        f"/blog/comment/{post.pk}/",
        comment_data(post),
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT="Firefox/140",
    )
    comment = Comment.objects.get()
    assert (comment.ip_address, comment.user_agent) == ("203.0.113.7", "Firefox/140")


def test_behind_a_proxy_the_address_comes_from_x_forwarded_for(client, post, settings):
    settings.PSOASAPP_TRUST_X_FORWARDED_FOR = True
    client.post(
        f"/blog/comment/{post.pk}/",
        comment_data(post),
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.50",
    )
    assert Comment.objects.get().ip_address == "203.0.113.50"


def test_a_reply_is_saved_under_its_parent_and_shown_nested(client, post):
    parent = make_comment(post, name="Maren", body="Top-level thought.")
    response = send(client, post, parent=str(parent.pk), email="maren2@example.com", body="Re.")
    reply = Comment.objects.get(body="Re.")
    assert response.status_code == 302
    assert (reply.parent, reply.depth) == (parent, 1)
    Comment.objects.update(status=Comment.Status.APPROVED)
    html = client.get(post.get_absolute_url()).content.decode()
    nested = html[html.index(f'id="comment-{parent.pk}"') :]
    assert nested.index('class="comment-list comment-list--children"') < nested.index("Re.")


def test_replies_stop_at_the_depth_limit(client, post, settings):
    settings.BLOG_COMMENT_MAX_DEPTH = 3
    top = make_comment(post)
    middle = make_comment(post, parent=top)
    deepest = make_comment(post, parent=middle)
    html = client.get(post.get_absolute_url()).content.decode()
    assert f"?replytocom={middle.pk}#respond" in html
    assert f"?replytocom={deepest.pk}#respond" not in html

    html = refused(
        send(client, post, parent=str(deepest.pk), body="Too deep."), "at most 3 levels deep"
    )
    assert "Too deep." in html
    assert Comment.objects.count() == 3


@pytest.mark.parametrize("parent", ["pending", "other-post", "12abc", "99999999999999999999999"])
def test_a_reply_to_a_comment_that_cannot_be_answered_is_refused(client, post, parent):
    targets = {
        "pending": lambda: make_comment(post, status=Comment.Status.PENDING).pk,
        "other-post": lambda: make_comment(make_post(title="Other")).pk,
    }
    value = str(targets[parent]()) if parent in targets else parent
    refused(send(client, post, parent=value, body="Kept."), "not available any more")
    assert not Comment.objects.filter(body="Kept.").exists()


def test_the_reply_link_without_javascript_sets_up_the_form(client, post):
    parent = make_comment(post, name="Maren")
    html = client.get(f"{post.get_absolute_url()}?replytocom={parent.pk}").content.decode()
    assert "Leave a Reply to Maren" in html
    assert f'name="parent" value="{parent.pk}"' in html
    assert 'class="comment-respond__cancel">' in html, "the cancel link is shown"


def test_without_consent_nothing_about_the_commenter_is_kept(client, post):
    response = send(client, post, email="zoe@example.com")
    assert REMEMBER_COOKIE not in response.cookies or not response.cookies[REMEMBER_COOKIE].value
    assert "zoe@example.com" not in client.get(post.get_absolute_url()).content.decode()


def test_consent_keeps_the_commenters_details_in_a_cookie_that_fills_the_form(client, post):
    details = {"name": "Zoë 田中", "email": "zoe@example.com", "website": "https://zoe.example"}
    response = send(client, post, remember="on", **details)
    cookie = response.cookies[REMEMBER_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert "zoe@example.com" not in cookie.value, "signed and encoded, not plain text"

    form = client.get(post.get_absolute_url()).context["comment_form"]
    assert {key: form[key].value() for key in details} == details
    assert form["remember"].value() is True
    assert "zoe@example.com" not in Client().get(post.get_absolute_url()).content.decode()


def test_commenting_without_consent_forgets_the_details(client, post):
    send(client, post, remember="on")
    response = send(client, post, body="Forget me now.")
    assert response.cookies[REMEMBER_COOKIE].value == ""
    assert response.cookies[REMEMBER_COOKIE]["max-age"] == 0


def test_a_tampered_remember_cookie_is_ignored(client, post):
    client.cookies[REMEMBER_COOKIE] = "eyJuYW1lIjoiZXZpbCJ9:forged:signature"
    assert client.get(post.get_absolute_url()).status_code == 200


def test_the_honeypot_refuses_a_robot_and_keeps_the_text(client, post):
    html = refused(send(client, post, subject="Buy now", body="Spammy text"), "looked automated")
    assert "Spammy text" in html
    assert not Comment.objects.exists()


def test_a_form_sent_too_fast_is_refused_politely(client, post):
    token = spam.token_make(post.pk)  # shown this instant
    html = refused(send(client, post, token=token, body="Quick!"), "quicker than anyone")
    assert "Quick!" in html
    assert not Comment.objects.exists()


def test_a_form_left_open_too_long_is_refused_with_a_fresh_token(client, post, settings):
    settings.BLOG_COMMENT_FORM_MAX_AGE_SECONDS = 3600
    stale = spam.token_make(post.pk, issued_at=time.time() - 7200)
    response = send(client, post, token=stale, body="Written slowly.")
    html = refused(response, "open for a long time")
    assert "Written slowly." in html
    fresh = response.context["comment_form"].data["token"]
    assert fresh != stale
    assert spam.token_problem(fresh, post.pk) == spam.TOO_FAST, "a new, valid signature"


@pytest.mark.parametrize("token", ["", "garbage", "eyJwb3N0IjoxfQ:1abc:forged"])
def test_a_missing_or_forged_token_is_refused(client, post, token):
    refused(send(client, post, token=token), "could not check where this comment came from")


def test_a_token_for_another_post_is_refused(client, post):
    other = make_post(title="Other")
    token = spam.token_make(other.pk, issued_at=time.time() - 60)
    refused(send(client, post, token=token), "could not check")


def test_one_comment_per_address_in_the_flood_interval(client, post, settings):
    settings.BLOG_COMMENT_FLOOD_SECONDS = 15
    assert send(client, post, body="First.").status_code == 302
    html = refused(send(client, post, body="Second, too soon."), "wait 15 seconds")
    assert "Second, too soon." in html
    other = client.post(
        f"/blog/comment/{post.pk}/", comment_data(post, body="Elsewhere."), REMOTE_ADDR="10.9.9.9"
    )
    assert other.status_code == 302
    cache.clear()  # the interval has passed
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=16))
    assert send(client, post, body="Later.").status_code == 302
    assert Comment.objects.count() == 3


def test_the_flood_limit_holds_across_worker_processes(client, post, settings):
    """Each gunicorn worker has its own local-memory cache; the database is shared."""
    settings.BLOG_COMMENT_FLOOD_SECONDS = 15
    assert send(client, post, body="First.").status_code == 302
    cache.clear()  # as if the next request reached another worker
    refused(send(client, post, body="Second, other worker."), "wait 15 seconds")
    Comment.objects.update(created_at=timezone.now() - timedelta(seconds=16))
    assert send(client, post, body="Much later.").status_code == 302


def test_a_refused_comment_does_not_start_the_flood_wait(client, post, settings):
    settings.BLOG_COMMENT_FLOOD_SECONDS = 15
    refused(send(client, post, email=""), "email")
    assert send(client, post).status_code == 302


def test_more_than_two_links_hold_a_comment_even_from_a_known_email(client, post):
    make_comment(post, email="known@example.com")
    body = "See https://a.example and http://b.example and www.c.example"
    send(client, post, email="known@example.com", body=body)
    assert Comment.objects.get(body=body).status == Comment.Status.PENDING
    two = "See https://a.example and https://b.example"
    send(client, post, email="known@example.com", body=two)
    assert Comment.objects.get(body=two).status == Comment.Status.APPROVED


@pytest.mark.parametrize("field", ["body", "name", "website"])
def test_a_disallowed_word_marks_a_comment_as_spam(client, post, settings, field):
    settings.BLOG_DISALLOWED_WORDS = ["casino", "cheap pills"]
    value = {
        "body": "Try our CASINO today",
        "name": "Cheap Pills Ltd",
        "website": "https://casino.example",
    }[field]
    response = send(client, post, **{field: value})
    comment = Comment.objects.get()
    assert comment.status == Comment.Status.SPAM
    assert response.status_code == 302, "a spammer learns nothing"
    assert "awaiting moderation" in client.get(post.get_absolute_url()).content.decode()
    assert comment.body not in Client().get(post.get_absolute_url()).content.decode()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"body": ""}, "Please write your comment."),
        ({"name": "  "}, "Please give your name"),
        ({"email": ""}, "Please give your email address"),
        ({"email": "not-an-email"}, "like name@example.com"),
        ({"website": "javascript:alert(1)"}, "like https://example.com"),
        ({"body": "x" * 5001}, "at most 5000 characters"),
    ],
)
def test_bad_input_gets_a_clear_message_and_loses_nothing(client, post, overrides, message):
    data = {"body": "My careful words.", "name": "Tomás", "email": "tomas@example.org", **overrides}
    html = refused(send(client, post, **data), message)
    for key, value in data.items():
        if value.strip() and key != "body" or (key == "body" and len(value) < 100):
            assert value.strip() in html, key
    assert not Comment.objects.exists()


def test_comments_are_closed_when_the_post_says_so(client):
    post = make_post(comments_open=False)
    make_comment(post, body="An older comment.")
    html = client.get(post.get_absolute_url()).content.decode()
    assert "Comments are closed." in html and 'id="commentform"' not in html
    assert "An older comment." in html
    assert "replytocom" not in html, "no reply links on a closed post"
    html = refused(
        send(client, post, body="Too late."), "Comments are closed on this post", form=False
    )
    assert "Here is what you wrote" in html and "Too late." in html
    assert not Comment.objects.filter(body="Too late.").exists()


def test_comments_close_after_the_configured_age(client, settings):
    settings.BLOG_COMMENTS_CLOSE_AFTER_DAYS = 30
    post = make_post(published_at=timezone.now() - timedelta(days=31))
    assert "Comments are closed." in client.get(post.get_absolute_url()).content.decode()
    refused(send(client, post), "Comments are closed", form=False)


def test_comments_on_an_unpublished_post_are_not_found(client):
    draft = make_post(status="draft")
    assert send(client, draft).status_code == 404


def test_the_comment_address_only_takes_post_requests(client, post):
    assert client.get(f"/blog/comment/{post.pk}/").status_code == 405


def test_the_comment_form_is_protected_against_csrf(post):
    client = Client(enforce_csrf_checks=True)
    assert send(client, post).status_code == 403
    assert not Comment.objects.exists()


def test_the_post_author_is_emailed_about_a_pending_comment(
    client, django_user_model, django_capture_on_commit_callbacks
):
    user = django_user_model.objects.create_user("lena", email="lena@example.com")
    post = make_post(title="Releasing the psoas", author=make_author(user=user))
    with django_capture_on_commit_callbacks(execute=True):
        send(client, post, name="Tomás", body="A question about breathing.")
    [message] = mail.outbox
    comment = Comment.objects.get()
    assert message.to == ["lena@example.com"]
    assert "Releasing the psoas" in message.subject
    assert "A question about breathing." in message.body
    assert f"/admin/blog/comment/{comment.pk}/change/" in message.body
    assert "/admin/blog/comment/?status__exact=pending" in message.body


def test_no_email_for_an_approved_or_spam_comment(
    client, settings, django_user_model, django_capture_on_commit_callbacks
):
    settings.BLOG_DISALLOWED_WORDS = ["casino"]
    user = django_user_model.objects.create_user("lena", email="lena@example.com")
    post = make_post(author=make_author(user=user))
    make_comment(post, email="known@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        send(client, post, email="known@example.com")
        send(client, post, body="casino")
    assert mail.outbox == []


def test_no_email_when_the_author_has_no_address(client, django_capture_on_commit_callbacks):
    post = make_post(author=make_author(user=None))
    with django_capture_on_commit_callbacks(execute=True):
        assert send(client, post).status_code == 302
    assert mail.outbox == []
