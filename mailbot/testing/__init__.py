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
"""
