"""The teacher's commands, run as a teacher would: ``kit badge``, ``kit page``, ``kit xapi``
as separate processes against one store and data directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from kit.hub.store import open_store
from tests.badges.classroom import make_class


def kit(home: Path, *args: str, ok: bool = True) -> str:
    env = {**os.environ, "KIT_HOME": str(home), "KIT_STORE": f"sqlite:///{home / 'kit.db'}"}
    r = subprocess.run([sys.executable, "-m", "kit", *args], env=env, capture_output=True,
                       text=True, timeout=120)
    assert (r.returncode == 0) == ok, r.stdout + r.stderr
    return r.stdout + r.stderr


def test_award_list_show_verify_revoke_export(kit_home: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{kit_home / 'kit.db'}")
    make_class(store)
    store.close()
    kit(kit_home, "badge", "issuer", "--name", "School A", "--url", "https://hub.a.example")
    assert "issued 10 new badges" in kit(kit_home, "badge", "award", "--all")
    out = kit(kit_home, "badge", "award", "p-dee004", "teachers-star", "--reason",
              "Kind to a newcomer")
    assert "awarded teachers-star to p-dee004" in out
    listing = kit(kit_home, "badge", "list", "--pupil", "p-dee004").splitlines()
    assert len(listing) == 2 and "by hand" in listing[1]
    award_id = listing[1].split("\t")[0]
    cred = tmp_path / "star.jwt"
    cred.write_text(kit(kit_home, "badge", "show", award_id))
    assert kit(kit_home, "badge", "verify", str(cred)).startswith("valid")
    kit(kit_home, "badge", "revoke", award_id, "--reason", "wrong pupil")
    assert "NOT valid: revoked" in kit(kit_home, "badge", "verify", str(cred), ok=False)
    assert "verified 10, revoked 1, failed 0" in kit(kit_home, "badge", "verify", "--all")
    out = kit(kit_home, "badge", "export", str(tmp_path / "export"))
    assert "wrote 11 Open Badges 3.0 credentials (.jwt, and baked in .svg), 1 status lists " \
           "and 11 Open Badges 2.0 assertions (1 revoked)" in out
    assert len(list((tmp_path / "export" / "ob3").glob("*.svg"))) == 11


def test_a_broken_badges_file_is_reported_with_its_place(kit_home: Path, tmp_path: Path) -> None:
    f = tmp_path / "ours.yaml"
    f.write_text("kit_badges: 1\nbadges:\n  - id: x\n    name: {en: X}\n    description: "
                 "{en: Y}\n    criteria: {minutes: 0}\n")
    out = kit(kit_home, "badge", "check", str(f), ok=False)
    assert f"{f}:6:25: badges.1.criteria.minutes: Input should be greater than or equal to 1" \
        in out


def test_page_and_xapi_commands(kit_home: Path, tmp_path: Path) -> None:
    store = open_store(f"sqlite:///{kit_home / 'kit.db'}")
    make_class(store)
    store.close()
    kit(kit_home, "badge", "award", "--all")
    page = tmp_path / "bo.html"
    kit(kit_home, "page", "render", "p-bo0002", "--lang", "it", "--out", str(page))
    assert "I tuoi badge" in page.read_text()
    link = kit(kit_home, "page", "link", "p-bo0002", "--lang", "it").splitlines()[0]
    token = link.rsplit("/", 1)[1]
    assert "stopped 1 link" in kit(kit_home, "page", "unlink", token)
    out = kit(kit_home, "xapi", "export", str(tmp_path / "st.jsonl"))
    assert "new in the outbox" in out
    assert "0 sent" in kit(kit_home, "xapi", "status")
    assert "say where the LRS is" in kit(kit_home, "xapi", "send", ok=False)


def test_a_page_link_never_looks_like_an_option(monkeypatch: object) -> None:
    """A teacher pastes the link's token after ``kit page unlink``: one starting with '-'
    would be taken for an option, so none does."""
    import secrets

    import pytest

    from kit.pupilpage import tokens

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    drawn = iter(["-starts-with-a-dash", "fine-token"])
    monkeypatch.setattr(secrets, "token_urlsafe", lambda n: next(drawn))
    store = open_store("sqlite:///:memory:")
    try:
        assert tokens.issue(store, "p-bo0002", "en", "2026-01-12T09:00:00.000Z").token == \
            "fine-token"
    finally:
        store.close()
