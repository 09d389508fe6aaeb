"""Upload and download of a 6 MB attachment: memory and throughput (issue 10 "Performance").

Goals:

- memory: uploading the file, and downloading it to a file, each raise the process's peak RSS
  (``ru_maxrss``) by at most 4 MB over its baseline. Each is measured in a fresh subprocess,
  after a warm-up upload and download of a small file (imports, connection), so nothing else
  hides in the figure. As a control, the same process then does the buffered version (whole
  file, whole base64 string, whole JSON) and reports its growth over our peak: it costs
  several times the file size, so a figure near 0 for ours means streaming, not a blind meter.
- throughput: ``upload_file`` within 1.2x of POSTing a prebuilt body (the same JSON) with bare
  urllib3, and ``download_file`` to a file within 1.2x of a bare urllib3 GET +
  ``json.loads`` + ``base64.b64decode``, in the same process and run. The median of several
  rounds is compared, each round in another order; the server's work (the emulator decoding,
  storing, encoding 6 MB) is the same on both sides. The prebuilt body leaves the base64
  encoding out of the bare upload's time, while ours does it as it sends, so the bare upload
  that builds its body in the timed span is reported too. The download names its parent, as
  the bare GET does (the id-only form adds one small AttachmentInfo GET, timed separately).

The emulator runs with its attachment window off (``--attachment-window-bytes 0``), and so does
the client: pacing is not what is measured here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from tests.emulator_process import running_emulator

ROOT = Path(__file__).resolve().parent.parent
SIZE = 6_000_000
ROUNDS = 15
GOAL_RSS_MB = 4.0
GOAL_RATIO = 1.2

_CHILD = r"""
import base64, json, os, resource, statistics, sys, time
from pathlib import Path

import urllib3

from autotask import AutotaskClient, Credentials, RequestConfig
from tests.emulator_process import INTEGRATION_CODE, SECRET, USERNAME

mode, base_url, source, workdir, rounds = sys.argv[1:6]
source, workdir, rounds = Path(source), Path(workdir), int(rounds)
client = AutotaskClient(
    Credentials(USERNAME, INTEGRATION_CODE, SECRET),
    RequestConfig(attachment_window_bytes=0),
    base_url=base_url,
    environ={},
)
ticket = next(client.tickets.query(limit=1))["id"]
attachments = client.attachments
headers = {
    "UserName": USERNAME, "Secret": SECRET, "ApiIntegrationCode": INTEGRATION_CODE,
    "Content-Type": "application/json", "Accept": "application/json",
}
http = urllib3.PoolManager()
api = base_url + "V1.0/"
fields = {"id": 0, "attachmentType": "FILE_ATTACHMENT", "fullPath": source.name,
          "title": source.name, "publish": 1, "contentType": "application/octet-stream"}


def bare_upload(body):
    answer = http.request("POST", f"{api}Tickets/{ticket}/Attachments", body=body, headers=headers)
    assert answer.status == 200, answer.data
    return json.loads(answer.data)["itemId"]


def bare_download(attachment_id):
    url = f"{api}Tickets/{ticket}/Attachments/{attachment_id}"
    answer = http.request("GET", url, headers=headers)
    return base64.b64decode(json.loads(answer.data)["items"][0]["data"])


def buffered_body():
    content = source.read_bytes()
    return json.dumps({**fields, "data": base64.b64encode(content).decode()},
                      separators=(",", ":")).encode()


def peak_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


# Warm up: imports, the connections, every code path of both directions.
small = workdir / "warm.bin"
small.write_bytes(os.urandom(300_000))
warm = attachments.upload_file("Ticket", ticket, small)
attachments.download_file(warm.id, workdir / "warm.out", parent_type="Ticket", parent_id=ticket)
attachments.download_file(warm.id)
bare_download(warm.id)

result = {}
if mode == "rss-upload":
    before = peak_kb()
    uploaded = attachments.upload_file("Ticket", ticket, source)
    after = peak_kb()
    bare_upload(buffered_body())  # the control: a buffered upload, after ours
    result = {"before_kb": before, "after_kb": after, "buffered_kb": peak_kb(), "id": uploaded.id}
elif mode == "rss-download":
    uploaded_id = int(sys.argv[6])
    before = peak_kb()
    out = attachments.download_file(uploaded_id, workdir / "rss.out")
    after = peak_kb()
    (workdir / "bare.out").write_bytes(bare_download(uploaded_id))  # the control, after ours
    result = {"before_kb": before, "after_kb": after, "buffered_kb": peak_kb(),
              "ok": out.read_bytes() == source.read_bytes()}
else:  # speed
    content = source.read_bytes()
    prebuilt = buffered_body()
    made = []  # attachment ids to delete after each round

    def timed(name, call):
        start = time.perf_counter()
        value = call()
        times[name].append(time.perf_counter() - start)
        return value

    steps = {
        "ours_up": lambda: made.append(attachments.upload_file("Ticket", ticket, source).id),
        "bare_up": lambda: made.append(bare_upload(prebuilt)),
        "bare_built_up": lambda: made.append(bare_upload(buffered_body())),
    }
    out = workdir / "speed.out"
    downs = {
        "ours_down": lambda i: attachments.download_file(
            i, out, parent_type="Ticket", parent_id=ticket
        ),
        "bare_down": bare_download,
        "ours_down_by_id": lambda i: attachments.download_file(i, out),
    }
    times = {k: [] for k in (*steps, *downs)}
    for n in range(rounds):
        # Each round in another order, so no side always goes first (after the deletes).
        for name in (list(steps) if n % 2 == 0 else list(reversed(steps))):
            timed(name, steps[name])
        for name in (list(downs) if n % 2 == 0 else list(reversed(downs))):
            got = timed(name, lambda: downs[name](made[0]))
            assert (got.read_bytes() if isinstance(got, Path) else got) == content
        for attachment_id in made:
            attachments.delete(attachment_id, parent_type="Ticket", parent_id=ticket)
        made.clear()
    result = {k: statistics.median(v) for k, v in times.items()}
    result["spread"] = {k: [round(x, 4) for x in v] for k, v in times.items()}
print(json.dumps(result))
"""


def _child(mode: str, base_url: str, source: Path, workdir: Path, *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            _CHILD,
            mode,
            base_url,
            str(source),
            str(workdir),
            str(ROUNDS),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
        check=False,
    )
    if out.returncode != 0:
        raise RuntimeError(f"{mode} failed:\n{out.stderr}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run() -> dict[str, Any]:
    """Measure memory and throughput; ``passed`` per the module docstring."""
    with (
        tempfile.TemporaryDirectory(prefix="bench-attachments-") as tmp,
        running_emulator("--attachment-window-bytes", "0") as emu,
    ):
        workdir = Path(tmp)
        source = workdir / "six-megabytes.bin"
        source.write_bytes(os.urandom(SIZE))
        upload = _child("rss-upload", emu.base_url, source, workdir)
        download = _child("rss-download", emu.base_url, source, workdir, str(upload["id"]))
        speed = _child("speed", emu.base_url, source, workdir)
    up_mb = (upload["after_kb"] - upload["before_kb"]) / 1024
    down_mb = (download["after_kb"] - download["before_kb"]) / 1024
    up_ratio = speed["ours_up"] / speed["bare_up"]
    down_ratio = speed["ours_down"] / speed["bare_down"]
    return {
        "file_bytes": SIZE,
        "rounds": ROUNDS,
        "upload_rss_growth_mb": round(up_mb, 2),
        "download_rss_growth_mb": round(down_mb, 2),
        "buffered_upload_rss_growth_mb": round(
            (upload["buffered_kb"] - upload["after_kb"]) / 1024, 2
        ),
        "buffered_download_rss_growth_mb": round(
            (download["buffered_kb"] - download["after_kb"]) / 1024, 2
        ),
        "upload_peak_rss_mb": round(upload["after_kb"] / 1024, 1),
        "download_peak_rss_mb": round(download["after_kb"] / 1024, 1),
        "download_identical": download["ok"],
        "goal_rss_growth_mb": GOAL_RSS_MB,
        "upload_seconds": round(speed["ours_up"], 4),
        "bare_upload_seconds": round(speed["bare_up"], 4),
        "upload_over_bare": round(up_ratio, 3),
        "bare_built_upload_seconds": round(speed["bare_built_up"], 4),
        "upload_over_bare_built": round(speed["ours_up"] / speed["bare_built_up"], 3),
        "download_seconds": round(speed["ours_down"], 4),
        "bare_download_seconds": round(speed["bare_down"], 4),
        "download_over_bare": round(down_ratio, 3),
        "download_by_id_seconds": round(speed["ours_down_by_id"], 4),
        "upload_mb_per_second": round(SIZE / speed["ours_up"] / 1e6, 1),
        "download_mb_per_second": round(SIZE / speed["ours_down"] / 1e6, 1),
        "goal_ratio": GOAL_RATIO,
        "spread_seconds": speed["spread"],
        "passed": download["ok"]
        and up_mb <= GOAL_RSS_MB
        and down_mb <= GOAL_RSS_MB
        and up_ratio <= GOAL_RATIO
        and down_ratio <= GOAL_RATIO,
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
