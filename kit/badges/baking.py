"""Baked badge images: an SVG medal that carries its signed credential, so the image a family
saves or uploads to a backpack is itself the verifiable badge.

OB 3.0 §5.3 (baking): the root ``<svg>`` declares
``xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"`` and holds one
``<openbadges:credential verify="COMPACT-JWS"/>`` for a VC-JWT credential."""

from __future__ import annotations

import base64
import hashlib
from html import escape

OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
#: Friendly colours (from the activities' palette); a badge always gets the same one.
COLOURS = ("#06d6a0", "#118ab2", "#ef476f", "#f78c6b", "#8e6bd8", "#ffb703", "#3a86ff")


def colour(badge_id: str) -> str:
    return COLOURS[hashlib.sha256(badge_id.encode()).digest()[0] % len(COLOURS)]


def badge_svg(badge_id: str, name: str, token: str) -> str:
    """The medal for ``name`` with ``token`` (the OB 3.0 VC-JWT) baked in."""
    fill = colour(badge_id)
    initial = escape(name[:1].upper())
    label = escape(name if len(name) <= 22 else name[:21] + "…")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="{OB3_SVG_NS}" '
        'width="240" height="240" viewBox="0 0 240 240">'
        f'<openbadges:credential verify="{escape(token, quote=True)}"/>'
        f'<title>{escape(name)}</title>'
        '<path d="M80 150 L60 232 L98 212 L120 236 L120 150 Z" fill="#ef476f"/>'
        '<path d="M160 150 L180 232 L142 212 L120 236 L120 150 Z" fill="#c9184a"/>'
        f'<circle cx="120" cy="100" r="86" fill="{fill}" stroke="#ffd166" stroke-width="10"/>'
        '<text x="120" y="128" font-family="sans-serif" font-size="80" font-weight="700" '
        f'text-anchor="middle" fill="#ffffff">{initial}</text>'
        '<text x="120" y="162" font-family="sans-serif" font-size="15" text-anchor="middle" '
        f'fill="#ffffff">{label}</text></svg>')


def data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
