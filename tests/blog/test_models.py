"""Posts, comments and images: publication, scheduling, rendering, counts and files."""

import re
from datetime import datetime, timedelta

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.utils import timezone

from blog.models import AuthorProfile, Comment, Figure, Post, comment_tree
from tests.blog.factories import image_file, make_author, make_comment, make_post

pytestmark = pytest.mark.django_db


def test_published_leaves_out_drafts_and_scheduled_posts():
    live = make_post(title="Live")
    make_post(title="Draft", status=Post.Status.DRAFT)
    make_post(title="Scheduled", published_at=timezone.now() + timedelta(hours=1))
    assert list(Post.objects.published()) == [live]


def test_a_scheduled_post_appears_once_its_time_comes(settings):
    post = make_post(published_at=timezone.now() + timedelta(minutes=5))
    assert post.is_scheduled and not post.is_published
    Post.objects.filter(pk=post.pk).update(published_at=timezone.now() - timedelta(seconds=1))
    assert list(Post.objects.published()) == [post]


def test_published_posts_come_newest_first():
    old = make_post(title="Old", published_at=timezone.now() - timedelta(days=9))
    new = make_post(title="New", published_at=timezone.now() - timedelta(days=1))
    assert list(Post.objects.published()) == [new, old]


def test_body_is_rendered_from_markdown_on_save():
    post = make_post(body="Some *gentle* text.\n\n## Where it runs\n\n- one\n- two")
    assert "<em>gentle</em>" in post.body_html
    assert "<h2>Where it runs</h2>" in post.body_html
    assert "<li>one</li>" in post.body_html


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# Top\n\n## Under\n\n###### Deep", ["h2", "h3", "h6"]),
        ("### Third\n\n#### Fourth", ["h2", "h3"]),
    ],
)
def test_body_headings_start_at_h2_under_the_title(markdown, expected):
    html = make_post(body=markdown).body_html
    assert re.findall(r"<(h\d)>", html) == expected


def test_body_html_is_sanitised():
    post = make_post(
        body='<script>alert(1)</script>Hi <img src="x" onerror="alert(2)"> '
        '[bad](javascript:alert(3)) <a href="https://example.com" onclick="x()">ok</a> '
        '<p style="color:red">styled</p>'
    )
    html = post.body_html
    assert "<script" not in html and "onerror" not in html and "onclick" not in html
    assert "javascript:" not in html and "style=" not in html
    assert 'href="https://example.com"' in html


def test_post_links_get_a_rel_from_the_sanitiser():
    post = make_post(body="[A source](https://example.com/anatomy)")
    assert 'rel="noopener noreferrer"' in post.body_html


def test_summary_is_the_excerpt_when_given():
    assert make_post(excerpt="  Short and sweet. ").summary == "Short and sweet."


def test_summary_is_derived_from_the_body_as_plain_text():
    words = " ".join(f"word{n}" for n in range(100))
    post = make_post(body=f"**Bold** start &amp; more.\n\n[[figure 1]]\n\n{words}")
    assert post.summary.startswith("Bold start & more. word0")
    assert "[[figure" not in post.summary
    assert post.summary.endswith("…") and len(post.summary.split()) == 45


def test_slug_is_made_from_the_title_and_unique_for_its_day():
    day = timezone.now() - timedelta(days=2)
    first = make_post(title="Breathe out slowly", published_at=day)
    second = make_post(title="Breathe out slowly", published_at=day + timedelta(minutes=5))
    other_day = make_post(title="Breathe out slowly", published_at=day - timedelta(days=1))
    assert first.slug == "breathe-out-slowly"
    assert second.slug == "breathe-out-slowly-2"
    assert other_day.slug == "breathe-out-slowly"


def test_the_same_slug_on_the_same_day_is_refused_by_validation():
    day = timezone.now() - timedelta(days=2)
    make_post(slug="same", published_at=day)
    twin = Post(
        title="Twin", slug="same", body="x", author=make_author(slug="a2"), published_at=day
    )
    with pytest.raises(ValidationError) as error:
        twin.validate_unique()
    assert "slug" in error.value.message_dict


def test_permalink_carries_the_publication_date(settings):
    settings.TIME_ZONE = "UTC"
    post = make_post(
        slug="releasing", published_at=timezone.make_aware(datetime(2025, 3, 7, 10, 30))
    )
    assert post.get_absolute_url() == "/blog/2025/03/07/releasing/"
    assert post.get_comments_feed_url() == "/blog/2025/03/07/releasing/feed/"


def test_permalink_date_is_the_local_date(settings):
    settings.TIME_ZONE = "Pacific/Auckland"  # UTC+13 in March
    post = make_post(
        slug="late",
        published_at=timezone.make_aware(datetime(2025, 3, 7, 20, 0), timezone=timezone.UTC),
    )
    assert post.get_absolute_url() == "/blog/2025/03/08/late/"


def test_comments_are_accepted_on_an_open_published_post():
    assert make_post().accepts_comments


@pytest.mark.parametrize(
    "fields",
    [
        {"comments_open": False},
        {"status": Post.Status.DRAFT},
        {"published_at": timezone.now() + timedelta(days=1)},
    ],
)
def test_comments_are_not_accepted(fields):
    assert not make_post(**fields).accepts_comments


def test_comments_close_after_the_configured_age(settings):
    settings.BLOG_COMMENTS_CLOSE_AFTER_DAYS = 14
    assert make_post(published_at=timezone.now() - timedelta(days=13)).accepts_comments
    assert not make_post(published_at=timezone.now() - timedelta(days=15)).accepts_comments


def test_comment_count_counts_approved_comments_only():
    post = make_post()
    make_comment(post)
    make_comment(post)
    for status in [Comment.Status.PENDING, Comment.Status.SPAM, Comment.Status.REMOVED]:
        make_comment(post, status=status)
    assert Post.objects.with_comment_count().get().comment_count == 2


def test_comment_body_is_escaped_with_paragraphs_kept_and_links_marked_ugc():
    comment = make_comment(
        make_post(),
        body="Hello <b>there</b> & see https://example.com/a?b=1\n\nSecond para\nnew line",
    )
    html = comment.body_html
    assert "&lt;b&gt;there&lt;/b&gt; &amp; see" in html
    assert '<a href="https://example.com/a?b=1" rel="nofollow ugc">' in html
    assert "<p>Second para<br>new line</p>" in html


def test_an_email_address_in_a_comment_stays_plain_text():
    comment = make_comment(make_post(), body="write to me@example.com")
    assert "mailto" not in comment.body_html and "<a" not in comment.body_html


def test_a_reply_is_one_level_deeper_than_its_parent():
    post = make_post()
    top = make_comment(post)
    reply = make_comment(post, parent=top)
    assert (top.depth, reply.depth, make_comment(post, parent=reply).depth) == (0, 1, 2)


def test_can_have_replies_stops_at_the_depth_limit(settings):
    settings.BLOG_COMMENT_MAX_DEPTH = 3
    post = make_post()
    top = make_comment(post)
    reply = make_comment(post, parent=top)
    deepest = make_comment(post, parent=reply)
    assert top.can_have_replies and reply.can_have_replies
    assert not deepest.can_have_replies
    assert not make_comment(post, status=Comment.Status.PENDING).can_have_replies


def test_comment_tree_nests_replies_in_order():
    post = make_post()
    first = make_comment(post, name="first")
    second = make_comment(post, name="second")
    reply = make_comment(post, parent=first, name="reply")
    deeper = make_comment(post, parent=reply, name="deeper")
    roots = comment_tree(Comment.objects.thread())
    assert [c.name for c in roots] == ["first", "second"]
    [loaded_reply] = roots[0].children
    [loaded_deeper] = loaded_reply.children
    assert (loaded_reply, loaded_deeper, roots[1]) == (reply, deeper, second)
    assert [roots[0].level, loaded_reply.level, loaded_deeper.level, roots[1].level] == [0, 1, 2, 0]


def test_a_reply_whose_parent_is_hidden_joins_the_top_level():
    post = make_post()
    hidden = make_comment(post, status=Comment.Status.REMOVED)
    reply = make_comment(post, parent=hidden, name="orphan")
    roots = comment_tree(Comment.objects.thread())
    assert roots == [reply] and roots[0].level == 0


def test_thread_shows_the_visitors_own_pending_comments_only():
    post = make_post()
    approved = make_comment(post)
    mine = make_comment(post, status=Comment.Status.PENDING)
    theirs = make_comment(post, status=Comment.Status.PENDING)
    assert list(Comment.objects.thread()) == [approved]
    assert list(Comment.objects.thread(own_pks=[mine.pk])) == [approved, mine]
    assert theirs not in Comment.objects.thread(own_pks=[mine.pk])


def test_thread_never_loads_email_ip_or_user_agent():
    comment = make_comment(make_post(), ip_address="203.0.113.9", user_agent="Bot/1")
    loaded = Comment.objects.thread().get(pk=comment.pk)
    assert {"email", "ip_address", "user_agent"} <= loaded.get_deferred_fields()


def test_featured_image_gets_responsive_renditions_on_save(media_root):
    post = make_post(image=image_file(2000, 1200))
    items = post.image_renditions["items"]
    assert [(i["width"], i["height"]) for i in items] == [(480, 288), (960, 576), (1440, 864)]
    assert post.image.name.startswith("blog/images/") and "photo" not in post.image.name
    for item in items:
        assert item["name"].endswith(".webp")
        assert default_storage.exists(item["name"])
    assert post.images.srcset.count("w,") == 2
    assert post.images.default.width == 960


def test_a_small_image_is_never_enlarged():
    post = make_post(image=image_file(700, 350))
    assert [i["width"] for i in post.image_renditions["items"]] == [480, 700]


def test_avatar_renditions_are_square():
    profile = make_author(avatar=image_file(600, 400))
    sizes = {(i["width"], i["height"]) for i in profile.avatar_renditions["items"]}
    assert sizes == {(96, 96), (192, 192)}


def test_replacing_an_image_deletes_the_old_files(django_capture_on_commit_callbacks):
    post = make_post(image=image_file())
    old = [post.image.name, *(i["name"] for i in post.image_renditions["items"])]
    with django_capture_on_commit_callbacks(execute=True):
        post.image = image_file(800, 600, name="new.png")
        post.save()
    assert not any(default_storage.exists(name) for name in old)
    assert all(default_storage.exists(i["name"]) for i in post.image_renditions["items"])


def test_deleting_a_post_deletes_its_images_and_renditions(django_capture_on_commit_callbacks):
    post = make_post(image=image_file())
    figure = Figure.objects.create(post=post, number=1, image=image_file(900, 600))
    names = [post.image.name, figure.image.name]
    names += [i["name"] for i in post.image_renditions["items"]]
    names += [i["name"] for i in figure.image_renditions["items"]]
    assert all(default_storage.exists(name) for name in names)
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()
    assert not any(default_storage.exists(name) for name in names)


def test_a_rolled_back_delete_keeps_the_files(django_capture_on_commit_callbacks):
    post = make_post(image=image_file())
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post.delete()
    assert callbacks and default_storage.exists(post.image.name)


AvatarForm = forms.modelform_factory(AuthorProfile, fields=["name", "avatar"])


def test_a_non_image_upload_is_refused_with_a_form_error():
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("notes.png", b"not an image at all", content_type="image/png")
    form = AvatarForm({"name": "Lena"}, {"avatar": upload})
    assert not form.is_valid()
    assert "avatar" in form.errors


def test_an_image_in_a_format_browsers_do_not_show_is_refused():
    form = AvatarForm({"name": "Lena"}, {"avatar": image_file(fmt="TIFF", name="scan.tiff")})
    assert not form.is_valid()
    assert "JPEG, PNG, WebP or GIF" in str(form.errors["avatar"])


def test_a_real_image_is_accepted():
    form = AvatarForm({"name": "Lena"}, {"avatar": image_file(300, 300)})
    assert form.is_valid(), form.errors
