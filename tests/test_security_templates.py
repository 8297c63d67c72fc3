"""Hostile admin templates (issue 14): each attack reproduced on what the bot did before, then refused on a real run
(Dovecot, aiosmtpd, SQL): no secret in any mail sent, the shipped wording sent, one staff alert with the true
cause, and `mailbot templates check` naming the file. And SIGTERM stops a bot whose template hangs."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import FileSystemLoader
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment
from servers import DovecotAccount, SmtpSink
from sqlalchemy import select

from mailbot.cli import main
from mailbot.config import Settings
from mailbot.replies.catalog import sample_contexts
from mailbot.replies.loader import OutsideTemplateDir, OverrideLoader
from mailbot.replies.templates import RenderBudget, TemplateRenderError, Templates
from mailbot.replies.worker import RenderWorker, Request, WorkerFailed, worker_for
from mailbot.store.db import Database
from mailbot.store.models import InboundMessage, OutboxMessage, StaffAlert
from mailbot.testing import messages
from mailbot.testing.bots import BotFactory, write_config
from mailbot.testing.clock import ManualClock as Clock
from mailbot.testing.moments import WHEN as MONDAY

SECRET = "imap-password-Zq7!secret"
STAFF = "ir-team@council.example"
BUDGET = {"render_seconds": 1.0, "render_memory_mb": 64}
LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"


@dataclass(frozen=True)
class Attack:
    name: str
    files: dict[str, str] = field(default_factory=dict)  # admin path -> text ({secret} is the secret's path)
    links: dict[str, str] = field(default_factory=dict)  # admin path -> what it links to, under tmp_path
    cause: str = ""  # what the alert and the check must say
    blamed: str = "acknowledgement_foi/text.txt"  # the admin file `templates check` must name


def text(body: str) -> dict[str, str]:
    return {"acknowledgement_foi/text.txt": f"Ref {{{{ reference }}}}\n{body}\n"}


ATTACKS = [
    Attack("symlink to a file outside", links={"_partials/signature.txt": "secret.txt"},
           cause="outside its template directory", blamed="_partials/signature.txt"),
    Attack("symlinked directory", links={"_partials": "outside"}, cause="outside its template directory",
           blamed="_partials/signature.txt"),
    Attack("include ..", text("{% include '../secret.txt' %}"), cause="'..' (or a backslash) is refused"),
    Attack("absolute include", text("{% include '{secret}' %}"), cause="an absolute path is refused"),
    Attack("nested loops printing nothing", text(LOOPS), cause="rendering took over 1 s"),
    Attack("huge string multiplication", text("{{ 'x' * (3 * 10**9) }}"),
           cause="'*' would build a value of 3,000,000,000 characters"),
    Attack("huge range", text("{{ range(10**9)|list|length }}"), cause="Range too big"),
    Attack("huge list", text("{{ (range(100000)|list) * 100000 }}"),
           cause="'*' would build a value of 10,000,000,000 items"),
    Attack("filter building a huge string", text("{{ ('x' * 100000)|replace('x', 'y' * 100000) }}"),
           cause="rendering used over 64 MB"),
]


def plant(tmp_path: Path, attack: Attack) -> Path:
    """The admin directory with the attack in it, beside a secret it must never reach."""
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET}\n")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "signature.txt").write_text(f"{SECRET}\n")
    admin = tmp_path / "admin"
    admin.mkdir()
    for relative, body in attack.files.items():
        path = admin / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body.replace("{secret}", str(secret)))
    for relative, target in attack.links.items():
        path = admin / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(tmp_path / target)
    return admin


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


# -- the attacks, reproduced on what the bot used before ---------------------------------------------------------

def plain_render(source: str, *, memory_mb: int | None = None, wait: float = 30) -> subprocess.CompletedProcess[str]:
    """`source` rendered by Jinja2's own immutable sandbox (what mailbot used before), in a child process."""
    limit = (f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({memory_mb} * 2**20, "
             "resource.RLIM_INFINITY)); ") if memory_mb else ""
    code = (f"{limit}from jinja2.sandbox import ImmutableSandboxedEnvironment as E; import sys\n"
            "try:\n print(len(E().from_string(sys.argv[1]).render()))\n"
            "except BaseException as e:\n print(type(e).__name__)")
    return subprocess.run([sys.executable, "-c", code, source], capture_output=True, text=True, timeout=wait)


def test_a_symlink_was_followed_out_of_the_admin_directory_and_now_is_not(tmp_path: Path) -> None:
    admin = plant(tmp_path, ATTACKS[0])
    before = ImmutableSandboxedEnvironment(loader=FileSystemLoader(admin))
    assert SECRET in before.get_template("_partials/signature.txt").render()  # reproduced
    with pytest.raises(OutsideTemplateDir) as caught:
        Templates(admin).env.get_template("_partials/signature.txt")
    assert "outside its template directory" in str(caught.value.message) and SECRET not in str(caught.value)


def test_nested_loops_ran_past_any_budget_and_now_are_stopped_at_the_line(tmp_path: Path) -> None:
    with pytest.raises(subprocess.TimeoutExpired):  # reproduced: still looping long after the budget
        plain_render(LOOPS, wait=3)
    admin = plant(tmp_path, ATTACKS[4])
    with pytest.raises(TemplateRenderError) as caught:
        Templates(admin, budget=RenderBudget(1.0, 64)).render("acknowledgement_foi",
                                                              sample_contexts("acknowledgement_foi", Settings())[0])
    problem = caught.value.problem
    assert problem.over_budget and (problem.path, problem.line) == (str(admin / "acknowledgement_foi/text.txt"), 2)


@pytest.mark.parametrize(("source", "refusal"), [
    ("{{ 'x' * (3 * 10**9) }}", "would build a value of 3,000,000,000 characters"),
    ("{{ ([0] * 10**9)|length }}", "would build a value of 1,000,000,000 items"),
])
def test_huge_repetition_was_built_and_now_is_refused_before_it_is(source: str, refusal: str) -> None:
    assert plain_render(source, memory_mb=1024).stdout.strip() == "MemoryError"  # reproduced: it tried 3 GB / 8 GB
    with pytest.raises(SecurityError, match=re.escape(refusal)):
        Templates().env.from_string(source).render()


def test_the_loader_refuses_links_out_of_any_root_and_follows_links_within(tmp_path: Path) -> None:
    """Shipped and admin roots alike: a second root (as the shipped one is) with a link out is refused too."""
    admin, shipped = tmp_path / "admin", tmp_path / "shipped"
    (tmp_path / "secret.txt").write_text(SECRET)
    for root in (admin, shipped):
        (root / "_partials").mkdir(parents=True)
    (admin / "_partials" / "mine.txt").write_text("mine\n")
    (admin / "_partials" / "alias.txt").symlink_to(admin / "_partials" / "mine.txt")  # inside: fine
    (shipped / "_partials" / "signature.txt").symlink_to(tmp_path / "secret.txt")
    (admin / "_partials" / "shipped.txt").symlink_to(shipped / "_partials" / "signature.txt")
    loader = OverrideLoader([admin, shipped])
    env = ImmutableSandboxedEnvironment(loader=loader)
    assert env.get_template("_partials/alias.txt").render() == "mine"
    for name in ("_partials/signature.txt", "_partials/shipped.txt", "../secret.txt", str(tmp_path / "secret.txt")):
        with pytest.raises(OutsideTemplateDir):
            env.get_template(name)


class _Sleeper:
    """Unpickled in the worker before its timer is set: a stall the timer cannot see, for the bot's own deadline."""

    def __reduce__(self) -> tuple[object, tuple[int]]:
        return (time.sleep, (3600,))


def test_a_worker_that_does_not_answer_is_killed_at_the_deadline() -> None:
    worker = RenderWorker(64)
    try:
        request = Request("render", (str(Path(__file__).parent),), None, "x", {"stall": _Sleeper()}, 100, 0.2)
        with pytest.raises(WorkerFailed) as caught:
            worker.call(request)
        assert caught.value.timed_out and worker.started == 1
        assert worker.call(Request("render", (), None, "x", {}, 100, 0.2))[0] == "problem"  # a fresh one answers
        assert worker.started == 2
    finally:
        worker.close()


# -- refused on a real run, and reported by the check ------------------------------------------------------------

@pytest.mark.parametrize("attack", ATTACKS, ids=lambda attack: attack.name)
def test_hostile_template_on_a_real_run(attack: Attack, make_bot: BotFactory, dovecot: DovecotAccount,
                                        smtp_sink: SmtpSink, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    admin = plant(tmp_path, attack)
    bot = make_bot({"templates": {"dir": str(admin), **BUDGET}, "staff": {"recipients": [STAFF]}},
                   clock=Clock(MONDAY))
    for n in (1, 2):
        dovecot.append(messages.request(n, subject=f"Gritting {n}", tag="hostile"), MONDAY + timedelta(minutes=n))
    stats = bot.cycle()
    assert stats.process.decided == 2 and stats.process.failed == 0

    sent = smtp_sink.messages
    assert not [m for m in sent if SECRET.encode() in m.raw] and SECRET not in caplog.text
    replies = [m for m in sent if m.rcpt_tos != [STAFF]]
    alerts = [m for m in sent if m.rcpt_tos == [STAFF]]
    assert sorted(m.rcpt_tos[0] for m in replies) == ["person1@example.org", "person2@example.org"]
    for reply in replies:  # the shipped wording, signature and all
        assert "I acknowledge receipt" in body(reply.message) and "This is an automatic reply from" in body(reply.message)
    assert len(alerts) == 1  # one alert, with the true cause
    assert attack.cause in body(alerts[0].message)
    with bot.db.session() as session:
        (row,) = session.scalars(select(StaffAlert)).all()
        assert row.occurrences == 2 and attack.cause in row.detail

    config = tmp_path / "mailbot.toml"
    config.write_text("[templates]\n" + "".join(f"{key} = {value}\n" for key, value in BUDGET.items()))
    result = CliRunner().invoke(main, ["--config", str(config), "templates", "check", "--dir", str(admin)])
    assert result.exit_code == 1
    assert f"{admin / attack.blamed}" in result.stdout and attack.cause in result.stdout
    assert SECRET not in result.output


def test_check_reports_a_partial_that_hangs_every_template_once(tmp_path: Path) -> None:
    """A hanging signature is included by every template in both languages: reported once, not rendered again."""
    admin = tmp_path / "admin"
    (admin / "_partials").mkdir(parents=True)
    (admin / "_partials" / "signature.txt").write_text(f"Yours,\n{LOOPS}\n")
    config = tmp_path / "mailbot.toml"
    config.write_text("[templates]\n" + "".join(f"{key} = {value}\n" for key, value in BUDGET.items()))
    started = worker_for(RenderBudget(1.0, 64)).started
    result = CliRunner().invoke(main, ["--config", str(config), "templates", "check", "--dir", str(admin)])
    assert result.exit_code == 1
    assert f"{admin}/_partials/signature.txt:2: rendering took over 1 s" in result.stdout
    # One render was stopped (and its worker replaced) for the partial, not one per template and language.
    assert worker_for(RenderBudget(1.0, 64)).started - started <= 2


# -- SIGTERM while a template hangs ------------------------------------------------------------------------------

def _worker_children(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += [int(child) for child in (task / "children").read_text().split()]
    return [child for child in children
            if b"mailbot.replies.worker" in Path(f"/proc/{child}/cmdline").read_bytes()]


def test_sigterm_stops_the_bot_while_a_template_hangs(tmp_path: Path, dovecot: DovecotAccount,
                                                     smtp_sink: SmtpSink) -> None:
    admin = plant(tmp_path, ATTACKS[4])
    db_url = f"sqlite:///{tmp_path}/bot.db"
    hanging = {"templates": {"dir": str(admin), "render_seconds": 60}, "staff": {"recipients": [STAFF]},
               "schedule": {"poll_seconds": 1}}
    config = write_config(tmp_path / "run.toml", dovecot, smtp_sink, db_url, hanging)
    dovecot.append(messages.request(1, subject="Gritting", tag="hang"), MONDAY)
    env = {**os.environ, "MAILBOT_IMAP_PASSWORD": dovecot.password}
    command = [sys.executable, "-m", "mailbot.cli", "--config", str(config), "run"]
    with open(tmp_path / "bot.log", "wb") as log:
        process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            workers: list[int] = []
            for _ in range(600):  # until the bot is rendering the admin template (its worker exists)
                workers = _worker_children(process.pid) if process.poll() is None else []
                if workers or process.poll() is not None:
                    break
                time.sleep(0.1)
            assert workers, (tmp_path / "bot.log").read_text()[-3000:]
            time.sleep(1.0)  # well inside the 60 s render
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=15)  # liveness: without the interrupt this would wait out the 60 s budget
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    assert process.returncode == 0, (tmp_path / "bot.log").read_text()[-3000:]
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]  # the worker went with it
    assert not smtp_sink.messages
    db = Database(db_url, migrate=False)
    with db.session() as session:
        (row,) = session.scalars(select(InboundMessage)).all()
        assert (row.status, row.attempts) == ("new", 0)  # left for the next run, not counted as a failure
    db.dispose()

    # The same message after a restart no longer hangs the bot: the shipped wording and one alert go out.
    config = write_config(tmp_path / "once.toml", dovecot, smtp_sink, db_url,
                          {**hanging, "templates": {"dir": str(admin), **BUDGET}})
    result = subprocess.run([sys.executable, "-m", "mailbot.cli", "--config", str(config), "run", "--once"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    (reply,) = [m for m in smtp_sink.messages if m.rcpt_tos == ["person1@example.org"]]
    (alert,) = [m for m in smtp_sink.messages if m.rcpt_tos == [STAFF]]
    assert "I acknowledge receipt" in body(reply.message)
    # The file and line, then what is wrong on the next line (the alert's text part keeps to 78 columns).
    assert re.search(rf"{re.escape(str(admin))}/acknowledgement_foi/text.txt:2:\s+rendering took over 1 s",
                     body(alert.message))
    db = Database(db_url, migrate=False)
    with db.session() as session:
        assert sorted(session.scalars(select(OutboxMessage.status)).all()) == ["sent", "sent"]
    db.dispose()
