"""Every worked example of 20-scheduling §7 through the real /v1/slots and /v1/slots/check handlers."""

from __future__ import annotations

from fortytwo.domain import clock
from fortytwo.domain.event_type_entity import to_document
from fortytwo.services import event_types
from fortytwo.store import accounts

from .conftest import DEFAULT_NOW, Acme, acme_seed, entry, make_seed, put_ledger, starts

DAY = {"start": "2026-05-20T00:00:00Z", "end": "2026-05-21T00:00:00Z"}
BASE_URL = "https://42min.test"

EXAMPLE_1 = [
    f"2026-05-20T{t}:00.000Z"
    for t in (
        "08:00",
        "08:30",
        "09:00",
        "09:30",
        "10:00",
        "10:30",
        "12:00",
        "12:30",
        "13:00",
        "13:30",
        "14:00",
        "14:30",
        "15:00",
        "15:30",
    )
]


def slots(invoke, acme: Acme, key: str, **query: str):
    r = invoke(
        "slots", "GET", "/v1/slots", headers=acme.headers, query={"event_type_id": acme.et(key), **query}
    )
    assert r.status == 200, r.text
    return r.json()


def check(invoke, acme: Acme, key: str, **query: str):
    r = invoke(
        "slots",
        "GET",
        "/v1/slots/check",
        headers=acme.headers,
        query={"event_type_id": acme.et(key), **query},
    )
    assert r.status == 200, r.text
    return r.json()["data"]


def change(acme: Acme, key: str, **fields) -> None:
    record = event_types.get(acme.result["organization_id"], acme.et(key), consistent=True)
    assert record is not None
    event_types.update(record, {**to_document(record), **fields}, clock.now(), BASE_URL)


def test_example_1_normal_day_and_timezone_echo(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    body = slots(invoke, acme, "intro", **DAY)
    assert body["data"]["event_type_id"] == acme.et("intro")
    assert body["data"]["timezone"] == "Europe/London"
    assert body["data"]["computed_at"] == "2026-05-18T08:00:00.000Z"
    assert starts(body) == EXAMPLE_1
    assert all(
        s["available"] is True and set(s) == {"start", "end", "available"} for s in body["data"]["slots"]
    )
    assert body["data"]["slots"][0]["end"] == "2026-05-20T08:30:00.000Z"
    assert "truncated" not in body["data"]
    other = slots(invoke, acme, "intro", timezone="America/Los_Angeles", **DAY)
    assert other["data"]["timezone"] == "America/Los_Angeles"
    assert other["data"]["slots"] == body["data"]["slots"]


def test_example_2_buffers(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    put_ledger([(acme.user("ada"), entry("b-deep", acme.et("deep"), "2026-05-20T09:00:00Z", 60, after=10))])
    consult = starts(slots(invoke, acme, "consult", **DAY))
    assert consult == ["2026-05-20T08:00:00.000Z", "2026-05-20T10:30:00.000Z", *EXAMPLE_1[6:]]
    intro = starts(slots(invoke, acme, "intro", **DAY))
    assert intro[:3] == ["2026-05-20T08:00:00.000Z", "2026-05-20T08:30:00.000Z", "2026-05-20T10:30:00.000Z"]
    assert intro[3:] == EXAMPLE_1[6:]


def test_example_3_minimum_notice(invoke, acme, freeze):
    freeze("2026-05-20T05:20:00Z")
    change(acme, "intro", minimum_notice_minutes=240)
    assert starts(slots(invoke, acme, "intro", **DAY)) == EXAMPLE_1[3:]


def test_example_4_overrides(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    ada = accounts.find_user("ada")
    accounts.replace_default_schedule(
        ada,
        {
            "name": "Working hours",
            "timezone": "Europe/London",
            "weekly": dict.fromkeys(("mon", "tue", "wed", "thu", "fri"), ["09:00-12:00", "13:00-17:00"]),
            "overrides": {"2026-05-21": [], "2026-05-22": ["10:15-12:00"]},
            "out_of_office": [],
        },
    )
    body = slots(invoke, acme, "intro", start="2026-05-21T00:00:00Z", end="2026-05-23T00:00:00Z")
    assert starts(body) == [
        "2026-05-22T09:15:00.000Z",
        "2026-05-22T09:45:00.000Z",
        "2026-05-22T10:15:00.000Z",
    ]


def test_example_5a_spring_forward_london(invoke, acme, freeze):
    freeze("2026-03-01T00:00:00Z")
    body = slots(invoke, acme, "night", start="2026-03-29T00:00:00Z", end="2026-03-30T00:00:00Z")
    assert starts(body) == [f"2026-03-29T{t}:00.000Z" for t in ("00:00", "00:30", "01:00", "01:30")]


def test_example_5b_spring_forward_new_york_gap_start(invoke, acme, freeze):
    freeze("2026-03-01T00:00:00Z")
    body = slots(invoke, acme, "checkin", start="2026-03-08T00:00:00Z", end="2026-03-09T00:00:00Z")
    assert starts(body) == ["2026-03-08T07:00:00.000Z", "2026-03-08T07:30:00.000Z"]


def test_example_6a_fall_back_london(invoke, acme, freeze):
    freeze("2026-10-01T00:00:00Z")
    body = slots(invoke, acme, "night", start="2026-10-24T12:00:00Z", end="2026-10-26T00:00:00Z")
    assert starts(body) == ["2026-10-24T23:00:00.000Z", "2026-10-24T23:30:00.000Z"] + [
        f"2026-10-25T{t}:00.000Z" for t in ("00:00", "00:30", "01:00", "01:30", "02:00", "02:30")
    ]


def test_example_6b_fall_back_new_york(invoke, acme, freeze):
    freeze("2026-10-01T00:00:00Z")
    body = slots(invoke, acme, "checkin", start="2026-10-30T00:00:00Z", end="2026-11-03T00:00:00Z")
    assert starts(body) == [
        "2026-10-30T13:00:00.000Z",
        "2026-10-30T13:30:00.000Z",
        "2026-11-01T05:30:00.000Z",
        "2026-11-01T06:00:00.000Z",
        "2026-11-01T06:30:00.000Z",
        "2026-11-01T07:00:00.000Z",
        "2026-11-01T07:30:00.000Z",
        "2026-11-02T14:00:00.000Z",
        "2026-11-02T14:30:00.000Z",
    ]


def _round_robin_state(acme: Acme, *, grace_second: bool) -> None:
    ada, grace, demo = acme.user("ada"), acme.user("grace"), acme.et("demo")
    bookings = [
        (ada, entry("rr-a1", demo, "2026-05-19T09:00:00Z", 30, created_at="2026-05-04T10:00:00Z")),
        (ada, entry("rr-a2", demo, "2026-05-19T10:00:00Z", 30, created_at="2026-05-11T10:00:00Z")),
        (grace, entry("rr-g1", demo, "2026-05-20T13:30:00Z", 30, created_at="2026-05-12T10:00:00Z")),
    ]
    if grace_second:
        bookings.append(
            (grace, entry("rr-g2", demo, "2026-05-21T15:00:00Z", 30, created_at="2026-05-12T09:00:00Z"))
        )
    put_ledger(bookings)


def test_example_7_round_robin(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    _round_robin_state(acme, grace_second=False)
    body = slots(invoke, acme, "demo", start="2026-05-20T12:00:00Z", end="2026-05-20T15:00:00Z")
    ada, grace = acme.user("ada"), acme.user("grace")
    assert body["data"]["timezone"] == "UTC"
    assert [(s["start"][11:16], s["host_user_id"]) for s in body["data"]["slots"]] == [
        ("12:00", ada),
        ("12:30", ada),
        ("13:00", grace),
        ("13:30", ada),
        ("14:00", grace),
        ("14:30", grace),
    ]
    assert body["data"]["slots"][2] == {
        "start": "2026-05-20T13:00:00.000Z",
        "end": "2026-05-20T13:30:00.000Z",
        "available": True,
        "host_user_id": grace,
    }


def test_example_7_variant_tie_goes_to_the_older_last_assignment(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    _round_robin_state(acme, grace_second=True)
    body = slots(invoke, acme, "demo", start="2026-05-20T12:00:00Z", end="2026-05-20T15:00:00Z")
    assert {s["host_user_id"] for s in body["data"]["slots"]} == {acme.user("ada")}


def test_example_8_group_session_filling_up(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    ada, workshop = acme.user("ada"), acme.et("workshop")
    window = {"start": "2026-05-20T08:00:00Z", "end": "2026-05-20T11:00:00Z"}
    put_ledger([(ada, entry("session:w9", workshop, "2026-05-20T09:00:00Z", 60, seats=2))])
    body = slots(invoke, acme, "workshop", **window)
    assert [(s["start"][11:16], s["seats_remaining"]) for s in body["data"]["slots"]] == [
        ("08:00", 3),
        ("09:00", 1),
        ("10:00", 3),
    ]
    assert "host_user_id" not in body["data"]["slots"][0]
    put_ledger([(ada, entry("session:w9", workshop, "2026-05-20T09:00:00Z", 60, seats=3))])
    body = slots(invoke, acme, "workshop", **window)
    assert [(s["start"][11:16], s["seats_remaining"]) for s in body["data"]["slots"]] == [
        ("08:00", 3),
        ("10:00", 3),
    ]
    assert check(invoke, acme, "workshop", start="2026-05-20T09:00:00Z") == {
        "available": False,
        "reason": "slot_busy",
        "next_available": "2026-05-20T10:00:00.000Z",
    }
    intro = starts(slots(invoke, acme, "intro", **DAY))
    assert "2026-05-20T09:00:00.000Z" not in intro and "2026-05-20T09:30:00.000Z" not in intro


def test_example_9_per_event_type_day_limit(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    change(acme, "intro", max_bookings_per_day=2)
    ada, intro, consult = acme.user("ada"), acme.et("intro"), acme.et("consult")
    put_ledger(
        [
            (ada, entry("i1", intro, "2026-05-20T08:00:00Z", 30)),
            (ada, entry("i2", intro, "2026-05-20T12:00:00Z", 30)),
        ]
    )
    window = {"start": "2026-05-20T00:00:00Z", "end": "2026-05-22T00:00:00Z"}
    assert starts(slots(invoke, acme, "intro", **window)) == [s.replace("05-20", "05-21") for s in EXAMPLE_1]
    # The 12:00 booking is canceled; a consult meeting does not count against intro-call's cap.
    put_ledger(
        [
            (ada, entry("i1", intro, "2026-05-20T08:00:00Z", 30)),
            (ada, entry("i2", intro, "2026-05-20T12:00:00Z", 30, status="canceled")),
            (ada, entry("c1", consult, "2026-05-20T15:00:00Z", 30, before=15, after=5)),
        ]
    )
    listed = starts(slots(invoke, acme, "intro", **window))
    day_20 = [s for s in listed if s.startswith("2026-05-20")]
    # 08:00 is busy; 14:30/15:00/15:30 fall inside the consult and its buffers (15 before, 5 after).
    assert day_20 == [s for s in EXAMPLE_1[1:] if s[11:16] not in ("14:30", "15:00", "15:30")]


def test_example_9_exactly_as_listed(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    change(acme, "intro", max_bookings_per_day=2)
    ada, intro = acme.user("ada"), acme.et("intro")
    put_ledger(
        [
            (ada, entry("i1", intro, "2026-05-20T08:00:00Z", 30)),
            (ada, entry("i2", intro, "2026-05-20T12:00:00Z", 30, status="canceled")),
        ]
    )
    listed = starts(slots(invoke, acme, "intro", start="2026-05-20T00:00:00Z", end="2026-05-22T00:00:00Z"))
    assert [s for s in listed if s.startswith("2026-05-20")] == EXAMPLE_1[1:]
    assert len(listed) == 13 + 14


def test_example_10_account_wide_weekly_limit(moto_env, invoke, freeze):
    freeze(DEFAULT_NOW)
    doc = acme_seed()
    doc["users"][0]["limits"] = {"per_week": 3}
    acme = make_seed(doc)
    ada = acme.user("ada")
    put_ledger(
        [
            (ada, entry("w1", acme.et("intro"), "2026-05-18T10:00:00Z", 30)),
            (ada, entry("w2", acme.et("deep"), "2026-05-19T12:00:00Z", 60, after=10)),
            (ada, entry("w3", acme.et("consult"), "2026-05-20T14:00:00Z", 30, before=15, after=5)),
        ]
    )
    body = slots(invoke, acme, "intro", start="2026-05-22T00:00:00Z", end="2026-05-26T00:00:00Z")
    assert starts(body) == [s.replace("05-20", "05-25") for s in EXAMPLE_1]


def test_example_11_check_reasons_in_order(invoke, acme, freeze):
    freeze("2026-05-20T05:20:00Z")
    change(acme, "intro", minimum_notice_minutes=240)
    assert check(invoke, acme, "intro", start="2026-05-20T05:00:00Z") == {
        "available": False,
        "reason": "in_past",
    }
    assert check(invoke, acme, "intro", start="2026-05-20T09:00:00Z") == {
        "available": False,
        "reason": "outside_minimum_notice",
    }
    assert check(invoke, acme, "intro", start="2026-07-20T09:00:00Z") == {
        "available": False,
        "reason": "outside_future_limit",
    }
    assert check(invoke, acme, "intro", start="2026-05-20T09:45:00Z") == {
        "available": False,
        "reason": "slot_busy",
        "next_available": "2026-05-20T10:00:00.000Z",
    }
    assert check(invoke, acme, "intro", start="2026-05-20T10:00:00Z", end="2026-05-20T11:00:00Z") == {
        "available": False,
        "reason": "slot_busy",
        "next_available": "2026-05-20T10:30:00.000Z",
    }
    assert check(invoke, acme, "intro", start="2026-05-20T10:00:00Z") == {
        "available": True,
        "duration_minutes": 30,
    }
    assert check(invoke, acme, "intro", start="2026-05-20T10:00:00Z", end="2026-05-20T10:30:00Z") == {
        "available": True,
        "duration_minutes": 30,
    }
    record = event_types.get(acme.result["organization_id"], acme.et("intro"), consistent=True)
    event_types.set_active(record, False, clock.now(), BASE_URL)
    for start in ("2026-05-20T05:00:00Z", "2026-05-20T10:00:00Z"):
        assert check(invoke, acme, "intro", start=start) == {
            "available": False,
            "reason": "event_type_inactive",
        }
    body = slots(invoke, acme, "intro", **DAY)
    assert body["data"]["slots"] == []


def test_slot_check_agrees_with_the_list(invoke, acme, freeze):
    freeze(DEFAULT_NOW)
    listed = set(
        starts(slots(invoke, acme, "demo", start="2026-05-20T00:00:00Z", end="2026-05-21T00:00:00Z"))
    )
    for minute in range(0, 24 * 60, 90):
        start = f"2026-05-20T{minute // 60:02d}:{minute % 60:02d}:00.000Z"
        result = check(invoke, acme, "demo", start=start)
        assert result["available"] is (start in listed), start
