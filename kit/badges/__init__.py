"""Recognition: badge definitions, awards from recorded participation (or by a teacher's hand),
Open Badges 3.0 credentials signed by the school's key, a revocation status list, and an Open
Badges 2.0 export of the same awards. See docs/badges.md."""

from kit.badges.definitions import BadgeDef, BadgesFile, BadgesInvalid, load_definitions
from kit.badges.issuer import Issuer
from kit.badges.issuing import (
    Award,
    BadgeError,
    Verdict,
    award,
    award_all,
    awards,
    export_ob2,
    forget,
    publish,
    revoke,
    status_list_jwt,
    verify,
)

__all__ = ["Award", "BadgeDef", "BadgeError", "BadgesFile", "BadgesInvalid", "Issuer", "Verdict",
           "award", "award_all", "awards", "export_ob2", "forget", "load_definitions",
           "publish", "revoke", "status_list_jwt", "verify"]
