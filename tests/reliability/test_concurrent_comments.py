"""A burst of readers commenting on one post while its author edits it, against real gunicorn.

Two hundred people, each at an address of their own, send a comment at the same moment as
twenty saves of the post in admin: no answer is a server error, every comment accepted is
stored exactly once, and the post comes out whole.
"""

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.sites import (
    MIN_FILL_SECONDS,
    SEED_POST,
    Visitor,
    client_addresses,
    form_fields,
    stopwatch,
)

COMMENTERS = 200
EDITS = 20
STORED = """
import json
from blog.models import Post

post = Post.objects.get(pk={pk})
print(json.dumps({{
    "title": post.title,
    "slug": post.slug,
    "body": post.body,
    "body_html": post.body_html,
    "status": post.status,
    "comments": list(post.comments.values_list("pk", "body", "ip_address", "status")),
}}))
"""

ACCEPTED = re.compile(r"#comment-(\d+)$")


def comment_form(visitor: Visitor, post_url: str) -> list[tuple[str, str]]:
    page = visitor.get(post_url)
    assert page.status == 200, page.status
    return form_fields(page.text, "commentform")


def test_two_hundred_comments_and_twenty_edits_at_once_lose_and_double_nothing(make_site, report):
    site = make_site()
    post = site.query(SEED_POST)
    server = site.start()
    admin_url = f"/admin/blog/post/{post['pk']}/change/"

    staff = Visitor(server)
    staff.log_in()
    edit_form = form_fields(staff.get(admin_url).text, "post_form")
    edits = []
    for number in range(EDITS):
        fields = [
            (name, value) for name, value in edit_form if name not in {"title", "body", "_save"}
        ]
        fields += [
            ("title", f"Releasing the psoas, edit {number}"),
            ("body", f"Edit {number}: the psoas runs from the *lower spine* to the thigh."),
            ("_save", "Save"),
        ]
        edits.append(fields)

    commenters = [Visitor(server, address) for address in client_addresses(COMMENTERS)]
    with ThreadPoolExecutor(max_workers=32) as pool:
        forms = list(pool.map(lambda visitor: comment_form(visitor, post["url"]), commenters))
    # As people would, they take a few seconds to write.
    time.sleep(MIN_FILL_SECONDS + 0.5)

    bodies = {}
    sends = []
    for number, (visitor, fields) in enumerate(zip(commenters, forms, strict=True)):
        body = f"Comment {number} from {visitor.address}: the breathing part helped me most."
        bodies[number] = body
        data = dict(fields)
        data.update(
            body=body,
            name=f"Reader {number}",
            email=f"reader{number}@example.org",
            website="",
        )
        sends.append((visitor, data))

    start = threading.Barrier(COMMENTERS + EDITS, timeout=60)

    def send_comment(visitor, data):
        start.wait()
        return visitor.post(f"/blog/comment/{post['pk']}/", data)

    def send_edit(fields):
        start.wait()
        return staff.post(admin_url, fields)

    figures = {}
    with stopwatch(figures), ThreadPoolExecutor(max_workers=COMMENTERS + EDITS) as pool:
        comment_futures = [pool.submit(send_comment, *send) for send in sends]
        edit_futures = [pool.submit(send_edit, fields) for fields in edits]
        comment_answers = [future.result() for future in comment_futures]
        edit_answers = [future.result() for future in edit_futures]

    statuses = [answer.status for answer in comment_answers + edit_answers]
    assert not [status for status in statuses if status >= 500], server.log_text()

    accepted = {}
    refused = []
    for number, answer in enumerate(comment_answers):
        if answer.status == 302 and (match := ACCEPTED.search(answer.headers["location"])):
            accepted[int(match[1])] = bodies[number]
        else:
            refused.append(answer)
    # A refusal is the post page again, saying why in words, with the comment still there.
    for answer in refused:
        assert answer.status == 400, answer.status
        assert 'role="alert"' in answer.text or "invalid-feedback" in answer.text

    stored = site.query(STORED.format(pk=post["pk"]))
    stored_bodies = [body for _, body, _, _ in stored["comments"]]
    assert len(stored_bodies) == len(set(stored_bodies)), "a comment was stored twice"
    assert {pk: body for pk, body, _, _ in stored["comments"]} == accepted
    # Every commenter was at an address of their own and took their time: none is refused.
    assert len(accepted) == COMMENTERS, [a.text[:300] for a in refused[:3]]
    assert {ip for *_, ip, _ in stored["comments"]} == {v.address for v in commenters}

    # Every save went through (back to the list), and the post is one of them, whole.
    edit_statuses = [answer.status for answer in edit_answers]
    assert edit_statuses == [302] * EDITS, edit_statuses
    number = int(re.fullmatch(r"Releasing the psoas, edit (\d+)", stored["title"])[1])
    assert stored["body"] == f"Edit {number}: the psoas runs from the *lower spine* to the thigh."
    assert f"Edit {number}: the psoas runs" in stored["body_html"]
    assert (stored["slug"], stored["status"]) == ("releasing-the-psoas", "published")
    page = Visitor(server).get(post["url"])
    assert page.status == 200 and f"Releasing the psoas, edit {number}" in page.text

    report(
        database=site.env["DATABASE_URL"].split(":", 1)[0],
        cache="redis" if "REDIS_URL" in site.env else "locmem",
        comments_sent=COMMENTERS,
        accepted=len(accepted),
        refused=len(refused),
        stored=len(stored_bodies),
        edits_saved=edit_statuses.count(302),
        server_errors=0,
        burst_seconds=figures["seconds"],
    )
