"""The largest digest the caps allow: every section full (MAX_ROWS shown, the rest counted), rendered in both
languages, against DIGEST_MAX_CHARS. Run on demand:

    .venv/bin/python benchmarks/bench_digest_size.py
"""

from __future__ import annotations

import statistics
import time
from dataclasses import fields, replace
from typing import Any

from mailbot.config import Settings
from mailbot.replies.catalog import sample_digest
from mailbot.replies.context import digest_context
from mailbot.replies.digest_model import DIGEST_MAX_CHARS, MAX_ROWS, Digest, Section
from mailbot.replies.templates import LANGUAGES, Templates


def full_digest() -> Digest:
    """The sample digest with each section's first line repeated past the cap."""
    sample = sample_digest()
    full: dict[str, Any] = {f.name: Section.of([getattr(sample, f.name).rows[0]] * (MAX_ROWS + 50))
                            for f in fields(sample) if isinstance(getattr(sample, f.name), Section)}
    return replace(sample, **full)


def main() -> None:
    context = digest_context(full_digest(), Settings())
    for language in LANGUAGES:
        templates = Templates(None, language)
        timings = []
        for _ in range(5):
            start = time.perf_counter()
            rendered = templates.render("digest", context, max_chars=DIGEST_MAX_CHARS)
            timings.append(time.perf_counter() - start)
        print(f"{language}: text {len(rendered.text):,} chars, html {len(rendered.html or ''):,} chars "
              f"(cap {DIGEST_MAX_CHARS:,} each); render median {statistics.median(timings) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
