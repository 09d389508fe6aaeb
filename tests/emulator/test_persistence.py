"""--db FILE keeps every acknowledged write across a restart; a fresh file gets --data."""

from __future__ import annotations

from pathlib import Path

from tests.emulator.support import ALL, Api
from tests.emulator_process import running_emulator

NOTE = {"title": "Persisted", "description": "kept", "noteType": 1, "publish": 1}


def test_writes_survive_a_restart(tmp_path: Path) -> None:
    db = str(tmp_path / "emulator.sqlite")
    with running_emulator("--db", db) as emu:
        api = Api(emu)
        note_id = api.create("Tickets/29296/Notes", NOTE)
        assert api.request("PATCH", "Tickets", {"id": 29297, "title": "Edited"}).status == 200
        assert api.request("DELETE", "Companies/174/Contacts/30682885").status in (200, 500)
        contacts = api.post("Contacts/query/count", {"filter": ALL}).json["queryCount"]
        seeded = emu.seed("Companies", 100)["lastId"]
        api.pool.clear()
    with running_emulator("--db", db, "--data", "empty") as emu:
        api = Api(emu)
        assert api.item("TicketNotes", note_id)["title"] == "Persisted"
        assert api.item("Tickets", 29297)["title"] == "Edited"
        assert api.post("Contacts/query/count", {"filter": ALL}).json["queryCount"] == contacts
        assert api.get(f"Companies/{seeded}").json["item"] is not None
        # reset goes back to what the file held at start-up
        api.create("Tickets/29296/Notes", NOTE)
        emu.reset()
        assert api.post("Contacts/query/count", {"filter": ALL}).json["queryCount"] == contacts
        api.pool.clear()


def test_fresh_file_loads_the_chosen_data_set(tmp_path: Path) -> None:
    with running_emulator("--db", str(tmp_path / "empty.sqlite"), "--data", "empty") as emu:
        records = emu.stats()["records"]
        assert set(records.values()) == {0}
        api = Api(emu)
        assert api.query("Tickets").json["items"] == []
        api.pool.clear()


def test_in_memory_by_default_starts_with_demo_data() -> None:
    with running_emulator() as emu:
        assert emu.stats()["records"]["Tickets"] > 0


def test_acknowledged_writes_survive_a_killed_process(tmp_path: Path) -> None:
    # No clean shutdown: every answered write must already be committed to the file.
    db = str(tmp_path / "killed.sqlite")
    with running_emulator("--db", db) as emu:
        api = Api(emu)
        note_id = api.create("Tickets/29296/Notes", NOTE)
        attachment = {
            "attachmentType": "FILE_ATTACHMENT",
            "fullPath": "kept.txt",
            "title": "kept",
            "publish": 1,
            "data": "a2VwdA==",
        }
        attachment_id = api.create("Tickets/29296/Attachments", attachment)
        api.pool.clear()
        emu.proc.kill()
        emu.proc.wait(30)
    with running_emulator("--db", db) as emu:
        api = Api(emu)
        assert api.item("TicketNotes", note_id)["title"] == "Persisted"
        assert api.get(f"AttachmentInfo/{attachment_id}").json["item"]["title"] == "kept"
        api.pool.clear()
