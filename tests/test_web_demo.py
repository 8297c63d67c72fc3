"""`mailbot demo --serve` serves the web app too: the line it prints is enough to sign in and see the seed case."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

import httpx2 as httpx


def test_demo_serve_prints_a_web_address_and_a_per_run_password_that_sign_in() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mailbot", "demo", "--serve"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, env=env)
    try:
        assert proc.stdout is not None
        line, deadline = "", time.monotonic() + 180
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if line.startswith("Web: ") or not line:
                break
        match = re.fullmatch(r"Web: (http://127\.0\.0\.1:\d+/)  sign in as admin / (\S+)\n", line)
        assert match, f"no Web: line (last line {line!r})"
        url, password = match.groups()
        hint = proc.stdout.readline()  # the seed is from 2022: where its figures are, not an empty Overview
        assert f"{url}overview?quarter=2022Q2#quarter" in hint
        with httpx.Client(base_url=url) as client:
            token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/signin").text)
            assert token
            response = client.post("/signin", data={"name": "admin", "password": password,
                                                    "csrf_token": token.group(1), "next": "/requests"})
            assert response.status_code == 303 and response.headers["location"] == "/requests"
            page = client.get("/requests").text
            assert "13931/2022" in page and "Fred Wright" in page
            assert client.get("/healthz").json()["status"] == "ok"
            assert '<th scope="row">received</th><td>1</td>' in client.get("/overview?quarter=2022Q2").text
        second = subprocess.run([sys.executable, "-m", "mailbot", "demo"], capture_output=True, text=True,
                                timeout=180, env=env)
        assert password not in second.stdout  # made per run
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_a_kept_demo_directory_serves_again_with_a_new_admin_password(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """`demo --serve --data-dir DIR` run twice: the second run's admin is the first's account, with a new password
    (it stopped with a traceback: 'a user called admin already exists')."""
    from sqlalchemy import func, select

    from mailbot.demo.play import demo_admin
    from mailbot.store.db import Database
    from mailbot.store.models import User
    from mailbot.web.passwords import hasher

    db = Database(f"sqlite:///{tmp_path}/mailbot.db")
    first, second = demo_admin(db), demo_admin(db)
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(User)) == 1
        admin = session.scalars(select(User)).one()
        assert admin.role == "admin" and admin.active and not admin.must_change_password
        assert first != second and hasher().verify(admin.password_hash, second)
    db.dispose()
