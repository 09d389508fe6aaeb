"""Load generator for bench_emulator_get, run in its own process (so it has its own GIL).

``python -m bench.load_get SPEC_JSON`` runs ``concurrency`` threads, each with its own
keep-alive ``http.client`` connection, sending GET-by-id requests round-robin over ``paths``
for ``warmup`` + ``duration`` seconds, and prints one JSON line: the requests completed in the
measured part, the non-200 answers, and the elapsed time.
"""

from __future__ import annotations

import http.client
import json
import sys
import threading
import time
from typing import Any


def _worker(
    spec: dict[str, Any],
    offset: int,
    start_at: float,
    stop_at: float,
    totals: list[dict[str, int]],
) -> None:
    conn = http.client.HTTPConnection(spec["host"], spec["port"], timeout=30)
    headers = spec["headers"]
    paths = spec["paths"]
    ok = bad = 0
    i = offset
    while True:
        now = time.monotonic()
        if now >= stop_at:
            break
        conn.request("GET", paths[i % len(paths)], headers=headers)
        response = conn.getresponse()
        response.read()
        i += 1
        if now >= start_at:  # only requests started after the warm-up count
            if response.status == 200:
                ok += 1
            else:
                bad += 1
    conn.close()
    totals.append({"ok": ok, "bad": bad})


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    began = time.monotonic()
    start_at = began + spec["warmup"]
    stop_at = start_at + spec["duration"]
    totals: list[dict[str, int]] = []
    threads = [
        threading.Thread(target=_worker, args=(spec, n * 97, start_at, stop_at, totals))
        for n in range(spec["concurrency"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = {
        "requests": sum(t["ok"] for t in totals),
        "errors": sum(t["bad"] for t in totals),
        "seconds": spec["duration"],
        "clients_finished": len(totals),
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
