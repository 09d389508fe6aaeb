"""Where requests go: root URLs, child routes, writes through a parent (no sockets)."""

from __future__ import annotations

import pytest

from autotask import F, InvalidRequest
from autotask.core.query import Condition
from autotask.core.registry import ChildRoute, child_route, entity_spec
from autotask.core.routing import Routing, find_key

TICKETS = Routing(entity_spec("Tickets"))
TICKET_NOTES = Routing(entity_spec("TicketNotes"))
NOTES_OF_5 = Routing(entity_spec("TicketNotes"), child_route("Tickets", "Notes"), 5)


def test_root_entities_use_their_own_urls() -> None:
    assert (TICKETS.base_path, TICKETS.query_root, TICKETS.list_only) == (
        "Tickets",
        "Tickets",
        False,
    )
    assert TICKETS.write({"title": "x"}, "C") == ("Tickets", {"title": "x"})
    assert TICKETS.delete_path(7) == "Tickets/7"
    terms = (F("status") == 1,)
    assert TICKETS.query_terms(terms) == terms


def test_a_parents_children_are_written_by_the_child_route_and_queried_at_the_root() -> None:
    assert NOTES_OF_5.base_path == "Tickets/5/Notes"
    assert NOTES_OF_5.query_root == "TicketNotes"  # nested paths only list (fact sheet §3.1)
    assert NOTES_OF_5.query_terms((F("title") == "x",)) == (
        Condition("ticketID", "eq", 5),
        F("title") == "x",
    )
    body = {"title": "x"}
    assert NOTES_OF_5.write(body, "C") == ("Tickets/5/Notes", {"title": "x", "ticketID": 5})
    assert body == {"title": "x"}  # the caller's dict is left alone
    assert NOTES_OF_5.write({"TicketID": 9}, "U") == ("Tickets/5/Notes", {"TicketID": 9})


def test_child_only_writes_by_root_name_go_through_the_parent() -> None:
    assert TICKET_NOTES.write({"ticketID": 8, "title": "x"}, "C")[0] == "Tickets/8/Notes"
    assert TICKET_NOTES.write({"id": 3, "TICKETID": 8}, "U")[0] == "Tickets/8/Notes"
    with pytest.raises(InvalidRequest) as info:
        TICKET_NOTES.write({"title": "x"}, "C")
    text = str(info.value)
    assert "TicketNotes are created through Tickets/{id}/Notes" in text
    assert "'ticketID'" in text and 'client.tickets.child(parent_id, "Notes")' in text
    with pytest.raises(InvalidRequest, match=r"ticketID.*client\.tickets\.child"):
        TICKET_NOTES.write({"id": 3, "ticketID": None}, "R")


def test_child_only_deletes_by_root_name_name_the_route() -> None:
    contacts = Routing(entity_spec("Contacts"))
    with pytest.raises(InvalidRequest, match=r"Companies/\{id\}/Contacts.*\.delete\(id\)"):
        contacts.delete_path(4)
    of_company = Routing(entity_spec("Contacts"), child_route("Companies", "Contacts"), 2)
    assert of_company.delete_path(4) == "Companies/2/Contacts/4"


def test_unknown_child_routes_are_listed_not_filtered() -> None:
    route = ChildRoute("Tickets", "Whatever", "Tickets/Whatever", "", "")
    odd = Routing(entity_spec(route.entity), route, 5)
    assert odd.list_only and odd.query_root == odd.base_path == "Tickets/5/Whatever"
    assert odd.query_terms(()) == ()
    with pytest.raises(InvalidRequest, match="only be listed"):
        odd.query_terms((F("id") == 1,))
    with pytest.raises(InvalidRequest, match="not counted"):
        _ = odd.count_path
    assert NOTES_OF_5.count_path == "TicketNotes/query/count" == TICKET_NOTES.count_path
    odd.check_list_options(fields=False, page_size=False)  # a plain listing is fine
    with pytest.raises(InvalidRequest, match=r"Tickets/5/Whatever .* fields= cannot be honoured"):
        odd.check_list_options(fields=True, page_size=False)
    with pytest.raises(InvalidRequest, match="fields= and page_size= cannot"):
        odd.check_list_options(fields=True, page_size=True)
    NOTES_OF_5.check_list_options(fields=True, page_size=True)  # queried at the root: honoured


def test_find_key_is_exact_first_then_case_insensitive() -> None:
    assert find_key({"ticketID": 1, "TicketId": 2}, "TicketId") == "TicketId"
    assert find_key({"TICKETID": 1}, "ticketID") == "TICKETID"
    assert find_key({"id": 1}, "ticketID") is None
