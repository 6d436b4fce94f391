"""Golden screenshots at 1920x1080, text measured in rendered screens, and every string in
every language drawn inside its box. Regenerate the images with ``KIT_UPDATE_GOLDEN=1``."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pygame
import pytest

from kit.activities.i18n import LANGUAGES
from kit.activities.ui import INK
from tests.activities.helpers import Class

GOLDEN = Path(__file__).parent / "golden"
SIZE = (1920, 1080)
TOLERANCE = 2.0  # of 255, mean over all pixels and channels
ACTIVITIES = ("pixel-mural", "robot-relay", "class-orchestra", "story-chain")


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


def render(c: Class, size: tuple[int, int] = SIZE) -> pygame.Surface:
    surface = pygame.Surface(size, depth=24)
    c.session.draw(surface)
    return surface


def test_mean_abs_diff_sees_a_change() -> None:
    a = pygame.Surface((10, 10), depth=24)
    b = a.copy()
    assert mean_abs_diff(a, b) == 0
    b.fill((255, 255, 255))
    assert mean_abs_diff(a, b) > 250


def x_height(surface: pygame.Surface, box: pygame.Rect) -> int:
    """The height of lower-case letters in a line of text inside ``box``: the most common top
    and bottom of the ink, column by column (most letters are lower case without ascenders
    or descenders)."""
    crop = surface.subsurface(box)
    mask = pygame.mask.from_threshold(crop, INK, (60, 60, 60, 255))
    tops: Counter[int] = Counter()
    bottoms: Counter[int] = Counter()
    w, h = mask.get_size()
    for x in range(w):
        ys = [y for y in range(h) if mask.get_at((x, y))]
        if ys:
            tops[ys[0]] += 1
            bottoms[ys[-1]] += 1
    return bottoms.most_common(1)[0][0] - tops.most_common(1)[0][0] + 1


def test_main_text_is_at_least_32_px_lower_case_in_a_1080p_screenshot() -> None:
    c = Class("pixel-mural", 3)
    shot = render(c)
    # "Press A to join", drawn in its box under the title.
    assert x_height(shot, pygame.Rect(60, 140, 1800, 90)) >= 32


def test_lobby_shows_seats_with_shape_and_number_and_a_reconnecting_mark() -> None:
    c = Class("pixel-mural", 10)
    c.session.disconnect("c4")
    check(render(c), "lobby")


def test_paused_screen_in_the_class_language() -> None:
    c = Class("story-chain", 3, lang="lt")
    c.start()
    c.session.command("pause")
    check(render(c), "paused-lt")


def _mural() -> Class:
    c = Class("pixel-mural", 32)
    c.start()
    for _ in range(6):
        for i in range(1, 33, 3):
            c.press(i, c.activity.suggest(c.seat(i)))
    c.press(5, "logo")
    return c


def _relay() -> Class:
    c = Class("robot-relay", 32)
    c.start()
    for g in ("A", "A", "B", "A"):
        c.press(1, g)
    c.press(2, "A")
    c.tick(3)
    c.session.disconnect("c9")
    return c


def _orchestra() -> Class:
    c = Class("class-orchestra", 32, tempo_bpm=60)
    c.start()
    c.tick(4)
    for i in range(1, 33, 2):
        c.press(i, "A")
    c.tick(0.5)
    return c


def _story() -> Class:
    c = Class("story-chain", 32, lang="es")
    c.start()
    c.press(1, "B")
    c.press(2, "A")
    c.press(4, "A")
    c.press(4, "A")
    c.press(7, "B")
    return c


def _refused() -> Class:
    c = Class("robot-relay", 34, capacity=32)
    c.start()
    c.session.command("ask-end")
    return c


SCENES: dict[str, Callable[[], Class]] = {
    "pixel-mural": _mural, "robot-relay": _relay, "class-orchestra": _orchestra,
    "story-chain": _story, "refused-and-ask-end": _refused}


@pytest.mark.parametrize("name", list(SCENES))
def test_in_game_frame_with_a_class_of_32(name: str) -> None:
    c = SCENES[name]()
    shot = render(c)
    assert c.session.ui is not None and not c.session.ui.overflows
    check(shot, name)


def _finished(name: str) -> Class:
    c = Class(name, 8, **({"song": "frere-jacques", "verses": 1}
                           if name == "class-orchestra" else {}))
    c.start()
    c.play_perfectly(step=0.05 if name == "class-orchestra" else 0.25)
    c.tick(10)
    return c


@pytest.mark.parametrize("name", ACTIVITIES)
def test_end_screen_shows_what_the_class_made(name: str) -> None:
    c = _finished(name)
    assert c.session.phase == "ended"
    check(render(c), f"end-{name}")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_string_fits_its_box_on_every_screen_in_every_language(lang: str) -> None:
    overflows: set[tuple[str, int, int]] = set()
    for size in (SIZE,):
        for name in ACTIVITIES:
            for pupils in (8, 40):
                c = Class(name, pupils, lang=lang)
                surface = pygame.Surface(size, depth=24)
                c.session.draw(surface)
                c.start()
                c.session.draw(surface)
                for i in range(1, 4):
                    c.press(i, "B")
                    c.press(i + 3, "A")
                c.press(1, "logo")
                c.session.draw(surface)
                c.session.command("lock")
                c.press(50, "pair")
                c.session.command("ask-end")
                c.session.draw(surface)
                c.session.command("pause")
                c.session.draw(surface)
                c.session.command("resume")
                c.session.command("end")
                c.session.draw(surface)
                c.press(51, "pair")
                c.session.draw(surface)
                assert c.session.ui is not None
                overflows |= c.session.ui.overflows
        c = Class("pixel-mural", 0, lang=lang)
        c.start()
        c.session.draw(pygame.Surface(size, depth=24))
        assert c.session.ui is not None
        overflows |= c.session.ui.overflows
    assert not overflows, f"{lang}: text too big for its box: {sorted(overflows)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_story_card_fits_in_every_language(lang: str) -> None:
    from kit.activities.story_chain import PIECES

    c = Class("story-chain", 32, lang=lang)
    c.start()
    surface = pygame.Surface(SIZE, depth=24)
    for k in range(len(PIECES)):
        for t in c.activity.tables:
            t.choice = 0
        c.activity.story = list(range(k, len(PIECES))) + list(range(k))
        c.activity.tables[0].locked = None
        c.session.draw(surface)
        c.activity.draw_end(surface, c.session.ui, pygame.Rect(60, 130, 1800, 800))
    assert c.session.ui is not None and not c.session.ui.overflows
