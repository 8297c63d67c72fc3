"""The backscatter flood (issue 14): forged requests "from" victims, through Dovecot → bot → aiosmtpd.

    .venv/bin/python benchmarks/bench_forged_flood.py [--postgres URL]

Runs two floods with the default caps — 120 forged messages in one victim's name, and 960 in the names of 80
victims — each with a different sub-address and letter case per message, and prints the replies each victim's
real mailbox received (most, and total), the staff notices raised, how long the bot took and the rate of
automatic replies that makes per hour. A third run stamps the flood with the Authentication-Results header the
authority's receiving server would add (DMARC fail) and trusts that server. To measure the code before a change,
run this script with PYTHONPATH pointing at the older checkout.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from datetime import timedelta
from typing import Any

from harness import database_url, deliver, make_bot, servers

from mailbot.mail.mailbox_key import mailbox_key
from mailbot.testing.bots import merge
from mailbot.testing.floods import flood, victim

STAFF = "ir-team@council.example"
GATEWAY = "mx.council.example"
DMARC_FAIL = (f"{GATEWAY}; spf=softfail smtp.mailfrom=attacker.example; dkim=none; "
              "dmarc=fail (p=REJECT) header.from=example.net")


def run(label: str, victims: int, per_victim: int, extra: dict[str, Any], stamp: str | None) -> None:
    with servers(sink_in_process=True) as (account, sink), database_url(sys.argv) as url:
        # A flood arrives as fast as it is sent: a second apart here (the hourly cap counts by arrival).
        deliver(account, flood(victims, per_victim, authentication_results=stamp), apart=timedelta(seconds=1))
        defaults = {"rules": {"daily_reply_cap": 10, "hourly_reply_cap": 200}, "staff": {"recipients": [STAFF]}}
        bot = make_bot(account, sink, url, merge(defaults, extra))  # the shipped caps, not the harness's
        started = time.perf_counter()
        bot.cycle()
        elapsed = time.perf_counter() - started
        to = Counter(mailbox_key(address) for m in sink.messages for address in m.rcpt_tos)  # real mailboxes
        staff = to.pop(STAFF, 0)
        per_victim_replies = [to.get(victim(n), 0) for n in range(victims)]
        replies = sum(to.values())
        subjects = {m.message["Subject"] for m in sink.messages if STAFF not in m.rcpt_tos}
        linked = sum(1 for s in subjects if "http://" in (s or ""))
        bot.close()
        forged = victims * per_victim
        # Per hour: at this run's rate while nothing is refused; once a cap refuses mail, what got through is all
        # that gets through for the rest of the hour (the hourly cap) or the day (the per-mailbox cap).
        per_hour = replies / elapsed * 3600 if replies == forged else replies
        print(f"{label:<48} {forged:4d} forged  most per victim {max(per_victim_replies):4d}  replies {replies:4d}  "
              f"staff notices {staff:2d}  {elapsed:5.1f} s  replies/hour {per_hour:8.0f}  "
              f"subjects with a live link {linked}/{len(subjects)}")


def main() -> None:
    trusted = {"rules": {"trusted_authserv_ids": [GATEWAY]}}
    logging.disable(logging.WARNING)  # the staff notices' log lines
    run("one victim, 120 forged", 1, 120, {}, None)
    run("80 victims, 960 forged", 80, 12, {}, None)
    try:
        run("80 victims, 960 forged, gateway says dmarc=fail", 80, 12, trusted, DMARC_FAIL)
    except Exception as error:  # noqa: BLE001  # an older checkout has no such setting
        print(f"80 victims, 960 forged, gateway dmarc=fail: not measurable ({type(error).__name__})")


if __name__ == "__main__":
    main()
