"""A comment's notification email, sent by the RQ task worker on a real Redis (subprocesses)."""

import json

POST_A_COMMENT = """
import json
from django.contrib.auth import get_user_model
from django.test import Client
from tests.blog.factories import comment_data, make_author, make_post

user = get_user_model().objects.create_user("lena", email="lena@example.org")
post = make_post(author=make_author(user=user), title="Releasing the psoas")
response = Client().post(
    f"/blog/comment/{post.pk}/",
    comment_data(post, body="The breathing cue helped my lower back."),
    HTTP_USER_AGENT="Mozilla/5.0",
)
print(json.dumps({"status": response.status_code, "location": response.get("Location", "")}))
"""


def test_rq_worker_emails_the_author_about_a_comment_from_the_public_form(sites, tmp_path):
    site = sites.new(tmp_path / "site", "rq")

    sent = json.loads(site.manage("shell", "-c", POST_A_COMMENT).splitlines()[-1])

    assert sent["status"] == 302 and "#comment-" in sent["location"]
    assert site.query("SELECT status FROM blog_comment") == [("pending",)]
    assert site.queued_count() == 1, "the notification waits in Redis for a worker"
    assert site.emails() == [], "the request itself sends nothing"

    site.work_queue()

    [email] = site.emails()
    assert email["To"] == "lena@example.org"
    assert "A comment awaits you on “Releasing the psoas”" in email["Subject"]
    body = email.get_content()
    assert "The breathing cue helped my lower back." in body
    assert "/admin/blog/comment/" in body
    assert site.queued_count() == 0
