"""The blog's demo content: one post about releasing the psoas, with its figures and comments.

Written in our own words from well-known anatomy. Like the rest of `seed_demo` it only creates
what is missing: once loaded, the demo is the teacher's content, and a rerun never undoes an
edit made in admin.
"""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from routines.models import Stretch

from . import demo_images
from .models import AuthorProfile, Category, Comment, Figure, Post, Tag

AUTHOR = {
    "slug": "lena-hart",
    "name": "Lena Hart",
    "bio": "Lena teaches slow, breath-led movement to people who sit for a living. She "
    "started this site to share the gentle psoas work her students kept asking about. "
    "(Lena is an invented author for the demo content.)",
}

CATEGORIES = {
    "anatomy": ("Anatomy", "Where the muscles run and what they do, in plain words."),
    "stretching": ("Stretching", "How to stretch gently, and why slowly works better."),
}
TAGS = ["psoas", "hip flexors", "sitting", "breathing"]

CREDIT = "Illustration: psoasapp demo content"

POST_SLUG = "releasing-the-psoas-slowly"
POST = {
    "title": "Releasing the psoas, slowly",
    "excerpt": "The psoas is the only muscle that joins your spine to your legs. Here is where "
    "it runs, why a day of sitting leaves it short, how that pulls on your lower back and ribs, "
    "and why the way to release it is to go gently and breathe.",
    "body": """\
If your lower back aches after a long day at a desk, or the front of your hips feels tight
when you stand up, the psoas is a good place to look. It is a deep muscle, out of reach of your
hands, and it responds to patience far better than to force.

## Where it runs

The psoas starts at the sides of the lowest vertebrae of your spine, the lumbar spine, just below
where your diaphragm attaches. From there it travels down and forwards through the bowl of the
pelvis, passes over the front of the hip joint, and ends on a small bump on the inner side of the
top of your thigh bone. Together with its neighbour, the iliacus, it is the strongest muscle that
lifts your knee towards your chest.

That makes it unusual: it is the only muscle that joins the spine directly to the legs. Whatever
it does at one end, it also does at the other.

## Why sitting tightens it

When you sit, your hips are bent and the psoas rests in a shortened position. Spend most of a day
like that, day after day, and the muscle adapts to the short length it is given.

[[figure 1]]

Then you stand up. The hips straighten, but the psoas stays short, and since its lower end is
anchored at the thigh, it pulls on the other end instead: the lower spine.

## What a tight psoas does to your back and ribs

Pulled forwards from the front of the lumbar spine, the lower back sinks into a deeper arch and
the pelvis tips forwards. The rib cage follows: the lower ribs flare and push forwards, the belly
lets go, and breathing moves up into the chest. Many people feel this as a tired lower back, a
"stuck" feeling at the front of the hips, or a breath that never quite reaches the belly.

Because the psoas lies so close to where the diaphragm attaches, a calm, low breath and a softer
psoas tend to go together. That is why the stretches on this site lean so much on the breath.

## Why to go gently

The psoas is a reactive muscle. It is part of how your body curls up to protect itself, so when a
stretch feels like a threat, it guards and holds on tighter. Pushing hard into a lunge usually
gets you a psoas that grips, and a lower back that complains.

What works instead is slow and a little boring, in the best way:

- Move into each position slowly, and only as far as feels kind.
- Stay well away from pain. A mild, spreading stretch is plenty; sharp, pinching or numb
  feelings mean come out.
- Breathe out for longer than you breathe in, and let each out-breath soften the front of the
  hip a little more.
- Give it time. Rest positions such as constructive rest do a lot of quiet work.

The stretch below is a good place to start. Proceed slowly, and just breathe.
""",
}

COMMENTS = [
    {
        "key": "maren",
        "name": "Maren Okafor",
        "email": "maren.okafor@example.com",
        "website": "",
        "body": "I sit at a desk all day and had never given the front of my hips a thought. "
        "Tried constructive rest tonight for ten minutes and my lower back feels quieter than it "
        "has in weeks.",
        "hours": 5,
    },
    {
        "key": "lena-reply",
        "parent": "maren",
        "name": "Lena Hart",
        "email": "lena.hart@example.com",
        "website": "",
        "body": "That is lovely to hear, Maren. Little and often works best: a few minutes "
        "every evening will do more than one long session at the weekend.",
        "hours": 9,
    },
    {
        "key": "tomas",
        "name": "Tomás Reyes",
        "email": "tomas.reyes@example.org",
        "website": "https://example.org/tomas",
        "body": "The part about the lower ribs flaring finally explained something a physio "
        "told me years ago. Going to try the half-kneeling stretch with a tuck first, as you "
        "describe.",
        "hours": 20,
    },
    {
        "key": "june",
        "name": "June Whitfield",
        "email": "june.w@example.net",
        "website": "",
        "body": "Thank you for saying to go gently. Every other video I found told me to push "
        "further into the lunge, and my back always paid for it.",
        "hours": 30,
    },
]


def seed_blog(*, stretch_slug: str = "constructive-rest") -> int:
    """Create whatever of the demo post and its companions is missing; return rows created."""
    created = 0

    def ensure(model, lookup: dict, values: dict):
        nonlocal created
        row, made = model.objects.get_or_create(**lookup, defaults=values)
        created += made
        return row, made

    with transaction.atomic():
        author, made = ensure(
            AuthorProfile, {"slug": AUTHOR["slug"]}, {"name": AUTHOR["name"], "bio": AUTHOR["bio"]}
        )
        if made:
            author.avatar.save("avatar.png", ContentFile(demo_images.avatar_bytes("LH")))
        categories = [
            ensure(Category, {"slug": slug}, {"name": name, "description": description})[0]
            for slug, (name, description) in CATEGORIES.items()
        ]
        tags = [ensure(Tag, {"name": name}, {})[0] for name in TAGS]

        published_at = timezone.now() - timedelta(days=3)
        post, made = ensure(
            Post,
            {"slug": POST_SLUG},
            {
                **POST,
                "author": author,
                "status": Post.Status.PUBLISHED,
                "published_at": published_at,
                "stretch": Stretch.objects.filter(slug=stretch_slug).first(),
                "image_alt": "A front-view diagram: the lower ribs, five lumbar vertebrae, the "
                "pelvis and both thigh bones, with a psoas muscle on each side running from the "
                "lumbar spine through the pelvis to the top of the inner thigh bone.",
                "image_caption": "The psoas runs from the lower spine, through the pelvis and "
                "over the front of the hip, to the top of the thigh bone.",
                "image_credit": CREDIT,
            },
        )
        if made:
            post.image.save("psoas.png", ContentFile(demo_images.psoas_diagram_bytes()))
            post.categories.set(categories)
            post.tags.set(tags)
            figure = Figure(
                post=post,
                number=1,
                image_alt="Two figures side by side. Left, a person sitting on a chair with the "
                "psoas folded short at the front of the hip. Right, the same person standing, "
                "the short psoas pulling the lower back into an arch and the lower ribs forward.",
                image_caption="Sitting keeps the psoas short; standing up, it pulls on the "
                "lower back.",
                image_credit=CREDIT,
            )
            figure.image.save("sitting.png", ContentFile(demo_images.sitting_standing_bytes()))
            created += 1
            created += _seed_comments(post)
    return created


def _seed_comments(post: Post) -> int:
    by_key = {}
    for data in COMMENTS:
        comment = Comment(
            post=post,
            parent=by_key.get(data.get("parent")),
            name=data["name"],
            email=data["email"],
            website=data["website"],
            body=data["body"],
            status=Comment.Status.APPROVED,
            created_at=post.published_at + timedelta(hours=data["hours"]),
        )
        comment.save()
        by_key[data["key"]] = comment
    return len(by_key)
