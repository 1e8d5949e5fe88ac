"""Survey definitions from the `surveys:` key of a framework, every problem named by its key path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

from tracker.domain.settings import describe_value
from tracker.domain.survey_checker import Checker, Problems
from tracker.domain.surveys import (
    AGREE5,
    BUILTIN_SCALES,
    DEFAULT_MIN_GROUP_SIZE,
    MIN_DISTINCT_SCORES,
    RESPONDENT_COLUMN,
    Bands,
    Scale,
    Section,
    SurveyDefinition,
    did_you_mean,
    normalise_answer,
    number_text,
)
from tracker.domain.yaml_source import join_path

SURVEY_KEYS: tuple[str, ...] = (
    "id",
    "title",
    "scale",
    "min_group_size",
    "bands",
    "breakdowns",
    "sections",
    "organisations",
    "characteristics",
    "overall",
)
SECTION_KEYS: tuple[str, ...] = ("id", "title", "questions", "reverse", "links")
BANDS_KEYS: tuple[str, ...] = ("good", "moderate")
SCALE_KEYS: tuple[str, ...] = ("id", "options", "not_scored")
OPTION_KEYS: tuple[str, ...] = ("label", "score")
# The columns of a survey with participating organisations (issue 21): its respondent's organisation (an id
# loaded with `tracker survey orgs`) and profession; no breakdown or characteristic may take their names.
ORG_COLUMN = "org"
PROFESSION_COLUMN = "profession"
ORG_COLUMNS: tuple[str, ...] = (ORG_COLUMN, PROFESSION_COLUMN)

# -- definitions from the framework YAML ---------------------------------------------------------------


class _Ids:
    """Survey and section ids: one namespace with the framework's other ids."""

    def __init__(self, taken: Set[str]) -> None:
        self.taken = taken
        self.seen: dict[str, str] = {}

    def register(self, c: Checker, raw: object, path: str) -> str:
        value = c.slug(raw, path)
        if not value:
            return value
        if value in self.seen:
            c.error(path, f"id '{value}' is already used by {self.seen[value]}; ids must be unique")
        elif value in self.taken:
            c.error(
                path, f"id '{value}' is already used by another element of the framework; ids must be unique"
            )
        else:
            self.seen[value] = path.removesuffix(".id")
        return value


def _scale(c: Checker, raw: object, path: str) -> Scale:
    if raw is None:
        return AGREE5
    if isinstance(raw, str):
        name = raw.strip()
        if name in BUILTIN_SCALES:
            return BUILTIN_SCALES[name]
        c.error(
            path,
            f"unknown scale '{name}'{did_you_mean(name, BUILTIN_SCALES)} "
            f"(built in: {', '.join(BUILTIN_SCALES)}; "
            "or declare one with id, options and not_scored)",
        )
        return AGREE5
    if not isinstance(raw, Mapping):
        c.error(
            path, f"expected a scale id such as 'agree5' or a mapping of a scale, found {describe_value(raw)}"
        )
        return AGREE5
    f = c.mapping(raw, path, SCALE_KEYS, {"id", "options"})
    if f is None:
        return AGREE5
    sid = c.slug(f["id"], join_path(path, "id")) if "id" in f else ""
    if sid in BUILTIN_SCALES:
        c.error(join_path(path, "id"), f"'{sid}' is a built-in scale; give a declared scale another id")
    before = len(c.problems)
    seen: dict[str, str] = {}
    options: list[tuple[str, float]] = []
    options_path = join_path(path, "options")
    for i, item in enumerate(c.sequence(f.get("options"), options_path)):
        item_path = join_path(options_path, i)
        o = c.mapping(item, item_path, OPTION_KEYS, {"label", "score"})
        if o is None:
            continue
        label = c.text(o["label"], join_path(item_path, "label")) if "label" in o else ""
        score = c.number(o["score"], join_path(item_path, "score"), 0, 100) if "score" in o else None
        key = normalise_answer(label)
        if key and key in seen:
            c.error(join_path(item_path, "label"), f"'{label}' is already an answer ({seen[key]})")
        elif key:
            seen[key] = item_path
        if label and score is not None:
            options.append((label, score))
    not_scored: list[str] = []
    skip_path = join_path(path, "not_scored")
    for i, item in enumerate(c.sequence(f.get("not_scored"), skip_path)):
        label = c.text(item, join_path(skip_path, i))
        key = normalise_answer(label)
        if key and key in seen:
            c.error(join_path(skip_path, i), f"'{label}' is already an answer ({seen[key]})")
        elif key:
            seen[key] = join_path(skip_path, i)
            not_scored.append(label)
    if len(c.problems) == before and "options" in f:
        distinct = {score for _, score in options}
        if len(distinct) < MIN_DISTINCT_SCORES:
            c.error(
                options_path,
                f"a scale needs options with at least {MIN_DISTINCT_SCORES} different scores, "
                f"found {len(distinct)}, so that 'the top two answers' leaves some out",
            )
    return Scale(sid, tuple(options), frozenset(not_scored))


def _bands(c: Checker, raw: object, path: str) -> Bands:
    if raw is None:
        return Bands()
    f = c.mapping(raw, path, BANDS_KEYS)
    if f is None:
        return Bands()
    default = Bands()
    good = c.number(f["good"], join_path(path, "good"), 0, 100) if "good" in f else default.good
    moderate = (
        c.number(f["moderate"], join_path(path, "moderate"), 0, 100) if "moderate" in f else default.moderate
    )
    if good is None or moderate is None:
        return default
    if good <= moderate:
        key = "good" if "good" in f else "moderate"
        c.error(
            join_path(path, key),
            f"good ({number_text(good)}) must be more than moderate ({number_text(moderate)})",
        )
        return default
    return Bands(good, moderate)


def _section(
    c: Checker,
    raw: object,
    path: str,
    ids: _Ids,
    outcome_ids: Set[str],
    taken_ids: Set[str],
    questions_seen: dict[str, str],
) -> Section | None:
    f = c.mapping(raw, path, SECTION_KEYS, {"id", "title", "questions"})
    if f is None:
        return None
    sid = ids.register(c, f["id"], join_path(path, "id")) if "id" in f else ""
    title = c.text(f["title"], join_path(path, "title")) if "title" in f else ""
    questions: list[tuple[str, str]] = []
    q_path = join_path(path, "questions")
    raw_questions = f.get("questions")
    if "questions" in f and not isinstance(raw_questions, Mapping):
        c.error(
            q_path, f"expected a mapping of question id: question text, found {describe_value(raw_questions)}"
        )
    elif isinstance(raw_questions, Mapping):
        if not raw_questions:
            c.error(q_path, "a section needs at least one question")
        for key, text in raw_questions.items():
            item_path = join_path(q_path, str(key))
            if not isinstance(key, str):
                c.error(item_path, f"question id {describe_value(key)} must be text; put it in quotes")
                continue
            qid = c.slug(key, item_path)
            question = c.text(text, item_path)
            if not qid:
                continue
            if qid in questions_seen:
                c.error(
                    item_path,
                    f"question '{qid}' is already in {questions_seen[qid]}; "
                    "question ids must be unique within a survey",
                )
                continue
            questions_seen[qid] = f"section '{sid}'" if sid else path
            questions.append((qid, question))
    own = {qid for qid, _ in questions}
    reverse: set[str] = set()
    r_path = join_path(path, "reverse")
    for i, item in enumerate(c.sequence(f.get("reverse"), r_path)):
        item_path = join_path(r_path, i)
        qid = c.text(item, item_path)
        if not qid or not isinstance(raw_questions, Mapping):
            continue  # no questions to check against: their own problem is reported
        if qid in reverse:
            c.error(item_path, f"'{qid}' is listed twice")
        elif qid in own:
            reverse.add(qid)
        elif qid in questions_seen:
            c.error(item_path, f"'{qid}' is a question of {questions_seen[qid]}, not of this section")
        else:
            listed = ", ".join(sorted(own)) or "none"
            c.error(
                item_path,
                f"unknown question '{qid}'{did_you_mean(qid, own)}; reverse lists questions of this section "
                f"(its questions: {listed})",
            )
    links: list[str] = []
    l_path = join_path(path, "links")
    for i, item in enumerate(c.sequence(f.get("links"), l_path)):
        item_path = join_path(l_path, i)
        link = c.text(item, item_path)
        if not link:
            continue
        if link in links:
            c.error(item_path, f"'{link}' is listed twice")
        elif link in outcome_ids:
            links.append(link)
        elif link in taken_ids:
            c.error(item_path, f"'{link}' is not an outcome; a section links to outcomes")
        else:
            c.error(
                item_path,
                f"unknown outcome '{link}'{did_you_mean(link, outcome_ids)}: no outcome has this id",
            )
    return Section(sid, title, tuple(questions), frozenset(reverse), tuple(links))


def _columns(
    c: Checker,
    raw: object,
    path: str,
    kind: str,
    question_ids: Set[str],
    taken: Mapping[str, str] | None = None,
    reserved: Sequence[str] = (),
) -> tuple[str, ...]:
    """Column names of respondent groups (breakdowns, characteristics): none a question or reserved column."""
    found: list[str] = []
    seen: set[str] = set()
    questions = {q.casefold() for q in question_ids}
    others = {name.casefold(): what for name, what in (taken or {}).items()}
    for i, item in enumerate(c.sequence(raw, path)):
        item_path = join_path(path, i)
        name = c.text(item, item_path)
        key = name.casefold()
        if not name:
            continue
        if key in seen:
            c.error(item_path, f"'{name}' is listed twice")
        elif key == RESPONDENT_COLUMN:
            c.error(item_path, f"'{name}' is the reserved column of respondent ids, not a {kind}")
        elif key in reserved:
            c.error(
                item_path,
                f"'{name}' is a reserved column of a survey with organisations "
                f"({', '.join(ORG_COLUMNS)}), not a {kind}",
            )
        elif key in questions:
            c.error(item_path, f"'{name}' is a question id; a column cannot be both a question and a {kind}")
        elif key in others:
            c.error(item_path, f"'{name}' is already a {others[key]}; a column has one meaning")
        else:
            seen.add(key)
            found.append(name)
    return tuple(found)


def _flag(c: Checker, raw: object, path: str) -> bool:
    if isinstance(raw, bool):
        return raw
    c.error(path, f"expected true or false, found {describe_value(raw)}")
    return False


def _overall(c: Checker, raw: object, path: str, sections: Sequence[Section]) -> tuple[str, ...]:
    """The sections averaged into the overall figure; none listed (the key left out) means every section."""
    if raw is None:
        return ()
    own = [s.id for s in sections if s.id]
    found: list[str] = []
    items = c.sequence(raw, path)
    if isinstance(raw, list | tuple) and not items:
        c.error(path, "list at least one section, or leave the key out to average every section")
    for i, item in enumerate(items):
        item_path = join_path(path, i)
        sid = c.text(item, item_path)
        if not sid:
            continue
        if sid in found:
            c.error(item_path, f"'{sid}' is listed twice")
        elif sid not in own:
            listed = ", ".join(own) or "none"
            c.error(
                item_path,
                f"unknown section '{sid}'{did_you_mean(sid, own)} (this survey's sections: {listed})",
            )
        else:
            found.append(sid)
    return tuple(found)


def _survey(
    c: Checker, raw: object, path: str, ids: _Ids, outcome_ids: Set[str], taken_ids: Set[str]
) -> SurveyDefinition | None:
    f = c.mapping(raw, path, SURVEY_KEYS, {"id", "title", "sections"})
    if f is None:
        return None
    sid = ids.register(c, f["id"], join_path(path, "id")) if "id" in f else ""
    title = c.text(f["title"], join_path(path, "title")) if "title" in f else ""
    scale = _scale(c, f.get("scale"), join_path(path, "scale"))
    min_group_size = DEFAULT_MIN_GROUP_SIZE
    if "min_group_size" in f:
        value = f["min_group_size"]
        size_path = join_path(path, "min_group_size")
        if isinstance(value, bool) or not isinstance(value, int):
            c.error(size_path, f"expected a whole number, found {describe_value(value)}")
        elif value < 1:
            c.error(size_path, f"must be at least 1, found {value}")
        else:
            min_group_size = value
    bands = _bands(c, f.get("bands"), join_path(path, "bands"))
    sections: list[Section] = []
    questions_seen: dict[str, str] = {}
    s_path = join_path(path, "sections")
    section_items = c.sequence(f.get("sections"), s_path) if "sections" in f else []
    if "sections" in f and not section_items and (f["sections"] is None or isinstance(f["sections"], list)):
        c.error(s_path, "a survey needs at least one section")
    for i, item in enumerate(section_items):
        section = _section(c, item, join_path(s_path, i), ids, outcome_ids, taken_ids, questions_seen)
        if section is not None:
            sections.append(section)
    organisations = (
        _flag(c, f["organisations"], join_path(path, "organisations")) if "organisations" in f else False
    )
    breakdowns = _columns(
        c,
        f.get("breakdowns"),
        join_path(path, "breakdowns"),
        "breakdown",
        questions_seen.keys(),
        reserved=ORG_COLUMNS if organisations else (),  # a plain survey's breakdown may be called org
    )
    characteristics = _columns(
        c,
        f.get("characteristics"),
        join_path(path, "characteristics"),
        "characteristic",
        questions_seen.keys(),
        taken=dict.fromkeys(breakdowns, "breakdown"),
        reserved=ORG_COLUMNS,
    )
    overall = _overall(c, f.get("overall"), join_path(path, "overall"), sections)
    return SurveyDefinition(
        sid,
        title,
        scale,
        min_group_size,
        bands,
        breakdowns,
        tuple(sections),
        organisations=organisations,
        characteristics=characteristics,
        overall=overall,
    )


def parse_surveys(
    raw: object, outcome_ids: Set[str], taken_ids: Set[str]
) -> tuple[tuple[SurveyDefinition, ...], Problems]:
    """Survey definitions from the plain value of a framework's `surveys:` key (as yaml.safe_load gives).

    Problems are (path, message); a path names the raw structure's real keys and indexes, such as
    "surveys[0].sections[1].reverse[0]", so the loader can point at the line. `taken_ids` are the
    framework's other ids (survey and section ids share their namespace); `outcome_ids` are what
    section `links` may name. The definitions are only trustworthy when there are no problems.
    """
    c = Checker()
    ids = _Ids(taken_ids)
    surveys: list[SurveyDefinition] = []
    for i, item in enumerate(c.sequence(raw, "surveys")):
        survey = _survey(c, item, join_path("surveys", i), ids, outcome_ids, taken_ids)
        if survey is not None:
            surveys.append(survey)
    return tuple(surveys), c.problems
