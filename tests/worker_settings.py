"""Settings for the sites tests/worker_site.py runs: psoasapp's own, with mail sent to files.

Email sent by a worker process must be seen by the test, so it goes to PSOASAPP_TEST_MAIL_DIR.
"""

import os

from psoasapp.settings import *  # noqa: F403

MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "OPTIONS": {"file_path": os.environ["PSOASAPP_TEST_MAIL_DIR"]},
    }
}
