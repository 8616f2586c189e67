"""The comment flood limit holds across gunicorn masters that share a database and Redis.

Two separate masters on two ports stand for two web machines: one address commenting on both
in turn gets one comment through and is then refused, in words, by either; ten comments sent
from one address to both at the same moment let exactly one through.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.reliability.sites import (
    MIN_FILL_SECONDS,
    SEED_POST,
    Visitor,
    client_addresses,
    form_fields,
)

# Longer than the default 15 s, so that the whole test runs inside one window.
FLOOD_SECONDS = 60
FLOODING = f"You are commenting faster than we can read. Please wait {FLOOD_SECONDS} seconds"
ALTERNATING = 6
BURST = 10

COMMENTS_BY_ADDRESS = """
import json
from blog.models import Comment

print(json.dumps(sorted(Comment.objects.values_list("ip_address", flat=True))))
"""


def comment(visitor: Visitor, post: dict, fields: list, number: int):
    data = dict(fields)
    data.update(
        body=f"Comment {number}: thank you for the slow version.",
        name="Ines",
        email="ines@example.org",
    )
    return visitor.post(f"/blog/comment/{post['pk']}/", data)


def refused_for_flooding(answer) -> bool:
    return answer.status == 400 and FLOODING in answer.text


def test_one_address_is_held_to_the_limit_on_every_server(make_site, shared_redis_url, report):
    site = make_site(redis_url=shared_redis_url)
    site.env["BLOG_COMMENT_FLOOD_SECONDS"] = str(FLOOD_SECONDS)
    post = site.query(SEED_POST)
    servers = [site.start(), site.start()]
    one, other = client_addresses(2)

    # One reader, going back and forth between the two machines.
    visitors = [Visitor(servers[n % 2], one) for n in range(ALTERNATING)]
    # Ten tabs at another address, five on each machine, sent at once.
    tabs = [Visitor(servers[n % 2], other) for n in range(BURST)]
    forms = {
        visitor: form_fields(visitor.get(post["url"]).text, "commentform")
        for visitor in [*visitors, *tabs]
    }
    time.sleep(MIN_FILL_SECONDS + 0.5)

    alternating = [comment(v, post, forms[v], n) for n, v in enumerate(visitors)]
    assert alternating[0].status == 302
    assert all(refused_for_flooding(answer) for answer in alternating[1:]), [
        a.status for a in alternating
    ]

    start = threading.Barrier(BURST, timeout=60)

    def send(number):
        start.wait()
        return comment(tabs[number], post, forms[tabs[number]], number)

    with ThreadPoolExecutor(max_workers=BURST) as pool:
        burst = list(pool.map(send, range(BURST)))
    accepted = [answer for answer in burst if answer.status == 302]
    assert len(accepted) == 1, [answer.status for answer in burst]
    assert all(refused_for_flooding(answer) for answer in burst if answer.status != 302)

    assert site.query(COMMENTS_BY_ADDRESS) == sorted([one, other])
    report(
        database=site.env["DATABASE_URL"].split(":", 1)[0],
        servers=len(servers),
        alternating_sent=ALTERNATING,
        alternating_accepted=sum(a.status == 302 for a in alternating),
        burst_sent=BURST,
        burst_accepted=len(accepted),
        refused_in_words=sum(refused_for_flooding(a) for a in alternating + burst),
    )
