from __future__ import annotations

from tests.activities.helpers import Class


def test_squad_plans_drives_and_checks_and_roles_rotate() -> None:
    c = Class("robot-relay", 3, legs=2)
    c.start()
    relay = c.activity
    assert {r: s.pupil for r, s in relay.roles.items()} == {
        "driver": "p-1", "navigator": "p-2", "tester": "p-3"}
    # Navigator plans S -> flag 1: forward, forward, right, forward, forward.
    for g in ("A", "A", "B", "A", "A"):
        c.press(2, g)
    assert relay.plan == ["forward", "forward", "right", "forward", "forward"]
    c.press(3, "A")  # the tester cannot drive
    assert relay.phase == "plan"
    c.press(1, "A")
    assert relay.phase == "run"
    c.tick(3)
    assert relay.phase == "check" and (relay.robot.x, relay.robot.y) == (3, 3)
    c.press(3, "A")  # not at the flag: back to the start of the leg
    assert relay.phase == "plan" and (relay.robot.x, relay.robot.y) == (1, 1)
    assert c.rec.events[-1].data == {"role": "tester", "check": "not-yet"}
    c.press(2, "tilt")
    c.press(2, "tilt")
    c.press(2, "tilt")  # plan: forward, forward
    for g in ("B", "A", "A", "AB", "A", "A", "AB", "A", "A", "B", "A", "A", "A"):
        c.press(2, g)
    c.press(1, "A")
    c.tick(7)
    assert (relay.robot.x, relay.robot.y) == relay.flags[0]
    c.press(3, "A")
    assert relay.legs_done == 1 and relay.leg == 1
    # Roles rotate for the next leg.
    assert {r: s.pupil for r, s in relay.roles.items()} == {
        "driver": "p-2", "navigator": "p-3", "tester": "p-1"}
    ends = c.rec.of("turn-end")
    assert {(e.pupil, e.data["role"]) for e in ends} == {
        ("p-1", "driver"), ("p-2", "navigator"), ("p-3", "tester")}


def test_walls_stop_the_robot() -> None:
    c = Class("robot-relay", 3)
    c.start()
    c.press(2, "B")  # face south
    c.press(2, "B")  # face west: a wall
    c.press(2, "A")
    c.press(1, "A")
    c.tick(2)
    assert c.activity.robot.bumped and (c.activity.robot.x, c.activity.robot.y) == (1, 1)


def test_late_joiner_is_audience_and_can_cheer_the_squad() -> None:
    c = Class("robot-relay", 3)
    c.start()
    c.press(4, "pair")
    assert c.seat(4).audience
    c.press(4, "A")
    assert c.activity.plan == []
    c.press(4, "logo")
    targets = {e.data["target"] for e in c.rec.of("compliment")}
    assert targets == {"p-1", "p-2", "p-3"}


def test_a_lost_role_passes_to_a_squad_mate() -> None:
    c = Class("robot-relay", 3)
    c.start()
    c.session.disconnect("c1")
    assert c.activity.roles["driver"].pupil == "p-2"
    assert "timeout" not in c.rec.kinds()
