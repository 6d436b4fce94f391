"""Golden screenshots, compared with a tolerance (mean absolute difference per channel).
Regenerate with ``KIT_UPDATE_GOLDEN=1``."""

from __future__ import annotations

import os
from pathlib import Path

import pygame
import pytest

from tests.activities.helpers import Class

GOLDEN = Path(__file__).parent / "golden"
SIZE = (960, 540)
TOLERANCE = 2.0  # of 255, mean over all pixels and channels


def mean_abs_diff(a: pygame.Surface, b: pygame.Surface) -> float:
    d1, d2 = a.copy(), b.copy()
    d1.blit(b, (0, 0), special_flags=pygame.BLEND_RGB_SUB)  # max(a - b, 0)
    d2.blit(a, (0, 0), special_flags=pygame.BLEND_RGB_SUB)  # max(b - a, 0)
    d1.blit(d2, (0, 0), special_flags=pygame.BLEND_RGB_ADD)
    r, g, bl, *_ = pygame.transform.average_color(d1)
    return (r + g + bl) / 3


def check(surface: pygame.Surface, name: str) -> None:
    path = GOLDEN / f"{name}.png"
    if os.environ.get("KIT_UPDATE_GOLDEN") or not path.exists():
        GOLDEN.mkdir(exist_ok=True)
        pygame.image.save(surface, str(path))
        if not os.environ.get("KIT_UPDATE_GOLDEN"):
            pytest.fail(f"no golden image yet: wrote {path}; check it and commit it")
        return
    golden = pygame.Surface(surface.get_size(), depth=24)
    golden.blit(pygame.image.load(str(path)), (0, 0))
    diff = mean_abs_diff(surface, golden)
    if diff > TOLERANCE:
        out = path.with_name(f"{name}.actual.png")
        pygame.image.save(surface, str(out))
        pytest.fail(f"{name}: differs from the golden image by {diff:.2f} (saved {out})")


def render(c: Class) -> pygame.Surface:
    surface = pygame.Surface(SIZE, depth=24)
    c.session.draw(surface)
    return surface


def test_mean_abs_diff_sees_a_change() -> None:
    a = pygame.Surface((10, 10), depth=24)
    b = a.copy()
    assert mean_abs_diff(a, b) == 0
    b.fill((255, 255, 255))
    assert mean_abs_diff(a, b) > 250


def test_lobby_shows_seats_with_shape_and_number_and_a_reconnecting_mark() -> None:
    c = Class("pixel-mural", 10)
    c.session.disconnect("c4")
    check(render(c), "lobby")


def test_paused_screen_says_hands_up_in_the_class_language() -> None:
    c = Class("story-chain", 3, lang="lt")
    c.start()
    c.session.command("pause")
    check(render(c), "paused-lt")


def _mural() -> Class:
    c = Class("pixel-mural", 4)
    c.start()
    for _ in range(2):
        c.press(1, "A")
    return c


def _relay() -> Class:
    c = Class("robot-relay", 6)
    c.start()
    for g in ("A", "A", "B", "A"):
        c.press(2, g)
    return c


def _orchestra() -> Class:
    c = Class("class-orchestra", 6, tempo_bpm=60)
    c.start()
    c.tick(4)
    c.press(1, "A")
    c.press(3, "A")
    c.tick(0.5)
    return c


def _story() -> Class:
    c = Class("story-chain", 5, lang="bg")
    c.start()
    c.press(1, "B")
    c.press(2, "A")
    c.press(3, "A")
    c.press(4, "A")
    c.press(5, "A")
    c.press(2, "A")
    c.press(2, "B")
    c.press(3, "A")
    return c


@pytest.mark.parametrize(("name", "make"), [("pixel-mural", _mural), ("robot-relay", _relay),
                                            ("class-orchestra", _orchestra),
                                            ("story-chain", _story)])
def test_in_game_frame(name: str, make) -> None:  # type: ignore[no-untyped-def]
    check(render(make()), name)


def test_end_screen_celebrates_the_team_without_ranking() -> None:
    c = _mural()
    c.session.command("end")
    check(render(c), "end")


@pytest.mark.parametrize("lang", ["en", "lt", "lv", "pl", "it", "es", "bg"])
def test_every_screen_draws_in_every_language_and_fits(lang: str) -> None:
    from kit.activities.i18n import Words
    from kit.activities.ui import Ui

    ui = Ui((1920, 1080), Words(lang))
    widest = 0
    for name in ("pixel-mural", "robot-relay", "class-orchestra", "story-chain"):
        c = Class(name, 5, lang=lang)
        surface = pygame.Surface((1280, 720), depth=24)
        c.session.draw(surface)
        c.start()
        c.press(1, "B")
        c.press(2, "A")
        c.session.draw(surface)
        c.session.command("pause")
        c.session.draw(surface)
        c.session.command("end")
        c.session.draw(surface)
    from kit.activities.i18n import extract

    for msgid, plural in extract().items():
        text = Words(lang).n(msgid, plural, 22) if plural else Words(lang).t(msgid)
        widest = max(widest, ui.text(text.format(bar=8, bars=8)).get_width())
    assert widest <= 1500, f"{lang}: a line is {widest} px wide at 1080p"
