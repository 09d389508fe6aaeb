"""Render the figures of docs/RELIABILITY.md from the files the runs wrote.

``python tools/gen_reliability.py docs/RELIABILITY.md`` replaces the text between the
``<!-- figures:start -->`` and ``<!-- figures:end -->`` markers with tables made from
``tests/chaos/results.json`` (written by ``make chaos``: every scenario of tests/chaos) and
``bench/results/soak.json`` (``python -m bench soak``). No figure in that block is typed by hand;
tests/meta/test_reliability_doc.py renders it again and fails when the committed page differs.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHAOS = ROOT / "tests" / "chaos" / "results.json"
SOAK = ROOT / "bench" / "results" / "soak.json"
START = "<!-- figures:start -->"
END = "<!-- figures:end -->"

#: Scenarios with faults, in the order the tables show them, and what to call them.
FAULT_SCENARIOS = {
    "batch_create_journal_dedupe": "batch create, journal + dedupe field",
    "batch_create_journal_no_dedupe": "batch create, journal, no dedupe field",
    "batch_update_journal": "batch update, journal",
    "batch_delete_journal": "batch delete, journal",
    "attachment_batch_upload_journal": "attachment batch upload, journal",
    "export_full_jsonl": "full export to JSON Lines",
    "export_full_sqlite": "full export to SQLite",
    "cli_batch_create_dedupe": "`autotask batch create`, journal + dedupe field",
    "cli_batch_create_dedupe_binary": "the same through the single binary",
    "cli_batch_create_no_dedupe": "`autotask batch create`, journal, no dedupe field",
    "cli_batch_update": "`autotask batch update`, journal",
    "cli_batch_delete": "`autotask batch delete`, journal",
    "cli_attachments_upload": "`autotask attachments upload`, journal",
    "cli_export": "`autotask export` to SQLite",
}


def _kinds(faults: Mapping[str, int]) -> str:
    total = sum(faults.values())
    return f"{total}: " + ", ".join(f"{kind} {n}" for kind, n in sorted(faults.items()))


def _counts(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items())


def _stamp(figures: Mapping[str, Any]) -> str:
    return f"{figures.get('measured_at', '?')[:10]} @ {figures.get('commit', '?')}"


def _outcomes(figures: Mapping[str, Any]) -> str:
    codes = figures.get("exit_codes")
    if "outcomes_per_run" in figures:
        runs = figures["outcomes_per_run"]
        text = "; ".join(f"run {n}: {_counts(o)}" for n, o in enumerate(runs, 1))
        return text + (f" (exit codes {codes})" if codes else "")
    if "outcomes" in figures:
        text = _counts(figures["outcomes"])
        if "exit_code" in figures:
            text += f" (exit {figures['exit_code']})"
        return text
    if "failed_runs" in figures:
        failed = figures["failed_runs"]
        text = f"{len(failed)} failed run(s) resumed" if failed else "finished in one run"
        return text + (f" (exit codes {codes})" if codes else "")
    if "resumed" in figures:
        return "resumed from its checkpoint" if figures["resumed"] else "finished in one run"
    return "-"


def _final(figures: Mapping[str, Any]) -> str:
    parts = []
    for key, label in (
        ("stored", "stored"),
        ("attached", "attached"),
        ("exported", "exported"),
        ("duplicates", "duplicates"),
        ("unknown_stored", "unknown items stored"),
        ("unknown_not_stored", "unknown items not stored"),
        ("unknown_attached", "unknown files attached"),
        ("unknown_applied", "unknown items applied"),
    ):
        if key in figures:
            parts.append(f"{figures[key]} {label}")
    if "resumed_outcomes" in figures:
        parts.append(f"same command again: {_counts(figures['resumed_outcomes'])}")
    return "; ".join(parts) or "-"


def _items(figures: Mapping[str, Any]) -> str:
    for key in ("items", "files", "records"):
        if key in figures:
            return f"{figures[key]:,}"
    return "-"


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def fault_table(scenarios: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = [
        _row(["scenario", "items", "seed", "faults fired", "outcomes", "final state (API)", "run"]),
        _row(["---"] * 7),
    ]
    for name, title in FAULT_SCENARIOS.items():
        if name not in scenarios:
            continue
        f = scenarios[name]
        lines.append(
            _row(
                [
                    title,
                    _items(f),
                    str(f.get("seed", "-")),
                    _kinds(f.get("faults", {})),
                    _outcomes(f),
                    _final(f),
                    _stamp(f),
                ]
            )
        )
    return lines


def _kills(scenarios: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = []
    for name, f in scenarios.items():
        if not name.startswith("cli_kill"):
            continue
        journal = f.get("killed_journal")
        at_kill = f" ({_counts(journal)} in the journal at the last kill)" if journal else ""
        what = "items" if "journal" in name or "batch" in name else "records"
        lines.append(
            f"- `{name}`: {f['items']:,} {what}, killed at {', '.join(f['kill_points'])}"
            f"{at_kill}; the same command again: {_counts(f['rerun_outcomes'])}; final: "
            f"{_final(f)} ({_stamp(f)})"
        )
    return lines


def render(chaos: Mapping[str, Any], soak: Mapping[str, Any]) -> str:
    """The figures block (Markdown) for ``chaos`` and ``soak`` as the runs wrote them."""
    s = chaos["scenarios"]
    out = [START, "", "### Faults, with fixed seeds", ""]
    out += fault_table(s)
    out += ["", "### The hourly budget", ""]
    for name, what in (
        ("hourly_budget_wait", "waits for the window"),
        ("hourly_budget_stop_and_resume", "stops, then resumes"),
        ("cli_hourly_budget_stop_and_resume", "`autotask batch create` stops (exit 6), resumes"),
    ):
        if name not in s:
            continue
        f = s[name]
        detail = [f"limit {f['hourly_limit']}/hour", f"{f['items']} items"]
        detail.append(f"max_budget_wait {f['max_budget_wait_s']:g} s")
        if "longest_wait_s" in f:
            detail.append(
                f"{f['waits']} waits, longest {f['longest_wait_s']:g} s, "
                f"{f['virtual_seconds']:,.0f} s on the shared clock, "
                f"{f['server_429s']} server 429s retried"
            )
        detail.append(f"outcomes {_counts(f['outcomes'])}")
        if f.get("not_taken"):
            detail.append(f"{f['not_taken']} items not taken (the batch stopped)")
        if "resumed_outcomes" in f:
            detail.append(f"same command again: {_counts(f['resumed_outcomes'])}")
        detail.append(f"{f['stored']} stored, each once")
        out.append(f"- {what} (`{name}`): " + "; ".join(detail) + f" ({_stamp(f)})")
    out += ["", "### The emulator killed and restarted on its `--db`", ""]
    for name in ("emulator_restart_batch", "emulator_restart_export", "cli_emulator_restart"):
        if name not in s:
            continue
        f = s[name]
        what = f"{_items(f)} {'records' if 'records' in f else 'items'}"
        out.append(
            f"- `{name}`: {what}, {f['restarts']} restarts (down {f['downtime_s']} s), "
            f"{f['retries_after_refused']} retries after a refused connection, "
            f"{f.get('retries_other', 0)} other retries; outcomes: {_outcomes(f)}; final: "
            f"{_final(f)} ({_stamp(f)})"
        )
    kills = _kills(s)
    if kills:
        out += ["", "### `kill -9` of the command, then the same command again", "", *kills]
    out += ["", "### Soak", ""]
    out += [
        _row(["figure", "value"]),
        _row(["---", "---"]),
        _row(["operations", f"{soak['operations']:,}"]),
        _row(["requests served (budget checks included)", f"{soak['requests_served']:,}"]),
        _row(["threads, one client", str(soak["threads"])]),
        _row(["mix", _counts(soak["mix"])]),
        _row(["duration", f"{soak['seconds']} s ({soak['requests_per_second']:,} requests/s)"]),
        _row(["thread-limit rejections", str(soak["thread_rejections"])]),
        _row(["failed operations", str(sum(soak["failures"].values()))]),
        _row(["fds / sockets / threads before", _trio(soak["before"])]),
        _row(["fds / sockets / threads during", _trio(soak["during"])]),
        _row(["fds / sockets / threads after", _trio(soak["after"])]),
        _row(
            [
                f"RSS, mean of first / last {soak['rss_window']:,} operations",
                f"{soak['rss_first_kb']:,} kB / {soak['rss_last_kb']:,} kB "
                f"({soak['rss_growth']:+.1%}; goal within {soak['rss_goal']:.0%})",
            ]
        ),
        _row(["emulator flags", " ".join(soak["flags"])]),
        _row(["passed", str(soak["passed"]).lower()]),
        _row(["run", _stamp(soak)]),
    ]
    if "soak_leaks" in s:
        f = s["soak_leaks"]
        out += [
            "",
            f"`soak_leaks` (the chaos suite's smaller run): {f['operations']:,} operations, "
            f"{f['requests_served']:,} requests, {f['thread_rejections']} rejections; "
            f"before {_trio(f['before'])}, after {_trio(f['after'])} ({_stamp(f)}).",
        ]
    out += ["", END]
    return "\n".join(out)


def _trio(counts: Mapping[str, int]) -> str:
    return f"{counts['fds']} / {counts['sockets']} / {counts['threads']}"


def rendered_page(page: str, chaos_path: Path = CHAOS, soak_path: Path = SOAK) -> str:
    """``page`` with its figures block rendered anew from the results files."""
    chaos = json.loads(chaos_path.read_text(encoding="utf-8"))
    soak = json.loads(soak_path.read_text(encoding="utf-8"))
    head, _, rest = page.partition(START)
    _, _, tail = rest.partition(END)
    return head + render(chaos, soak) + tail


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: gen_reliability.py docs/RELIABILITY.md", file=sys.stderr)
        return 2
    path = Path(argv[0])
    page = path.read_text(encoding="utf-8")
    if START not in page or END not in page:
        print(f"{path}: no {START} ... {END} block", file=sys.stderr)
        return 2
    path.write_text(rendered_page(page), encoding="utf-8")
    print(f"wrote the figures of {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
