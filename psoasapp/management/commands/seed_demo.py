"""Fill an empty site with demo content for both apps; safe to run on every start.

Each app seeds its own: routines.demo (stretches, routines, generated videos), then blog.demo
(posts, comments, images; a post embeds a demo stretch, so it comes second).
"""

from django.core.management.base import BaseCommand, CommandError

from blog.demo import seed_blog
from routines.demo import DemoVideoError, seed_routines


class Command(BaseCommand):
    help = "Create the demo stretches, routines, videos and posts that are missing."

    def handle(self, *args, **options):
        try:
            summary = seed_routines()
        except DemoVideoError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(summary))
        blog_created = seed_blog()
        self.stdout.write(self.style.SUCCESS(f"Blog demo content: {blog_created} rows created."))
