"""The pupil's own page as one self-contained HTML file (no scripts, no outside requests), in
encouraging words: badges, what they made, time spent, how they helped. No comparison with
other pupils, no flags, no plans."""

from __future__ import annotations

from datetime import datetime
from html import escape

from kit.badges.baking import badge_svg, colour, data_uri
from kit.protocol.envelope import parse_ts
from kit.pupilpage.content import PageContent
from kit.pupilpage.words import Words

_CSS = """
body{font-family:system-ui,"Segoe UI",Roboto,sans-serif;margin:0;background:#fff8ec;color:#2b2b2b}
main{max-width:44rem;margin:0 auto;padding:1.5rem}
header{background:#ffd166;border-radius:1.2rem;padding:1.2rem 1.5rem;margin-bottom:1.2rem}
h1{margin:.2rem 0;font-size:2rem} h2{font-size:1.3rem;margin:1.4rem 0 .6rem}
.sub{margin:0;font-size:1.05rem} section{background:#fff;border-radius:1rem;padding:.8rem 1.2rem;
margin:.8rem 0;box-shadow:0 1px 3px #0002} ul{padding-left:1.2rem} li{margin:.35rem 0}
.badges{list-style:none;padding:0;display:grid;gap:.7rem}
.badge{display:flex;gap:.8rem;align-items:center}
.medal{flex:none;width:3rem;height:3rem;border-radius:50%;background:#06d6a0;color:#fff;
display:flex;align-items:center;justify-content:center;font-weight:700;font-size:1.4rem}
.badge h3{margin:0;font-size:1.1rem} .badge p{margin:.1rem 0} .small{font-size:.85rem;color:#555}
footer{margin:1.5rem 0;font-size:.85rem;color:#555}
"""


def _date(ts: str) -> str:
    return parse_ts(ts).strftime("%Y-%m-%d")


def render(content: PageContent, now: datetime) -> str:
    w = Words(content.lang)
    rec = content.record
    title = content.name or w.t("My learning journey")
    parts = [
        "<!doctype html>",
        f'<html lang="{content.lang}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        '<meta name="robots" content="noindex, nofollow">',
        '<meta name="referrer" content="no-referrer">',
        f"<title>{escape(title)}</title><style>{_CSS}</style></head><body><main>",
        f'<header><p class="sub">{escape(w.t("Learning journey with kit"))}</p>',
        f"<h1>{escape(title)}</h1>",
        f'<p class="sub">{escape(w.t("Here is what you did in kit lessons. Be proud of it!"))}'
        "</p></header>",
        f'<section id="badges"><h2>{escape(w.t("Your badges"))}</h2>',
    ]
    if content.badges:
        parts.append('<ul class="badges">')
        for b in content.badges:
            reason = (f'<p>{escape(w.t("Your teacher wrote: {reason}", reason=b.reason))}</p>'
                      if b.reason else "")
            baked = data_uri(badge_svg(b.badge, b.name, b.credential))
            parts.append(
                f'<li class="badge"><span class="medal" aria-hidden="true" '
                f'style="background:{colour(b.badge)}">'
                f"{escape(b.name[:1].upper())}</span><div><h3>{escape(b.name)}</h3>"
                f"<p>{escape(b.description)}</p>{reason}"
                f'<p class="small">{escape(w.t("Awarded on {date}", date=_date(b.awarded_at)))}'
                f' · <a class="save" download="{escape(b.badge)}.svg" href="{baked}">'
                f'{escape(w.t("Save the badge"))}</a></p></div></li>')
        parts.append("</ul>")
    else:
        parts.append(f"<p>{escape(w.t('No badges yet. Every lesson is a new chance to earn one!'))}"
                     "</p>")
    parts.append("</section>")
    parts.append(f'<section id="time"><h2>{escape(w.t("Your time"))}</h2><ul>')
    parts.append(f"<li>{escape(w.n('You took part in {n} lesson.', 'You took part in {n} lessons.', len(rec.lessons)))}</li>")  # noqa: E501
    parts.append(f"<li>{escape(w.n('You were busy learning for about {n} minute.', 'You were busy learning for about {n} minutes.', rec.minutes))}</li>")  # noqa: E501
    parts.append("</ul></section>")
    made = {
        "mural": ("You painted {n} pixel of the class mural.",
                  "You painted {n} pixels of the class mural."),
        "story": ("You wrote {n} part of the team story.",
                  "You wrote {n} parts of the team story."),
        "song": ("You played {n} bar of the class song.",
                 "You played {n} bars of the class song."),
        "robot": ("You worked with the team robot {n} time.",
                  "You worked with the team robot {n} times."),
    }
    if any(rec.made.get(k) for k in made):
        parts.append(f'<section id="made"><h2>{escape(w.t("What you made"))}</h2><ul>')
        for kind, (one, many) in made.items():
            if rec.made.get(kind):
                parts.append(f"<li>{escape(w.n(one, many, rec.made[kind]))}</li>")
        parts.append("</ul></section>")
    if rec.help_given or rec.compliments_given:
        parts.append(f'<section id="team"><h2>{escape(w.t("How you helped your team"))}</h2><ul>')
        if rec.help_given:
            parts.append(f"<li>{escape(w.n('You helped a teammate {n} time.', 'You helped teammates {n} times.', rec.help_given))}</li>")  # noqa: E501
        if rec.compliments_given:
            parts.append(f"<li>{escape(w.n('You said something kind to a teammate {n} time.', 'You said something kind to teammates {n} times.', rec.compliments_given))}</li>")  # noqa: E501
        parts.append("</ul></section>")
    parts.append(f'<p class="sub"><strong>{escape(w.t("Keep exploring, building and helping. Well done!"))}</strong></p>')  # noqa: E501
    footer = w.t("This page shows only your own work. Your school's kit hub made it on {date}.",
                 date=now.strftime("%Y-%m-%d"))
    parts.append(f"<footer>{escape(footer)}</footer></main></body></html>")
    return "\n".join(parts)
