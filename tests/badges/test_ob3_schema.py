"""Issued credentials validate against the official Open Badges 3.0 JSON Schema
(``ob_v3p0_achievementcredential_schema.json``, JSON Schema 2019-09).

The schema is 1EdTech's published file. No package on the registries kit may use ships it, so
the test reads it from ``$KIT_OB3_SCHEMA`` or from the shared folder beside the repository
(``../shared/schemas/``); without it the test is skipped and says where to put it."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kit.badges import Issuer, award_all, awards, load_definitions
from kit.badges.issuer import b64url_decode
from kit.hub.store import Store
from tests.badges.conftest import NOW

NAME = "ob_v3p0_achievementcredential_schema.json"
ROOT = Path(__file__).resolve().parents[2]


def official_schema() -> dict[str, object]:
    candidates = [Path(os.environ["KIT_OB3_SCHEMA"])] if os.environ.get("KIT_OB3_SCHEMA") else []
    candidates.append(ROOT.parent / "shared" / "schemas" / NAME)
    for path in candidates:
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]
    pytest.skip(f"the official OB 3.0 schema {NAME} is not here: set KIT_OB3_SCHEMA or put it "
                "in ../shared/schemas/")


def test_issued_credentials_validate_against_the_official_schema(
        store: Store, issuer: Issuer) -> None:
    import jsonschema

    schema = official_schema()
    validator = jsonschema.Draft201909Validator(schema)
    award_all(store, load_definitions(), NOW, issuer)
    for a in awards(store):
        body = json.loads(b64url_decode(a.credential.split(".")[1]))
        errors = sorted(validator.iter_errors(body), key=lambda e: list(e.path))
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
