"""A backlog of mixed mail, as a mailbox collects it during an outage: for crash, instance and benchmark runs."""

from __future__ import annotations

FIRST = ["Alex", "Sam", "Priya", "Tomasz", "Aoife", "Kwame", "Mei", "Olu", "Ines", "Rhys", "Fatima", "Jonas"]
LAST = ["Morgan", "Taylor", "Patel", "Nowak", "Byrne", "Mensah", "Chen", "Adeyemi", "Silva", "Evans", "Khan", "Berg"]


def person(i: int) -> str:
    """A different full name for each i below 1,728 (double-barrelled surnames after the first 144), so a backlog
    is written by as many people as a real one and a per-name cache cannot make a benchmark look faster."""
    first, rest = FIRST[i % len(FIRST)], i // len(FIRST)
    surname = LAST[rest % len(LAST)]
    if rest >= len(LAST):
        surname += "-" + LAST[(rest // len(LAST)) % len(LAST)]
    return f"{first} {surname}"


def eml(sender: str, subject: str, body: str, message_id: str, headers: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: foi@council.example\r\nSubject: {subject}\r\nMessage-ID: {message_id}\r\n"
            f"{headers}Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n").encode()


def mixed_backlog(n: int) -> list[bytes]:
    """Mixed mail in arrival order: valid requests, held ones with their completing replies, robots."""
    mails: list[bytes] = []
    i = 0
    while len(mails) < n:
        kind = i % 5
        if kind in (0, 1):  # a valid request
            name = person(i)
            mails.append(eml(f"{name} <valid{i}@example.org>", f"Budget question {i}",
                             f"Please send the 2023 budget for service {i}.\n\nYours faithfully,\n{name}",
                             f"<valid-{i}@example.org>"))
        elif kind == 2:  # a request signed with a first name only, then the reply that completes it
            mails.append(eml(f"Sam <held{i}@example.org>", f"Contracts {i}",
                             f"Please send the contract register for {i}.\n\nThanks,\nSam", f"<held-{i}@example.org>"))
            mails.append(eml(f"Sam <held{i}@example.org>", f"Re: Contracts {i}",
                             f"My full name is {person(i).replace(FIRST[i % len(FIRST)], 'Sam', 1)}\n\nSam",
                             f"<held-{i}-name@example.org>"))
        elif kind == 3:  # an out-of-office
            mails.append(eml(f"away{i}@example.org", "Automatic reply: away", "I am away until Monday.",
                             f"<oof-{i}@example.org>", "Auto-Submitted: auto-replied\r\n"))
        else:  # a newsletter
            mails.append(eml(f"news{i}@example.org", f"Newsletter {i}", "This month: more news.",
                             f"<news-{i}@example.org>", "List-Id: <news.example.org>\r\n"))
        i += 1
    return mails[:n]
