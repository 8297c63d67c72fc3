"""Parse speed: the corpus throughput and the hostile inputs that once backtracked. Run on demand:

    .venv/bin/python benchmarks/bench_parse.py [CORPUS_DIR]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mailbot.mail.parse import parse_message

HOSTILE = {
    "address-without-at": b"From: " + b"a" * 300_000 + b"\n\nx",
    "failed-recipients": b"X-Failed-Recipients: " + b"a" * 300_000 + b"\n\nx",
    "unclosed-tags": b"Content-Type: text/html\n\n" + b"<" * 400_000,
    "unclosed-style": b"Content-Type: text/html\n\n" + b"<style" * 100_000,
    "uuencode-without-end": b"\n" + b"begin 644 x\n" * 50_000,
    "unterminated-encoded-words": b"Subject: " + b"=?a?q?" * 50_000 + b"\n\nx",
    "unclosed-ids": b"References: " + b"<" * 300_000 + b"\n\nx",
}


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared/corpus/alaveteli"
    if corpus.is_dir():
        raws = [p.read_bytes() for p in sorted(corpus.iterdir()) if p.is_file()]
        started = time.perf_counter()
        rounds = 5
        for _ in range(rounds):
            for raw in raws:
                parse_message(raw)
        elapsed = time.perf_counter() - started
        print(f"corpus: {len(raws) * rounds} parses in {elapsed:.2f} s = {len(raws) * rounds / elapsed:.0f} messages/s")
    for name, raw in HOSTILE.items():
        started = time.perf_counter()
        parse_message(raw)
        print(f"hostile {name:<28} {len(raw) / 1e6:5.1f} MB  {1000 * (time.perf_counter() - started):8.1f} ms")


if __name__ == "__main__":
    main()
