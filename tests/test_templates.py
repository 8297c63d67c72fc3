"""Templates: every one renders in both languages; the sandbox, caps and header rules hold; `templates check` finds
what an admin can break; and a broken admin template never stops a reply on a real run (Dovecot, aiosmtpd, SQL)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from jinja2 import TemplateNotFound
from servers import DovecotAccount, SmtpMessage, SmtpSink
from sqlalchemy import select

from mailbot.cli import main
from mailbot.cli.templates import stored_context
from mailbot.clock.deadlines import compute_deadline
from mailbot.config import ConfigError, Settings, require_for_run, settings_from_mapping
from mailbot.judging.readers.references import ReferenceKey, find_reference_keys
from mailbot.mail.compose import compose
from mailbot.replies.catalog import (
    CATALOG,
    DIGEST_VARIABLES,
    REPLY_TEMPLATES,
    REPLY_VARIABLES,
    STAFF_ALERT_VARIABLES,
    STAFF_NOTICE_VARIABLES,
    render_limit,
    sample_contexts,
)
from mailbot.replies.check import check_templates
from mailbot.replies.filters import longdate
from mailbot.replies.loader import shipped_templates_dir
from mailbot.replies.templates import LANGUAGES, TemplateRenderError, Templates
from mailbot.service import Bot
from mailbot.store.models import Case, OutboxMessage, StaffAlert
from mailbot.testing import messages
from mailbot.testing.bots import BotFactory
from mailbot.testing.clock import ManualClock as Clock
from mailbot.testing.moments import WHEN as MONDAY

SETTINGS = Settings()
README = shipped_templates_dir() / "README.md"
PROBLEM_LINE = re.compile(r"^(?P<path>/\S+):(?P<line>\d+): (?P<message>.+)$")


def ctx(name: str, index: int = 0, **changes: object) -> dict:
    return {**sample_contexts(name, SETTINGS)[index], **changes}


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- every template, both languages ------------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", list(CATALOG))
def test_every_template_renders_every_sample(name: str, language: str) -> None:
    templates = Templates(None, language)
    for context in sample_contexts(name, SETTINGS, language):
        rendered = templates.render(name, context, max_chars=render_limit(name))
        assert rendered.subject and "\n" not in rendered.subject
        assert rendered.text.strip()
        assert rendered.html and rendered.html.lstrip().startswith("<!DOCTYPE html>")
        if context.get("reference"):
            assert context["reference"] in rendered.subject and context["reference"] in rendered.text


def test_the_shipped_templates_pass_the_check() -> None:
    report = check_templates(SETTINGS)
    assert report.problems == ()
    assert report.files >= 50 and report.renders == 2 * sum(len(sample_contexts(n, SETTINGS)) for n in CATALOG)


@pytest.mark.parametrize("name", REPLY_TEMPLATES)
def test_welsh_replies_are_bilingual_with_welsh_first(name: str) -> None:
    rendered = Templates(None, "cy").render(name, ctx(name))
    welsh, english = rendered.text.index("Annwyl"), rendered.text.index("Dear")
    assert welsh < english
    assert "Yn gywir / Yours sincerely" in rendered.text
    assert 'lang="cy"' in rendered.html and 'lang="en"' in rendered.html


def test_welsh_dates_and_missing_welsh_templates_fall_back_to_english() -> None:
    cy = Templates(None, "cy")
    ack = cy.render("acknowledgement_foi", ctx("acknowledgement_foi"))
    assert "13 Mehefin 2022" in ack.text and "13th June 2022" in ack.text
    # No cy/staff_alert ships: the English one is used, and the Welsh layout does not mislabel it.
    alert = cy.render("staff_alert", sample_contexts("staff_alert", SETTINGS, "cy")[0])
    english = Templates(None, "en").render("staff_alert", sample_contexts("staff_alert", SETTINGS, "cy")[0])
    assert alert == english and '<html lang="en-GB">' in alert.html


def test_a_bilingual_subject_still_threads_by_its_reference() -> None:
    subject = Templates(None, "cy").render("acknowledgement_foi", ctx("acknowledgement_foi")).subject
    assert find_reference_keys(f"Re: {subject}") == [ReferenceKey(13931, 2022)]


@pytest.mark.parametrize("day,english,welsh", [
    (date(2022, 6, 13), "13th June 2022", "13 Mehefin 2022"), (date(2022, 5, 1), "1st May 2022", "1 Mai 2022"),
    (date(2022, 7, 2), "2nd July 2022", "2 Gorffennaf 2022"), (date(2023, 1, 3), "3rd January 2023", "3 Ionawr 2023"),
    (date(2022, 3, 11), "11th March 2022", "11 Mawrth 2022"), (date(2022, 12, 22), "22nd December 2022",
                                                              "22 Rhagfyr 2022"),
])
def test_longdate(day: date, english: str, welsh: str) -> None:
    assert (longdate(day), longdate(day, "cy")) == (english, welsh)


# -- safety ------------------------------------------------------------------------------------------------------


def test_html_is_autoescaped_and_text_is_not(tmp_path: Path) -> None:
    hostile = '<script>alert("x")</script> & Sons'
    rendered = Templates().render("section8_notice", ctx("section8_notice", requester_name=hostile))
    assert "<script>" not in rendered.html and "&lt;script&gt;" in rendered.html and "&amp; Sons" in rendered.html
    assert hostile in rendered.text


def test_a_subject_can_never_carry_a_line_break(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement_foi/subject.txt", "Hello\r\nBcc: victim@example.org\n{{ reference }}\n")
    rendered = Templates(tmp_path).render("acknowledgement_foi", ctx("acknowledgement_foi"))
    assert rendered.subject == "Hello Bcc: victim@example.org 13931/2022"
    message = compose(rendered=rendered, from_address="foi@council.example", from_name="FOI\r\nBcc: x@y.z",
                      to="jo@example.org", in_reply_to=None, references=(), loop_token="t",
                      now=datetime(2022, 6, 13, tzinfo=UTC))
    assert message["Bcc"] is None and "\n" not in message["Subject"] and "\n" not in message["From"]


@pytest.mark.parametrize("source,expected", [
    ("{{ ''.__class__.__mro__ }}", "unsafe"),
    ("{{ missing.append('x') }}", "unsafe"),
    ("{{ no_such_variable }}", "'no_such_variable' is undefined"),
    ("{{ due }}", "missing (None)"),
    ("{{ due | longdate }}", "longdate was given no date"),
    ("{% for i in range(99999) %}{% for j in range(99999) %}xxxxxxxxxx{% endfor %}{% endfor %}", "cap"),
])
def test_what_the_sandbox_refuses(tmp_path: Path, source: str, expected: str) -> None:
    path = write(tmp_path, "follow_up_received/text.txt", f"Ref {{{{ reference }}}}\n{source}\n")
    with pytest.raises(TemplateRenderError) as caught:
        Templates(tmp_path).render("follow_up_received", ctx("follow_up_received", 2))
    assert expected in caught.value.problem.message
    assert caught.value.problem.path == str(path)


def test_errors_are_located_in_the_included_file(tmp_path: Path) -> None:
    partial = write(tmp_path, "_partials/signature.txt", "Regards\n\n{{ signatory }}\n")
    with pytest.raises(TemplateRenderError) as caught:
        Templates(tmp_path).render("acknowledgement_foi", ctx("acknowledgement_foi"))
    assert str(caught.value.problem) == f"{partial}:3: 'signatory' is undefined"


def test_a_broken_override_falls_back_to_the_shipped_file_and_says_why(tmp_path: Path) -> None:
    broken = write(tmp_path, "acknowledgement_foi/text.txt", "Dear {{ requester_name }},\n\n{{ due | longdat }}\n")
    rendering = Templates(tmp_path).render_or_default("acknowledgement_foi", ctx("acknowledgement_foi"))
    shipped = Templates().render("acknowledgement_foi", ctx("acknowledgement_foi"))
    assert rendering.reply == shipped
    assert rendering.problem is not None and rendering.problem.path == str(broken)
    assert rendering.problem.line == 3 and "longdat" in rendering.problem.message


def test_a_subject_without_the_reference_is_refused_and_falls_back(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement_foi/subject.txt", "Your request\n")
    rendering = Templates(tmp_path).render_or_default("acknowledgement_foi", ctx("acknowledgement_foi"))
    assert "13931/2022" in rendering.reply.subject
    assert rendering.problem is not None and "{{ reference }}" in rendering.problem.message


def test_overrides_are_file_by_file(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement_foi/text.txt", "Our own words for {{ reference }}.\n")
    rendered = Templates(tmp_path).render("acknowledgement_foi", ctx("acknowledgement_foi"))
    shipped = Templates().render("acknowledgement_foi", ctx("acknowledgement_foi"))
    assert rendered.text == "Our own words for 13931/2022.\n"
    assert (rendered.subject, rendered.html) == (shipped.subject, shipped.html)


def test_edits_created_and_deleted_overrides_apply_to_the_next_render(tmp_path: Path) -> None:
    templates = Templates(tmp_path)
    context = ctx("acknowledgement_foi")
    assert "I acknowledge receipt" in templates.render("acknowledgement_foi", context).text
    path = write(tmp_path, "acknowledgement_foi/text.txt", "version 1 {{ reference }}\n")
    assert templates.render("acknowledgement_foi", context).text == "version 1 13931/2022\n"
    path.write_text("version 2 {{ reference }}\n")  # same length, perhaps the same mtime tick: still seen
    assert templates.render("acknowledgement_foi", context).text == "version 2 13931/2022\n"
    path.unlink()
    assert "I acknowledge receipt" in templates.render("acknowledgement_foi", context).text


def test_within_one_run_each_file_is_read_once_and_edits_wait_for_the_next_run(tmp_path: Path) -> None:
    templates = Templates(tmp_path)
    context = ctx("acknowledgement_foi")
    path = write(tmp_path, "acknowledgement_foi/text.txt", "version 1 {{ reference }}\n")
    with templates.steady():
        assert templates.render("acknowledgement_foi", context).text == "version 1 13931/2022\n"
        path.write_text("version 2 {{ reference }}\n")
        write(tmp_path, "acknowledgement_foi/subject.txt", "Mine [{{ reference }}]\n")
        again = templates.render("acknowledgement_foi", context)
        assert again.text == "version 1 13931/2022\n" and again.subject != "Mine [13931/2022]"
    after = templates.render("acknowledgement_foi", context)
    assert after.text == "version 2 13931/2022\n" and after.subject == "Mine [13931/2022]"


def test_a_template_name_can_never_leave_the_template_roots(tmp_path: Path) -> None:
    """An include or a name with ".." is refused, even when the file it points at exists beside the admin dir."""
    admin = tmp_path / "admin"
    write(tmp_path, "secret.txt", "not a template\n")
    write(admin, "follow_up_received/text.txt", "Ref {{ reference }}\n{% include '../secret.txt' %}\n")
    templates = Templates(admin)
    with pytest.raises(TemplateNotFound):
        templates.loader.locate("../secret.txt")
    with pytest.raises(TemplateNotFound):
        templates.env.get_template("follow_up_received/../../secret.txt")
    with pytest.raises(TemplateRenderError) as caught:
        templates.render("follow_up_received", ctx("follow_up_received", 2))
    assert "../secret.txt: '..' (or a backslash) is refused" in caught.value.problem.message


def test_a_welsh_override_beats_the_shipped_welsh_file(tmp_path: Path) -> None:
    write(tmp_path, "cy/acknowledgement_foi/text.txt", "Ein geiriau ni {{ reference }}\n")
    assert Templates(tmp_path, "cy").render("acknowledgement_foi", ctx("acknowledgement_foi")).text == \
        "Ein geiriau ni 13931/2022\n"


# -- templates check and preview ---------------------------------------------------------------------------------


def broken_admin_dir(root: Path) -> dict[str, Path]:
    return {
        "subject": write(root, "acknowledgement_foi/subject.txt", "Your request\n"),
        "undefined": write(root, "acknowledgement_foi/text.txt", "Dear {{ requester_name }},\n{{ requestor }}\n"),
        "syntax": write(root, "cy/section8_notice/text.txt", "Annwyl\n{% if missing %}\n"),
        "typo": write(root, "acknowledgment_eir/text.txt", "Dear {{ requester_name }}\n"),
        "stray": write(root, "acknowledgement_sar/body.txt", "x\n"),
        "none": write(root, "follow_up_received/text.txt", "{{ reference }} due {{ due | longdate }}\n"),
    }


def test_check_reports_every_problem_as_path_line_message(tmp_path: Path) -> None:
    files = broken_admin_dir(tmp_path)
    result = CliRunner().invoke(main, ["templates", "check", "--dir", str(tmp_path)])
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    parsed = [PROBLEM_LINE.match(line) for line in lines]
    assert all(parsed), lines
    found = {(m["path"], int(m["line"])): m["message"] for m in parsed if m}
    assert "{{ reference }}" in found[(str(files["subject"]), 1)]
    assert "'requestor' is undefined" in found[(str(files["undefined"]), 2)]
    assert "missing (None)" in found[(str(files["undefined"]), 1)]  # "Dear None," in the sample without a name
    assert "syntax error" in found[(str(files["syntax"]), 2)]
    assert "no template named 'acknowledgment_eir'" in found[(str(files["typo"]), 1)]
    assert "only subject.txt, text.txt, html.html" in found[(str(files["stray"]), 1)]
    assert "longdate was given no date" in found[(str(files["none"]), 1)]  # the sample where nothing is due
    assert len(lines) == 7


def test_check_passes_good_overrides_and_flags_english_ones_shadowed_in_welsh(tmp_path: Path) -> None:
    write(tmp_path, "acknowledgement_foi/text.txt", "Dear {{ requester_name or 'requester' }}, {{ reference }}\n")
    write(tmp_path, "cy/acknowledgement_eir/text.txt", "Annwyl {{ requester_name or 'ymgeisydd' }}\n")
    assert check_templates(SETTINGS, tmp_path).problems == ()
    welsh = settings_from_mapping({"templates": {"language": "cy", "dir": str(tmp_path)}})
    (problem,) = check_templates(welsh, tmp_path).problems
    assert problem.path == str(tmp_path / "acknowledgement_foi/text.txt") and "cy/acknowledgement_foi" in \
        problem.message


def test_run_refuses_a_template_dir_that_does_not_exist(tmp_path: Path) -> None:
    base = {"mailbox": {"address": "foi@council.example", "organisation": "Test Council"},
            "imap": {"host": "127.0.0.1"}, "smtp": {"host": "127.0.0.1"}}
    require_for_run(settings_from_mapping({**base, "templates": {"dir": str(tmp_path)}}))
    with pytest.raises(ConfigError, match=r"templates\.dir: .*missing is not a directory"):
        require_for_run(settings_from_mapping({**base, "templates": {"dir": str(tmp_path / "missing")}}))


def test_check_uses_the_configured_admin_dir(tmp_path: Path) -> None:
    admin = tmp_path / "admin"
    write(admin, "digest/subject.txt", "{{ digest.nonsense }}\n")
    config = write(tmp_path, "mailbot.toml", f'[templates]\ndir = "{admin}"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "templates", "check"])
    assert result.exit_code == 1 and f"{admin}/digest/subject.txt:1:" in result.stdout


def test_preview_with_sample_data_and_html_file(tmp_path: Path) -> None:
    out = tmp_path / "ack.html"
    result = CliRunner().invoke(main, ["templates", "preview", "acknowledgement_foi", "--language", "cy",
                                       "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Subject: Re: Facial recognition technology [Cyf. Ymholiad / Enquiry Ref:")
    assert "13 Mehefin 2022" in result.stdout and "13 Mehefin 2022" in out.read_text()
    second = CliRunner().invoke(main, ["templates", "preview", "section8_notice", "--sample", "2"])
    assert "does not say what information" in second.stdout and "full name" not in second.stdout


def test_preview_of_a_broken_override_shows_the_problem(tmp_path: Path) -> None:
    write(tmp_path, "staff_alert/text.txt", "{{ template }\n")
    config = write(tmp_path, "mailbot.toml", f'[templates]\ndir = "{tmp_path}"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "templates", "preview", "staff_alert"])
    assert result.exit_code == 1 and f"{tmp_path}/staff_alert/text.txt:1: syntax error" in result.stderr


# -- documentation -----------------------------------------------------------------------------------------------


def test_readme_documents_every_template_and_variable() -> None:
    text = README.read_text()
    documented = set(re.findall(r"`([a-z_]+)`", text))
    for name in CATALOG:
        assert f"`{name}/`" in text, name
    missing = set(REPLY_VARIABLES + STAFF_ALERT_VARIABLES + STAFF_NOTICE_VARIABLES + DIGEST_VARIABLES) - documented
    assert not missing
    for name in REPLY_TEMPLATES:
        assert set(sample_contexts(name, SETTINGS)[0]) == set(REPLY_VARIABLES)
    assert set(sample_contexts("staff_alert", SETTINGS)[0]) == set(STAFF_ALERT_VARIABLES)
    assert set(sample_contexts("staff_notice", SETTINGS)[0]) == set(STAFF_NOTICE_VARIABLES)
    assert set(sample_contexts("digest", SETTINGS)[0]) == set(DIGEST_VARIABLES)


# -- real runs ---------------------------------------------------------------------------------------------------

STAFF = "ir-team@council.example"


def request(n: int) -> bytes:
    return messages.request(n, subject=f"Gritting {n}", tag="tpl")


def body(message: EmailMessage) -> str:
    part = message.get_body(("plain",))
    assert part is not None
    return part.get_content()


def deliver(bot: Bot, dovecot: DovecotAccount, smtp_sink: SmtpSink, n: int, when: datetime) -> list[SmtpMessage]:
    before = len(smtp_sink.messages)
    dovecot.append(request(n), when)
    stats = bot.cycle()
    assert stats.process.decided == 1 and stats.imap_error is None
    return smtp_sink.messages[before:]


def test_broken_admin_template_on_a_real_run(make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink,
                                             tmp_path: Path) -> None:
    broken = write(tmp_path, "acknowledgement_foi/text.txt", "Dear {{ requester_name }},\n{{ requestor }}\n")
    clock = Clock(MONDAY)
    bot = make_bot({"templates": {"dir": str(tmp_path)}, "staff": {"recipients": [STAFF]}}, clock=clock)

    first = deliver(bot, dovecot, smtp_sink, 1, MONDAY)
    replies = [m for m in first if m.rcpt_tos == ["person1@example.org"]]
    alerts = [m for m in first if m.rcpt_tos == [STAFF]]
    assert len(replies) == 1 and len(alerts) == 1 and len(first) == 2
    assert "I acknowledge receipt" in body(replies[0].message)  # the shipped wording went out
    alert = alerts[0].message
    assert alert["Auto-Submitted"] == "auto-generated" and "acknowledgement_foi" in alert["Subject"]
    # The file and line, then what is wrong on the next line (the alert's text part keeps to 78 columns).
    assert re.search(rf"{re.escape(str(broken))}:2:\s+'requestor' is undefined", body(alert))
    assert "<tpl-1@example.org>" in body(alert) and alert.get_body(("html",)) is not None

    second = deliver(bot, dovecot, smtp_sink, 2, MONDAY + timedelta(hours=1))  # the same day: no second alert
    assert [m.rcpt_tos for m in second] == [["person2@example.org"]]
    clock.now = MONDAY + timedelta(days=1)
    third = deliver(bot, dovecot, smtp_sink, 3, clock.now)  # a new day: one new alert
    assert sorted(m.rcpt_tos[0] for m in third) == sorted(["person3@example.org", STAFF])
    with bot.db.session() as session:
        rows = session.scalars(select(StaffAlert).order_by(StaffAlert.id)).all()
        assert [(r.key, r.day.isoformat(), r.occurrences) for r in rows] == [
            ("template:en:acknowledgement_foi", "2024-03-04", 2), ("template:en:acknowledgement_foi", "2024-03-05", 1)]
        statuses = session.scalars(select(OutboxMessage.status)).all()
        assert statuses == ["sent"] * 5


def test_an_edit_takes_effect_on_the_next_message(make_bot: BotFactory, dovecot: DovecotAccount, smtp_sink: SmtpSink,
                                                  tmp_path: Path) -> None:
    text = write(tmp_path, "acknowledgement_foi/text.txt", "Version one for {{ reference }}.\n")
    bot = make_bot({"templates": {"dir": str(tmp_path)}})
    (first,) = deliver(bot, dovecot, smtp_sink, 1, MONDAY)
    assert body(first.message).startswith("Version one for 1/2024.")
    text.write_text("Version two for {{ reference }}.\n")
    write(tmp_path, "acknowledgement_foi/subject.txt", "New wording [Ref {{ reference }}]\n")  # a new override
    (second,) = deliver(bot, dovecot, smtp_sink, 2, MONDAY)
    assert body(second.message).startswith("Version two for 2/2024.")
    assert second.message["Subject"] == "New wording [Ref 2/2024]"


def test_welsh_replies_on_a_real_run_and_preview_of_the_stored_enquiry(make_bot: BotFactory, dovecot: DovecotAccount,
                                                                     smtp_sink: SmtpSink, db_url: str,
                                                                     tmp_path: Path) -> None:
    bot = make_bot({"templates": {"language": "cy"}})
    (ack,) = deliver(bot, dovecot, smtp_sink, 1, MONDAY)
    text = body(ack.message)
    assert "Annwyl Jo Bloggs" in text and "Dear Jo Bloggs" in text and "1/2024" in ack.message["Subject"]
    due = compute_deadline("foi", MONDAY.date(), (), bot.settings.clock_policy()).due
    assert longdate(due, "cy") in text and longdate(due) in text  # the clock's due date, written both ways
    config = write(tmp_path, "mailbot.toml", f'[mailbox]\naddress = "foi@council.example"\n'
                                             f'[database]\nurl = "{db_url}"\n')
    result = CliRunner().invoke(main, ["--config", str(config), "templates", "preview", "acknowledgement_foi",
                                       "--enquiry", "1/2024"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Subject: Re: Gritting 1 [Enquiry Ref: 1/2024]")
    assert longdate(due) in result.stdout
    with bot.db.session() as session:
        case = session.scalars(select(Case)).one()
        assert set(stored_context(session, bot.settings, bot.templates, case, "acknowledgement_foi")) == \
            set(REPLY_VARIABLES)
    missing = CliRunner().invoke(main, ["--config", str(config), "templates", "preview", "acknowledgement_review",
                                        "--enquiry", "1/2024"])
    assert missing.exit_code == 1 and "has no internal review" in missing.stderr
