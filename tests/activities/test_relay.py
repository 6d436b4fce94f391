from __future__ import annotations

import pytest

from kit.activities.robot_relay import MAX_PLAN, MAZES, route
from tests.activities.helpers import Class


def test_legs_longer_than_one_plan_are_driven_in_several_tries() -> None:
    maze = MAZES["school-yard"]
    legs = [((1, 1, 0), (8, 1)), ((8, 1, 0), (1, 5)), ((1, 5, 0), (8, 5))]
    lengths = [len(route(pose, goal, maze)) for pose, goal in legs]
    assert all(lengths) and max(lengths) > MAX_PLAN  # the robot keeps its place between tries


@pytest.mark.parametrize("pupils", [1, 8, 32])
def test_perfect_play_reaches_every_flag(pupils: int) -> None:
    c = Class("robot-relay", pupils)
    c.start()
    c.play_perfectly()
    relay = c.activity
    assert c.session.ended_by == "done"
    assert relay.flags_reached == relay.goal == 3 * len(relay.squads)
    actors = {e.pupil for e in c.rec.of("contribution")}
    assert actors == {f"p-{i}" for i in range(1, pupils + 1)}


def test_squads_of_three_play_at_once_and_roles_rotate_each_try() -> None:
    c = Class("robot-relay", 6, legs=2)
    c.start()
    relay = c.activity
    assert [len(s.seats) for s in relay.squads] == [3, 3]
    a, b = relay.squads
    assert {r: a.role(r).pupil for r in ("navigator", "driver", "tester")} == {
        "navigator": "p-1", "driver": "p-2", "tester": "p-3"}
    assert relay.can_act(c.seat(1)) and relay.can_act(c.seat(4))  # both squads plan now
    for g in ("A", "A", "B", "A", "A"):  # S -> two east, turn south, two south
        c.press(1, g)
    assert a.plan == ["forward", "forward", "right", "forward", "forward"]
    c.press(3, "A")  # the tester cannot drive
    assert a.phase == "plan"
    c.press(2, "A")
    assert a.phase == "run"
    c.tick(3)
    assert a.phase == "check" and (a.robot.x, a.robot.y) == (3, 3)
    c.press(3, "A")  # not at the flag yet: the robot stays where it got to
    assert c.rec.of("contribution")[-1].data == {"role": "tester", "check": "not-yet"}
    assert (a.robot.x, a.robot.y) == (3, 3) and a.phase == "plan" and a.plan == []
    assert {r: a.role(r).pupil for r in ("navigator", "driver", "tester")} == {
        "navigator": "p-3", "driver": "p-1", "tester": "p-2"}
    assert c.seat(3).role == "navigator" and c.seat(1).role == "driver"
    assert b.turn == 0  # the other squad goes at its own pace


def test_walls_stop_the_robot() -> None:
    c = Class("robot-relay", 3)
    c.start()
    squad = c.activity.squads[0]
    c.press(1, "B")  # face south
    c.press(1, "B")  # face west: a wall
    c.press(1, "A")
    c.press(2, "A")
    c.tick(2)
    assert squad.robot.bumped and (squad.robot.x, squad.robot.y) == (1, 1)


def test_silence_cannot_stall_a_squad() -> None:
    c = Class("robot-relay", 3, turn_seconds=10)
    c.start()
    squad = c.activity.squads[0]
    c.press(1, "A")  # one step planned, then the whole squad goes quiet
    c.tick(10)
    assert squad.phase == "go"
    c.tick(10)  # the silent driver's plan runs anyway
    c.tick(1)
    assert squad.phase == "check"
    c.tick(10)  # the silent tester's check is made anyway; roles rotate
    assert squad.turn == 1 and squad.phase == "plan"
    assert [e.data["role"] for e in c.rec.of("timeout")] == ["plan", "go", "check"]
    c.tick(10)  # a navigator who plans nothing: roles rotate again
    assert squad.turn == 2


def test_late_joiner_plays_at_once_and_can_cheer_the_squad() -> None:
    c = Class("robot-relay", 2)
    c.start()
    c.press(3, "pair")
    relay = c.activity
    assert len(relay.squads) == 1 and c.seat(3) in relay.squads[0].seats
    assert relay.squads[0].role("tester") is c.seat(3)
    c.press(3, "logo")
    assert {e.data["target"] for e in c.rec.of("compliment")} == {"p-1"}


def test_a_lost_navigator_is_passed_over_without_a_timeout() -> None:
    c = Class("robot-relay", 3)
    c.start()
    c.session.disconnect("c1")
    c.tick(0.5)
    squad = c.activity.squads[0]
    assert squad.turn == 1 and squad.role("navigator").pupil == "p-3"
    assert "timeout" not in c.rec.kinds()
