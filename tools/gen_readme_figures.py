"""Write the README's performance table from bench/results/*.json.

``python tools/gen_readme_figures.py`` rewrites the lines between ``<!-- figures:begin -->`` and
``<!-- figures:end -->`` in README.md. Every number in that table is read from a result file
that ``make bench`` wrote; nothing is typed by hand. tests/meta/test_readme_figures.py fails
when the README and the result files disagree (rerun this after a benchmark).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
RESULTS = ROOT / "bench" / "results"
BEGIN, END = "<!-- figures:begin -->", "<!-- figures:end -->"

# (result file, what was measured, the figure, the goal). ``{a.b}`` reads key b of dict a.
ROWS: list[tuple[str, str, str, str]] = [
    (
        "client_get_cpu",
        "CPU per GET by id, against bare urllib3",
        "{client_cpu_us_per_get} µs = {ratio}x",
        "<= {goal_ratio}x",
    ),
    (
        "client_query_rss",
        "`query()` over 100,000 records: peak RSS against 10,000",
        "{large_over_small_peak}x ({records_per_second_large} records/s)",
        "<= {goal_large_over_small}x",
    ),
    (
        "client_threads",
        "300 GETs from 16 threads through one client (3 per entity, 50 ms each)",
        "{seconds} s = {factor}x the bound, {thread_rejections} thread rejections",
        "<= {goal_factor}x, 0",
    ),
    (
        "batch_throughput",
        "`batch_create` of 600 tickets at the thread limit (50 ms latency)",
        "{items_per_second}/s = {share_of_bound} of the 60/s bound, {vs_sequential}x a "
        "sequential loop, {thread_rejections} rejections",
        ">= {goal_share_of_bound}, >= {goal_vs_sequential}x, 0",
    ),
    (
        "batch_rss",
        "100,000 items streamed from JSON Lines, journal on: peak RSS against 1,000",
        "+{growth_mb_100k_vs_1k} MB",
        "<= {goal_mb} MB",
    ),
    ("batch_journal", "journal overhead (600 items)", "{ratio}x", "<= {goal_ratio}x"),
    (
        "attachments",
        "6 MB upload / download: peak RSS growth",
        "+{upload_rss_growth_mb} / +{download_rss_growth_mb} MB (buffered: "
        "+{buffered_upload_rss_growth_mb} / +{buffered_download_rss_growth_mb} MB)",
        "<= {goal_rss_growth_mb} MB",
    ),
    (
        "attachments",
        "6 MB upload / download time against bare urllib3",
        "{upload_over_bare}x / {download_over_bare}x",
        "<= {goal_ratio}x",
    ),
    (
        "export_parallel",
        "`query_parallel`, 3 partitions, 20,000 tickets, 200 ms pages, against `query()`",
        "{ratio}x the records/s, {thread_rejections} rejections",
        ">= {goal_ratio}x, 0",
    ),
    (
        "export_rss",
        "export of 100,000 against 10,000 records: peak RSS growth (JSON Lines / CSV / SQLite)",
        "+{jsonl.large_minus_small_mb} / +{csv.large_minus_small_mb} / "
        "+{sqlite.large_minus_small_mb} MB",
        "<= {goal_mb} MB",
    ),
    (
        "soak",
        "soak: 10,000 mixed requests from 16 threads through one client (docs/RELIABILITY.md)",
        "RSS grew {rss_growth_percent}% (last vs first 1,000); leaked {leaked.fds} fds, "
        "{leaked.sockets} sockets, {leaked.threads} threads; {thread_rejections} rejections",
        "<= {rss_goal_percent}%, 0, 0",
    ),
    (
        "emulator_get",
        "emulator: GET by id from 8 keep-alive clients",
        "{requests_per_second} requests/s",
        ">= {goal_requests_per_second}/s",
    ),
    (
        "emulator_seed",
        "emulator: seeding 100,000 Companies",
        "{seconds} s",
        "<= {goal_seconds} s",
    ),
    (
        "binary",
        "single binary: size, median `--version` (venv command in the same run)",
        "{binary_mb} MB, {version_median_s} s ({venv_version_median_s} s)",
        "<= {size_goal_mb} MB, <= {start_goal_s} s",
    ),
    (
        "binary",
        "single binary: build time, cold / warm Nuitka cache",
        "{cold_build_s} s / {warm_build_s} s",
        "",
    ),
]


def _value(result: dict[str, Any], dotted: str) -> Any:
    value: Any = result
    for part in dotted.split("."):
        value = value[part]
    return value


def _fill(template: str, result: dict[str, Any]) -> str:
    def one(match: re.Match[str]) -> str:
        value = _value(result, match.group(1))
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, float) and abs(value) >= 1000:
            value = round(value)  # 4,278 requests/s, not 4277.7
        return f"{value:,}"

    return re.sub(r"\{([\w.]+)\}", one, template)


def table() -> str:
    """The table, from the result files (a missing file is a row saying so)."""
    lines = [
        "| benchmark (`python -m bench NAME`) | measured | result | goal | met |",
        "|---|---|---|---|---|",
    ]
    for name, what, figure, goal in ROWS:
        path = RESULTS / f"{name}.json"
        if not path.is_file():
            lines.append(f"| `{name}` | {what} | not measured yet | | |")
            continue
        result = json.loads(path.read_text(encoding="utf-8"))
        row = f"| `{name}` | {what} | {_fill(figure, result)} | {_fill(goal, result)}"
        lines.append(f"{row} | {met(result) if goal else ''} |")
    return "\n".join(lines)


def met(result: dict[str, Any]) -> str:
    """The ``met`` cell: the result file's own verdict on its goals, a miss in bold."""
    return "yes" if result.get("passed") else "**missed**"


def render(readme: str) -> str:
    """``readme`` with its figures block replaced by the current table."""
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{BEGIN}\n{table()}\n{END}{tail}"


def main() -> int:
    text = README.read_text(encoding="utf-8")
    README.write_text(render(text), encoding="utf-8")
    print("wrote the figures table in README.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
