"""Peak memory of parse + judge on the monsters: a 25 MB attachment, deep MIME, thousands of recipients.

    .venv/bin/python benchmarks/bench_memory.py

Each message is built first and written to a file; a fresh process then reads it and parses and judges it, so
the peak RSS (ru_maxrss) printed is that of handling the message, next to its size and the process's RSS
before parsing.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile

CASES = {
    "baseline (small message)": "SMALL",
    "25 MB attachment": "big(25)",
    "deep MIME (5000 levels)": "deep(5000)",
    "5000 To + 5000 Cc recipients": "many(5000)",
}
PRELUDE = r'''
import base64, os, resource
from mailbot.judging.settings import JudgeSettings
from mailbot.judging.judge import judge
from mailbot.mail.parse import parse_message
SMALL = b"From: Jo Bloggs <jo@example.org>\r\nSubject: x\r\nMessage-ID: <s@x>\r\n\r\nPlease send the budget.\r\n"
def big(mb):
    payload = base64.encodebytes(os.urandom(mb * 1024 * 1024))
    return (b"From: Jo Bloggs <jo@example.org>\r\nSubject: Evidence\r\nMessage-ID: <big@x>\r\nMIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=B\r\n\r\n"
            b"--B\r\nContent-Type: text/plain\r\n\r\nPlease send it.\r\n"
            b"--B\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=big.pdf\r\n\r\n" + payload + b"--B--\r\n")
def deep(n):
    head = b"".join(b"Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n" % (i, i) for i in range(n))
    return b"From: jo@example.org\r\nSubject: nest\r\nMessage-ID: <nest@x>\r\n" + head + b"text\r\n"
def many(n):
    rcpt = ", ".join(f"p{i}@example.org" for i in range(n))
    return (f"From: Jo <jo@example.org>\r\nTo: {rcpt}\r\nCc: {rcpt}\r\n"
            "Subject: x\r\nMessage-ID: <m@x>\r\n\r\nPlease.\r\n").encode()
'''
EPILOGUE = r'''
raw = open(PATH, "rb").read()
size = len(raw)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
judge(parse_message(raw), None, JudgeSettings())
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{size / 1e6:8.1f} MB input  {before / 1024:7.1f} MB before  {peak / 1024:7.1f} MB peak")
'''


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        for name, expression in CASES.items():
            path = f"{tmp}/message.eml"
            subprocess.run([sys.executable, "-c", PRELUDE + f"open({path!r}, 'wb').write({expression})"], check=True)
            script = PRELUDE + f"PATH = {path!r}\n" + EPILOGUE
            out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                 check=True).stdout.strip()
            print(f"{name:<32} {out}")


if __name__ == "__main__":
    main()
