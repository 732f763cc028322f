"""studytool's own Anki note types: a cloze type for highlights, a basic type for scenarios.

Both have fixed integer ids and stable names, so every export refers to the same note types and
Anki merges them instead of adding copies. Anki replaces a note type only when the package's
copy is newer: :data:`NOTE_TYPE_REVISION` is its modification time, to be raised whenever a
template or the CSS changes. The CSS reads well on desktop and on phones (system font, fluid
images) and follows Anki's night mode (``.nightMode`` on desktop and AnkiMobile,
``.night_mode`` on AnkiDroid).
"""

from __future__ import annotations

from functools import lru_cache

import genanki

CLOZE_MODEL_ID = 1_596_231_401
CLOZE_MODEL_NAME = "studytool cloze"
SCENARIO_MODEL_ID = 1_596_231_402
SCENARIO_MODEL_NAME = "studytool scenario"
#: 2025-01-01 00:00 UTC. Raise it (to the day of the change) when a template or the CSS changes.
NOTE_TYPE_REVISION = 1_735_689_600

CLOZE_FIELDS = ("Text", "Context", "Source", "Extra")
SCENARIO_FIELDS = ("Question", "Choices", "Answer", "Explanation")

CSS = """\
.card {
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue",
    Arial, sans-serif;
  font-size: 20px;
  line-height: 1.5;
  text-align: left;
  color: #1f2328;
  background-color: #ffffff;
  margin: 0;
  padding: 0;
}
.st-card { max-width: 42em; margin: 0 auto; padding: 1em 1.2em; }
.st-context { font-size: 0.8em; color: #59636e; margin-bottom: 0.8em; }
.st-ctx { margin: 0.1em 0; }
.st-d1 { padding-left: 0.8em; }
.st-d2 { padding-left: 1.6em; }
.st-d3 { padding-left: 2.4em; }
.st-d4 { padding-left: 3.2em; }
.st-d5 { padding-left: 4em; }
.st-text, .st-question { font-size: 1.1em; }
.cloze { font-weight: 600; color: #0b5cad; }
.st-extra, .st-answer, .st-explanation { margin-top: 1em; }
.st-answer { font-weight: 600; }
.st-images img { max-width: 100%; height: auto; display: block; margin: 0.6em auto; }
.st-source { margin-top: 1.2em; font-size: 0.7em; color: #59636e; }
.st-source a { color: inherit; }
.st-rules { font-size: 0.8em; color: #59636e; margin-top: 0.6em; }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
  font-size: 0.9em;
  background-color: #eff2f5;
  border-radius: 4px;
  padding: 0.1em 0.3em;
}
hr#answer { border: none; border-top: 1px solid #d1d9e0; margin: 1em 0; }
.nightMode.card, .night_mode.card, .nightMode .card, .night_mode .card {
  color: #e6edf3;
  background-color: #1e1e1e;
}
.nightMode .st-context, .night_mode .st-context,
.nightMode .st-source, .night_mode .st-source,
.nightMode .st-rules, .night_mode .st-rules { color: #9198a1; }
.nightMode .cloze, .night_mode .cloze { color: #79c0ff; }
.nightMode code, .night_mode code { background-color: #2d333b; }
.nightMode hr#answer, .night_mode hr#answer { border-top-color: #3d444d; }
"""

_CLOZE_FRONT = """\
<div class="st-card">
{{#Context}}<div class="st-context">{{Context}}</div>{{/Context}}
<div class="st-text">{{cloze:Text}}</div>
</div>"""

_CLOZE_BACK = """\
<div class="st-card">
{{#Context}}<div class="st-context">{{Context}}</div>{{/Context}}
<div class="st-text">{{cloze:Text}}</div>
{{#Extra}}<div class="st-extra">{{Extra}}</div>{{/Extra}}
{{#Source}}<div class="st-source">{{Source}}</div>{{/Source}}
</div>"""

_SCENARIO_FRONT = """\
<div class="st-card">
<div class="st-question">{{Question}}</div>
{{#Choices}}<div class="st-choices-box">{{Choices}}</div>{{/Choices}}
</div>"""

_SCENARIO_BACK = """\
{{FrontSide}}
<hr id="answer">
<div class="st-card">
<div class="st-answer">{{Answer}}</div>
{{#Explanation}}<div class="st-explanation">{{Explanation}}</div>{{/Explanation}}
</div>"""


@lru_cache(maxsize=1)
def cloze_model() -> genanki.Model:
    """The cloze note type: Text (``{{cN::...}}``), Context, Source, Extra."""
    return genanki.Model(
        CLOZE_MODEL_ID,
        CLOZE_MODEL_NAME,
        fields=[{"name": name} for name in CLOZE_FIELDS],
        templates=[{"name": "Cloze", "qfmt": _CLOZE_FRONT, "afmt": _CLOZE_BACK}],
        css=CSS,
        model_type=genanki.Model.CLOZE,
    )


@lru_cache(maxsize=1)
def scenario_model() -> genanki.Model:
    """The scenario note type: Question, Choices, Answer, Explanation."""
    return genanki.Model(
        SCENARIO_MODEL_ID,
        SCENARIO_MODEL_NAME,
        fields=[{"name": name} for name in SCENARIO_FIELDS],
        templates=[{"name": "Scenario", "qfmt": _SCENARIO_FRONT, "afmt": _SCENARIO_BACK}],
        css=CSS,
    )
