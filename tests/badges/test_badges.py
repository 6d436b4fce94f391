"""Badges from recorded participation, signed as Open Badges 3.0 and verified by an
independent library (openbadgeslib), revoked through the status list, exported as OB 2.0."""

from __future__ import annotations

import json
import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from openbadgeslib.ob2.verifier import OB2VerificationError, OB2Verifier
from openbadgeslib.ob3.verifier import OB3VerificationError, OB3Verifier

from kit.badges import (
    BadgeError,
    BadgesInvalid,
    Issuer,
    award,
    award_all,
    awards,
    export_ob2,
    forget,
    load_definitions,
    revoke,
    status_list_jwt,
    verify,
)
from kit.badges.definitions import check_text
from kit.badges.issuer import b64url, b64url_decode
from kit.hub.store import Store
from tests.badges.classroom import NAMES
from tests.badges.conftest import NOW


def held(store: Store) -> set[tuple[str, str]]:
    return {(a.pupil, a.badge) for a in awards(store)}


def status_fetcher(store: Store, issuer: Issuer):  # type: ignore[no-untyped-def]
    """What a verifier's HTTP fetch of a status list URL would return from the hub."""
    def fetch(url: str) -> bytes:
        kid = url.rsplit("/", 1)[-1]
        assert url == issuer.status_list_url(kid)
        return status_list_jwt(store, issuer, kid, NOW).encode()
    return fetch


def independent(store: Store, issuer: Issuer, token: str) -> None:
    """Verify with openbadgeslib, signature and status list (its own proof too)."""
    _, payload = token.split(".")[:2], json.loads(b64url_decode(token.split(".")[1]))
    kid = payload["credentialStatus"]["statusListCredential"].rsplit("/", 1)[-1]
    OB3Verifier(issuer.public_pem(kid)).verify(
        token, check_status=True, verify_status_list=True, download=status_fetcher(store, issuer))


def test_shipped_badges_load_in_all_seven_languages() -> None:
    defs = load_definitions()
    assert {"helping-hand", "teachers-star", "first-lesson"} <= set(defs.by_id())
    for b in defs.badges:
        assert set(b.name) == {"en", "lt", "lv", "pl", "it", "es", "bg"}, b.id


def test_a_broken_badges_file_lists_every_problem_with_its_place() -> None:
    text = ("kit_badges: 1\n"
            "badges:\n"
            "  - id: Helper\n"
            "    name: {lt: Pagalba}\n"
            "    description: {en: Helps.}\n"
            "    criteria: {help_givn: 3}\n"
            "  - id: ranked\n"
            "    name: {en: Ranked}\n"
            "    description: {en: x}\n"
            "    criteria: {}\n")
    parsed, problems = check_text(text, "school.yaml")
    assert parsed is None
    joined = "\n".join(problems)
    assert "school.yaml:3:9: badges.1.id: 'Helper' is not a valid badge id" in joined
    assert "school.yaml:4:11:" in joined and "English" in joined
    assert "school.yaml:6:16: unknown key 'help_givn' (did you mean 'help_given'?)" in joined
    assert "school.yaml:10:15:" in joined and "at least one criterion" in joined


def test_a_badges_file_that_cannot_be_read_says_so(tmp_path: Path) -> None:
    bad = tmp_path / "b.yaml"
    bad.write_text("kit_badges: 1\nbadges:\n\t- id: x\n")
    with pytest.raises(BadgesInvalid, match=r"b.yaml:3:1: tab used for indentation"):
        load_definitions(bad)


def test_badges_follow_each_pupils_own_record_and_are_issued_once(
        store: Store, issuer: Issuer) -> None:
    defs = load_definitions()
    counts = award_all(store, defs, NOW, issuer)
    assert held(store) == {
        ("p-ada001", "first-lesson"), ("p-ada001", "team-builder"),
        ("p-ada001", "helping-hand"), ("p-ada001", "kind-words"),
        ("p-bo0002", "first-lesson"), ("p-bo0002", "team-builder"),
        ("p-bo0002", "all-rounder"),
        ("p-cy0003", "first-lesson"), ("p-cy0003", "team-builder"),
        ("p-dee004", "first-lesson"),
    }
    assert counts == {"issued": 10, "held": 0, "pupils": 4}
    again = award_all(store, defs, NOW + timedelta(days=1), issuer)
    assert again == {"issued": 0, "held": 10, "pupils": 4}


def test_ob3_credentials_verify_with_an_independent_library(
        store: Store, issuer: Issuer) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    for a in awards(store):
        independent(store, issuer, a.credential)
        assert verify(store, issuer, a.credential).ok


def test_credential_says_what_the_pupil_did_without_their_name_or_pseudonym(
        store: Store, issuer: Issuer) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    a = awards(store, pupil="p-ada001", badge="helping-hand")[0]
    body = json.loads(b64url_decode(a.credential.split(".")[1]))
    assert body["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert body["issuer"]["name"] == "Vilnius Primary 7B"
    assert "helped teammates 12 times" in body["evidence"][0]["narrative"]
    assert body["credentialSubject"]["achievement"]["criteria"]["narrative"].startswith(
        "The pupil helped teammates at least 3 times")
    assert body["credentialSubject"]["activityStartDate"] < body["credentialSubject"][
        "activityEndDate"]
    text = json.dumps(body) + a.ob2
    for pupil, name in NAMES.items():
        assert pupil not in text and name not in text


def test_a_school_may_choose_to_name_the_pupil(store: Store, issuer: Issuer) -> None:
    issuer.configure(names_in_credentials=True)
    a = award(store, issuer, load_definitions().by_id()["first-lesson"], "p-bo0002", NOW)
    assert a is not None
    body = json.loads(b64url_decode(a.credential.split(".")[1]))
    assert {"type": "IdentityObject", "identityType": "name", "hashed": False,
            "identityHash": "Bo Berg"} in body["credentialSubject"]["identifier"]
    independent(store, issuer, a.credential)


def test_a_tampered_credential_fails(store: Store, issuer: Issuer) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    token = awards(store, pupil="p-dee004")[0].credential
    head, body, sig = token.split(".")
    claims = json.loads(b64url_decode(body))
    claims["credentialSubject"]["achievement"]["name"] = "Best in class"
    forged = f"{head}.{b64url(json.dumps(claims).encode())}.{sig}"
    with pytest.raises(OB3VerificationError, match="signature"):
        independent(store, issuer, forged)
    assert not verify(store, issuer, forged).ok


def test_a_revoked_credential_fails_and_the_others_still_verify(
        store: Store, issuer: Issuer) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    gone = awards(store, pupil="p-cy0003", badge="team-builder")[0]
    revoke(store, gone.id, "awarded by mistake", NOW)
    with pytest.raises(OB3VerificationError, match="revocation"):
        independent(store, issuer, gone.credential)
    verdict = verify(store, issuer, gone.credential)
    assert not verdict.ok and "revoked" in verdict.reason
    for a in awards(store):
        if a.id != gone.id:
            independent(store, issuer, a.credential)


def test_rotation_keeps_old_credentials_valid_and_a_revoked_key_invalidates_them(
        store: Store, issuer: Issuer) -> None:
    defs = load_definitions().by_id()
    old = award(store, issuer, defs["first-lesson"], "p-ada001", NOW)
    assert old is not None
    issuer.rotate(NOW)
    new = award(store, issuer, defs["first-lesson"], "p-bo0002", NOW)
    assert new is not None and new.key_id != old.key_id
    for a in (old, new):
        independent(store, issuer, a.credential)
        assert verify(store, issuer, a.credential).ok
    issuer.revoke_key(old.key_id, NOW)
    verdict = verify(store, issuer, old.credential)
    assert not verdict.ok and "revoked" in verdict.reason
    assert verify(store, issuer, new.credential).ok
    assert old.key_id not in json.dumps(issuer.jwks())


def test_issuer_secrets_are_private_files(store: Store, issuer: Issuer) -> None:
    award(store, issuer, load_definitions().by_id()["first-lesson"], "p-ada001", NOW)
    assert stat.S_IMODE(os.stat(issuer.dir).st_mode) == 0o700
    for f in issuer.dir.iterdir():
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


def test_a_teacher_awards_by_hand_with_a_reason(store: Store, issuer: Issuer) -> None:
    star = load_definitions().by_id()["teachers-star"]
    with pytest.raises(BadgeError, match="say why"):
        award(store, issuer, star, "p-dee004", NOW, reason="  ")
    a = award(store, issuer, star, "p-dee004", NOW,
              reason="Explained the maze to Bo and to p-cy0003.")
    assert a is not None and a.by_hand
    assert a.evidence.startswith(
        "The teacher wrote: Explained the maze to a classmate and to a classmate.")
    independent(store, issuer, a.credential)
    assert award_all(store, load_definitions(), NOW, issuer)["issued"] == 10
    assert len(awards(store, badge="teachers-star")) == 1  # never given automatically


def test_ob2_export_verifies_with_its_chain_and_revocation_list(
        store: Store, issuer: Issuer, tmp_path: Path) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    gone = awards(store, pupil="p-bo0002", badge="all-rounder")[0]
    revoke(store, gone.id, "wrong pupil", NOW)
    out = tmp_path / "ob2"
    assert export_ob2(store, issuer, out) == {"assertions": 10, "revoked": 1}
    prefix = f"{issuer.base_url}/badges/ob2/"

    def fetch(url: str) -> bytes:
        return (out / f"{url.removeprefix(prefix)}.json").read_bytes()

    verifier = OB2Verifier(download=fetch)  # the key comes from the issuer's own profile
    for jws_file in sorted((out / "assertions").glob("*.jws")):
        token = jws_file.read_text()
        if gone.ob2 == token:
            with pytest.raises(OB2VerificationError, match="revoked"):
                verifier.verify(token, check_revocation=True)
        else:
            assertion = verifier.verify(token, check_revocation=True)
            assert assertion.badge.startswith(prefix + "badges/")


def test_forgetting_a_pupil_erases_their_awards_but_not_the_status_of_others(
        store: Store, issuer: Issuer) -> None:
    award_all(store, load_definitions(), NOW, issuer)
    assert forget(store, "p-ada001") == {"badge_awards": 4}
    assert not awards(store, pupil="p-ada001")
    assert "p-ada001" not in json.dumps([a.credential for a in awards(store)])
    for a in awards(store):
        independent(store, issuer, a.credential)


def test_awards_on_postgresql(pg_url: str, issuer: Issuer) -> None:
    from kit.hub.store import open_store
    from tests.badges.classroom import make_class

    s = open_store(pg_url)
    try:
        make_class(s)
        assert award_all(s, load_definitions(), NOW, issuer)["issued"] == 10
        for a in awards(s):
            independent(s, issuer, a.credential)
    finally:
        s.close()


def test_the_documented_school_badges_file_loads() -> None:
    root = Path(__file__).resolve().parents[2]
    defs = load_definitions(root / "docs" / "examples" / "school-badges.yaml")
    assert [b.id for b in defs.badges] == ["robot-pilot", "kind-teammate"]


def test_one_forget_erases_a_pupil_from_every_recognition_table(
        store: Store, issuer: Issuer) -> None:
    from kit.pupilpage import issue
    from kit.recognition import export_xapi
    from kit.recognition import forget as forget_all

    award_all(store, load_definitions(), NOW, issuer)
    export_xapi(store, None, NOW, issuer)
    issue(store, "p-bo0002", "lv", "2026-03-20T12:00:00.000Z")
    counts = forget_all(store, "p-bo0002")
    assert counts["badge_awards"] == 3 and counts["pupil_page_tokens"] == 1
    assert counts["xapi_outbox"] > 0
    for table in ("badge_awards", "xapi_outbox", "pupil_page_tokens"):
        assert store.query(f"SELECT count(*) FROM {table} WHERE pupil = ?", ("p-bo0002",)) \
            == [(0,)]


def test_a_baked_badge_image_carries_a_credential_that_verifies(
        store: Store, issuer: Issuer) -> None:
    from kit.badges.baking import badge_svg

    award_all(store, load_definitions(), NOW, issuer)
    a = awards(store, pupil="p-ada001", badge="kind-words")[0]
    svg = badge_svg(a.badge, "Kind words", a.credential).encode()
    token = OB3Verifier.extract_token_from_svg(svg)
    assert token == a.credential
    independent(store, issuer, token)


@pytest.mark.parametrize(("data", "kind"), [
    ({"pixels": 1, "paint": "r"}, "mural"),                 # pixel mural
    ({"panel": 3, "text": "and then"}, "story"),            # story chain
    ({"bar": 2, "notes": 4}, "song"),                       # class orchestra
    ({"role": "navigator", "step": "F"}, "robot"),          # robot relay
    ({"role": "driver", "run": 4}, "robot"),
    ({"role": "tester", "check": "reached"}, "robot"),
    ({"step": "warm-up", "gesture": "A"}, None),            # the lesson engine's own
    ({"step": "build", "ready": True}, None),
])
def test_what_a_contribution_made_is_read_from_the_activitys_fields(
        data: dict[str, object], kind: str | None) -> None:
    from kit.badges.criteria import made_kind

    assert made_kind(data) == kind


def test_one_pupils_record_read_alone_matches_the_class_count(store: Store) -> None:
    from kit.badges.criteria import records
    from kit.badges.issuing import pupil_record

    everyone = records(store.events())
    for pupil in NAMES:
        assert pupil_record(store, pupil) == everyone[pupil]


def test_recognise_issues_verifies_and_writes_what_a_school_keeps(
        store: Store, issuer: Issuer, tmp_path: Path) -> None:
    from kit.recognition import recognise

    counts = recognise(store, tmp_path / "out", NOW, issuer=issuer)
    assert counts["issued"] == counts["verified"] == counts["ob2_assertions"] == 10
    assert counts["failed"] == counts["revoked"] == 0
    assert counts["xapi_statements"] == counts["xapi_queued"] > 0
    assert len(list((tmp_path / "out" / "ob3").glob("*.svg"))) == 10
    assert len((tmp_path / "out" / "statements.jsonl").read_text().splitlines()) == \
        counts["xapi_statements"]
    again = recognise(store, tmp_path / "out", NOW, issuer=issuer)
    assert again["issued"] == 0 and again["held"] == 10 and again["xapi_queued"] == 0
