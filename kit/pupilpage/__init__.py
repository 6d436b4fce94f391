"""Each pupil's own page: their badges, what they made, their time, in the family's language
(one of seven), shareable as a file or as a revocable link the hub serves."""

from kit.pupilpage.content import PageContent, gather
from kit.pupilpage.render import render
from kit.pupilpage.tokens import Link, forget, issue, resolve, revoke
from kit.pupilpage.words import LANGUAGES

__all__ = ["LANGUAGES", "Link", "PageContent", "forget", "gather", "issue", "render", "resolve",
           "revoke"]
