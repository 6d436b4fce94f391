"""Open Badges 3.0 credentials (W3C Verifiable Credentials, secured as VC-JWT with the
school's Ed25519 key), the Bitstring Status List that revokes them, and the same awards as
signed Open Badges 2.0 assertions. Pure builders: the award's facts in, JSON and tokens out."""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kit.badges import jws
from kit.badges.definitions import BadgeDef
from kit.badges.issuer import Issuer, b64url
from kit.protocol.envelope import parse_ts

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB3_SCHEMA = ("https://purl.imsglobal.org/spec/ob/v3p0/schema/json/"
              "ob_v3p0_achievementcredential_schema.json")
OB2_CONTEXT = "https://w3id.org/openbadges/v2"
#: Bits in a status list: the spec's minimum (16 KiB), so one list hides which index is whose.
STATUS_LIST_BITS = 131072


@dataclass(frozen=True, slots=True)
class AwardFacts:
    """What a credential says about one award."""

    id: str  # urn:uuid:...
    badge: BadgeDef
    learner: str  # opaque learner id (never the pseudonym, never the name)
    salt: str
    awarded_at: str
    evidence: str
    activity_start: str | None
    activity_end: str | None
    kid: str
    status_index: int
    name: str | None = None  # only when the school chose to show names


def _epoch(ts: str) -> int:
    return int(parse_ts(ts).timestamp())


def identity_hash(value: str, salt: str) -> str:
    return "sha256$" + hashlib.sha256((value + salt).encode()).hexdigest()


def learner_url(issuer: Issuer, learner: str) -> str:
    return f"{issuer.base_url}/learners/{learner}"


def achievement(issuer: Issuer, badge: BadgeDef, lang: str = "en") -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": issuer.achievement_url(badge.id),
        "type": ["Achievement"],
        "achievementType": "Badge",
        "name": badge.text("name", lang),
        "description": badge.text("description", lang),
        "criteria": {"narrative": badge.criteria.narrative()},
    }
    if badge.image:
        out["image"] = {"id": badge.image, "type": "Image"}
    return out


def ob3_credential(issuer: Issuer, facts: AwardFacts) -> dict[str, Any]:
    """The OB 3.0 ``OpenBadgeCredential`` (unsigned body)."""
    identifiers: list[dict[str, Any]] = [{
        "type": "IdentityObject", "identityType": "identifier", "hashed": True,
        "identityHash": identity_hash(learner_url(issuer, facts.learner), facts.salt),
        "salt": facts.salt,
    }]
    if facts.name:
        identifiers.append({"type": "IdentityObject", "identityType": "name", "hashed": False,
                            "identityHash": facts.name})
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": identifiers,
        "achievement": achievement(issuer, facts.badge),
    }
    if facts.activity_start:
        subject["activityStartDate"] = facts.activity_start
    if facts.activity_end:
        subject["activityEndDate"] = facts.activity_end
    status_url = issuer.status_list_url(facts.kid)
    return {
        "@context": [VC_CONTEXT, OB3_CONTEXT],
        "id": facts.id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": issuer.profile(),
        "validFrom": facts.awarded_at,
        "awardedDate": facts.awarded_at,
        "name": facts.badge.text("name", "en"),
        "credentialSubject": subject,
        "evidence": [{"id": f"{facts.id}#evidence", "type": ["Evidence"],
                      "name": "What the pupil did", "narrative": facts.evidence}],
        "credentialStatus": {
            "id": f"{status_url}#{facts.status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(facts.status_index),
            "statusListCredential": status_url,
        },
        "credentialSchema": [{"id": OB3_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def sign_vc(issuer: Issuer, kid: str, body: dict[str, Any]) -> str:
    """VC-JWT (OB 3.0 §8.2): the payload is the credential plus the registered claims."""
    iss = body["issuer"]["id"] if isinstance(body["issuer"], dict) else body["issuer"]
    claims = {**body, "iss": iss, "jti": body["id"], "nbf": _epoch(body["validFrom"]),
              "iat": _epoch(body["validFrom"])}
    header = {"typ": "JWT", "kid": issuer.kid_url(kid), "jwk": issuer.public_jwk(kid)}
    return jws.sign(claims, issuer.private_key(kid), header)


def encode_status_bits(revoked: set[int], size: int = STATUS_LIST_BITS) -> str:
    """Bitstring Status List ``encodedList``: GZIP of the bits (index 0 is the first byte's
    high bit), base64url, multibase prefix ``u``."""
    bits = bytearray(size // 8)
    for i in revoked:
        bits[i // 8] |= 0x80 >> (i % 8)
    return "u" + b64url(gzip.compress(bytes(bits), mtime=0))


def status_list_credential(issuer: Issuer, kid: str, revoked: set[int],
                           now: datetime) -> dict[str, Any]:
    url = issuer.status_list_url(kid)
    return {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer.id,
        "validFrom": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                              "statusPurpose": "revocation",
                              "encodedList": encode_status_bits(revoked)},
    }


# Open Badges 2.0 -------------------------------------------------------------------------------

def ob2_urls(issuer: Issuer) -> dict[str, str]:
    base = f"{issuer.base_url}/badges/ob2"
    return {"issuer": f"{base}/issuer", "revocations": f"{base}/revocations",
            "keys": f"{base}/keys", "badges": f"{base}/badges", "assertions": f"{base}/assertions"}


def ob2_issuer(issuer: Issuer, kids: list[str]) -> dict[str, Any]:
    urls = ob2_urls(issuer)
    return {"@context": OB2_CONTEXT, "type": "Profile", "id": urls["issuer"],
            "name": issuer.name, "url": issuer.base_url,
            "publicKey": [f"{urls['keys']}/{k}" for k in kids],
            "revocationList": urls["revocations"]}


def ob2_key(issuer: Issuer, kid: str) -> dict[str, Any]:
    urls = ob2_urls(issuer)
    return {"@context": OB2_CONTEXT, "type": "CryptographicKey", "id": f"{urls['keys']}/{kid}",
            "owner": urls["issuer"], "publicKeyPem": issuer.public_pem(kid).decode()}


def ob2_badge_class(issuer: Issuer, badge: BadgeDef) -> dict[str, Any]:
    urls = ob2_urls(issuer)
    return {"@context": OB2_CONTEXT, "type": "BadgeClass", "id": f"{urls['badges']}/{badge.id}",
            "name": badge.text("name", "en"), "description": badge.text("description", "en"),
            "image": badge.image or f"{urls['badges']}/{badge.id}/image",
            "criteria": {"narrative": badge.criteria.narrative()}, "issuer": urls["issuer"]}


def ob2_assertion(issuer: Issuer, facts: AwardFacts) -> dict[str, Any]:
    urls = ob2_urls(issuer)
    uid = facts.id.removeprefix("urn:uuid:")
    return {
        "@context": OB2_CONTEXT, "type": "Assertion", "id": f"{urls['assertions']}/{uid}",
        "recipient": {"type": "url", "hashed": True, "salt": facts.salt,
                      "identity": identity_hash(learner_url(issuer, facts.learner), facts.salt)},
        "badge": f"{urls['badges']}/{facts.badge.id}",
        "verification": {"type": "SignedBadge", "creator": f"{urls['keys']}/{facts.kid}"},
        "issuedOn": facts.awarded_at,
        "evidence": [{"narrative": facts.evidence}],
        "narrative": facts.evidence,
    }


def sign_ob2(issuer: Issuer, kid: str, assertion: dict[str, Any]) -> str:
    return jws.sign(assertion, issuer.private_key(kid), {})
