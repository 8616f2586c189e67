"""The admin sign-in limit: wrong passwords for one username from one address pause it there."""

import io
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

PASSWORD = "slow-exhale-2026"
LOGIN = "/admin/login/"
ATTACKER = "198.51.100.7"
ELSEWHERE = "203.0.113.20"


@pytest.fixture(autouse=True)
def quick_hashing(settings):
    """Every attempt checks a password; the real hasher takes most of a second each time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def teacher(django_user_model):
    return django_user_model.objects.create_user(
        "teacher", "teacher@example.com", PASSWORD, is_staff=True, is_superuser=True
    )


def sign_in(username: str, password: str, *, address: str = ATTACKER, **headers):
    """One attempt through the admin's form, from a browser of its own; the response."""
    client = Client(REMOTE_ADDR=address)
    response = client.post(
        LOGIN, {"username": username, "password": password, "next": "/admin/"}, headers=headers
    )
    response.client = client
    return response


def signed_in(response) -> bool:
    return response.status_code == 302 and response.client.get("/admin/").status_code == 200


def fail(times: int, username: str = "teacher", **kwargs) -> list[int]:
    return [sign_in(username, "wrong", **kwargs).status_code for _ in range(times)]


def test_five_wrong_passwords_pause_the_username_even_for_the_right_one(teacher):
    assert fail(4) == [200, 200, 200, 200]  # the admin's own "enter a correct username…"
    assert fail(1) == [429]
    response = sign_in("teacher", PASSWORD)
    assert response.status_code == 429
    assert not signed_in(response)
    assert "Sign-in paused" in response.content.decode()


def test_the_paused_page_says_when_to_try_again_and_that_staff_can_unlock(teacher):
    fail(5)
    before = timezone.now()
    html = sign_in("teacher", PASSWORD).content.decode()
    after = timezone.now()
    shown = re.search(r'try again after <strong><time datetime="([^"]+)">([\d:]+) UTC<', html)
    retry_at = datetime.fromisoformat(shown[1])
    assert before + timedelta(hours=1) <= retry_at <= after + timedelta(hours=1)
    assert shown[2] == retry_at.strftime("%H:%M")
    assert "(in 1\xa0hour)" in html
    assert "member of staff can unlock it" in html and "axes_reset" in html
    # The admin's own look: its stylesheet and header.
    assert "admin/css/login.css" in html and "Psoas Release admin" in html
    # Nothing inline that the CSP would block.
    assert "<style" not in html and " style=" not in html
    assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))


def test_another_username_from_the_same_address_still_signs_in(teacher, django_user_model):
    django_user_model.objects.create_user("assistant", password=PASSWORD, is_staff=True)
    fail(5)
    assert signed_in(sign_in("assistant", PASSWORD))


def test_the_same_username_from_another_address_still_signs_in(teacher):
    fail(5)
    assert signed_in(sign_in("teacher", PASSWORD, address=ELSEWHERE))


def test_staff_unlock_it_in_admin(teacher, admin_client):
    fail(5)
    attempts = list(AccessAttempt.objects.filter(username="teacher"))
    assert [attempt.ip_address for attempt in attempts] == [ATTACKER]
    assert admin_client.get("/admin/axes/accessattempt/").status_code == 200
    response = admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempts[0].pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert signed_in(sign_in("teacher", PASSWORD))


def test_axes_reset_unlocks_it(teacher):
    fail(5)
    call_command("axes_reset", stdout=io.StringIO())
    assert signed_in(sign_in("teacher", PASSWORD))


def test_the_pause_ends_after_the_cool_off(teacher):
    fail(5)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=61))
    assert signed_in(sign_in("teacher", PASSWORD))


def test_a_successful_sign_in_forgets_earlier_mistakes(teacher):
    fail(4)
    assert signed_in(sign_in("teacher", PASSWORD))
    assert fail(4) == [200, 200, 200, 200]


def test_x_forwarded_for_is_ignored_unless_behind_a_proxy(teacher):
    """Otherwise an attacker would name a new address in the header with every guess."""
    for number in range(5):
        sign_in("teacher", "wrong", x_forwarded_for=f"192.0.2.{number}")
    assert sign_in("teacher", PASSWORD, x_forwarded_for="192.0.2.99").status_code == 429


def test_behind_a_proxy_the_address_it_adds_is_the_one_counted(teacher, settings):
    settings.PSOASAPP_TRUST_X_FORWARDED_FOR = True
    # The proxy (always the same peer) appends the real client; what comes before is forged.
    fail(5, x_forwarded_for=f"10.9.9.9, {ATTACKER}", address="10.0.0.2")
    locked = sign_in("teacher", PASSWORD, x_forwarded_for=ATTACKER, address="10.0.0.2")
    assert locked.status_code == 429
    assert signed_in(sign_in("teacher", PASSWORD, x_forwarded_for=ELSEWHERE, address="10.0.0.2"))


def test_the_limit_and_the_pause_come_from_the_environment():
    code = (
        "from django.conf import settings; "
        "print(settings.AXES_FAILURE_LIMIT, settings.AXES_COOLOFF_TIME, "
        "settings.AXES_LOCKOUT_PARAMETERS)"
    )
    env = {
        **os.environ,
        "PSOASAPP_LOGIN_FAILURE_LIMIT": "3",
        "PSOASAPP_LOGIN_COOLOFF_MINUTES": "15",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-c", code],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip().splitlines()[-1] == "3 0:15:00 [['username', 'ip_address']]"
