"""E1 on its own: e-mails per second delivered by Celery workers to a loopback SMTP server.

    python -m benchmarks.email_rate --messages 2000 [--workers 2] [--pool prefork]

It uses the data set already in the bench database (run benchmarks.generate first).
"""

from __future__ import annotations

import argparse
import json

from benchmarks import environment


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pool", default="prefork")
    parser.add_argument("--concurrency", type=int, default=1, help="pool size of each worker")
    parser.add_argument("--prefetch", type=int, default=None, help="--prefetch-multiplier")
    parser.add_argument("--repetitions", type=int, default=5)
    options = parser.parse_args()
    environment.configure()
    environment.migrate()
    from benchmarks.mail import measure_mail

    result = measure_mail(
        messages=options.messages,
        workers=options.workers,
        pool=options.pool,
        concurrency=options.concurrency,
        prefetch=options.prefetch,
        repetitions=options.repetitions,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
