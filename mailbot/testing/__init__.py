"""Helpers shared by the test suite and the benchmarks, in the spirit of Mailman's `mailman.testing`.

It lives in the package rather than under tests/ so the benchmarks import it by name instead of patching
`sys.path`, and so import-linter and mypy check it like the rest: it is the top layer, which may use every layer
below and which no product module imports. Nothing here imports pytest; fixtures stay in tests/conftest.py and
are thin wrappers around these values.

    moments    WHEN, the one moment the tests mean by "now", and its named neighbours
    messages   request(): an RFC 5322 request with sensible defaults; inbound(): the same, parsed
    clock      ManualClock: a clock the test moves by hand
    facts      make_facts(): the Facts of a message, with keyword overrides, for testing rules on their own
    scenarios  SEED: the seed exchange the demo ships (the one copy)
    bots       BotFactory (behind the make_bot fixture), write_config for `mailbot` as its own process
    backlog    mixed_backlog(): valid, held and robot mail in arrival order, for crash and benchmark runs
    commands   mailbot(): a CLI command run in process through Click's CliRunner
    labelled   the labelled corpus (tests/data/labelled/), each message judged as `mailbot check` judges it
    clients    client_mail(): a reply or forward as Outlook, Gmail, Apple Mail, Notes… lay it out, in many languages
    client_mime  outlook(), gmail(), iphone(), webmail(), with_attachment() and calendar invitations, whole MIME

The real servers (Dovecot, the SMTP sink, throw-away PostgreSQL databases) stay in tests/servers.py, started by
tests/conftest.py's fixtures.
"""
