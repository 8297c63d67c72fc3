"""Where a backlog's time goes: each stage of one cycle timed apart, optionally under cProfile.

    .venv/bin/python benchmarks/profile_backlog.py [N] [--postgres URL] [--profile FILE]

Prints milliseconds per message for poll (fetch, store, move), process (parse, judge, act) and per reply for send
(SMTP and the Sent copies). With --profile, the whole cycle runs under cProfile and the statistics are written to
FILE (read them with `python -m pstats FILE`); with --pyinstrument (if installed), a sampled call tree is printed.
"""

from __future__ import annotations

import cProfile
import sys
import time

from harness import database_url, deliver, make_bot, mixed_backlog, servers


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 and sys.argv[1].isdigit() else 2000
    out = sys.argv[sys.argv.index("--profile") + 1] if "--profile" in sys.argv else None
    mails = mixed_backlog(n)
    with database_url(sys.argv) as db_url, servers() as (account, sink):
        deliver(account, mails)
        bot = make_bot(account, sink, db_url)
        sampler = None
        if "--pyinstrument" in sys.argv:
            # Not a dependency: pip install it into the venv to use this.
            from pyinstrument import Profiler  # type: ignore[import-not-found]  # optional, see above

            sampler = Profiler(interval=0.0005)
            sampler.start()
        profiler = cProfile.Profile() if out else None
        if profiler:
            profiler.enable()
        t0 = time.perf_counter()
        ingest = bot.poll()
        t1 = time.perf_counter()
        c1 = time.process_time()
        process = bot.processor.run(bot.clock)
        c2 = time.process_time()
        t2 = time.perf_counter()
        send = bot.outbox.send_pending(bot.clock)
        t3 = time.perf_counter()
        if profiler and out:  # one implies the other
            profiler.disable()
            profiler.dump_stats(out)
        if sampler:
            sampler.stop()
            print(sampler.output_text(unicode=True, color=False, show_all=False))
        assert ingest.stored == n and process.decided == n and send.sent == process.replies_queued, (ingest, send)
        print(f"backlog of {n} ({send.sent} replies), database {db_url.split(':')[0]}")
        print(f"  poll:    {(t1 - t0) * 1000 / n:6.2f} ms/message")
        print(f"  process: {(t2 - t1) * 1000 / n:6.2f} ms/message ({(c2 - c1) * 1000 / n:.2f} ms of CPU)")
        print(f"  send:    {(t3 - t2) * 1000 / max(send.sent, 1):6.2f} ms/reply")
        print(f"  total:   {n / (t3 - t0):6.1f} messages/s")
        bot.db.dispose()


if __name__ == "__main__":
    main()
