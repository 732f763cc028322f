"""What people type, checked against hand-made questions: yes/no synonyms, numbers with units
(and the wrong unit), choice letters, numbers and texts with typos, sets in any order, and
orders. Then the result a wrong answer carries."""

from __future__ import annotations

import random

import pytest

from studytool.scenarios.answer_check import (
    CheckResult,
    _Options,
    _read_sequence,
    _read_set,
    check_answer,
    edit_distance,
    expected_display,
    normalise,
    parse_quantity,
)
from studytool.scenarios.templates.base import Question


def question(
    kind: str, answer: object, choices: list[str] | None = None, unit: str | None = None
) -> Question:
    return Question(
        template="test/hand-made",
        topic="nat-gateway",
        title="hand-made",
        question="?",
        kind=kind,
        choices=choices,
        answer=answer,
        unit=unit,
        because=["nat-a is down: its availability zone a failed (rule nat-gateway-zonal)"],
        rules=["nat-gateway-zonal"],
        seed=0,
    )


# --------------------------------------------------------------------------- yes / no
@pytest.mark.parametrize(
    ("typed", "correct"),
    [
        ("yes", True), ("Y", True), ("true", True), ("  Yeah ", True), ("yep.", True),
        ("no", False), ("N", False), ("false", False), ("nope", False),
        ("No, the NAT gateway is down", False), ("YES!", True),
    ],
)  # fmt: skip
def test_yes_no_synonyms(typed: str, correct: bool) -> None:
    assert check_answer(question("yes-no", True), typed).correct is correct
    assert check_answer(question("yes-no", False), typed).correct is not correct


@pytest.mark.parametrize("typed", ["maybe", "", "42", "dunno"])
def test_yes_no_unreadable(typed: str) -> None:
    result = check_answer(question("yes-no", True), typed)
    assert (result.correct, result.close, result.normalised_given) == (False, False, None)
    assert "The answer is yes." in result.message


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("answer", "unit", "typed"),
    [
        (3600, "seconds", "3600"), (3600, "seconds", "1 hour"), (3600, "seconds", "60 min"),
        (3600, "seconds", "3600 s"), (3600, "seconds", "3,600 seconds"), (3600, "seconds", "1h"),
        (3600, "seconds", "an hour"), (5400, "seconds", "1 hour and 30 minutes"),
        (5400, "seconds", "1h 30min"), (300, "seconds", "5 minutes"),
        (2.5, "Gbps", "2.5 Gbps"), (2.5, "Gbps", "2500 Mbps"), (2.5, "Gbps", "2.5"),
        (2.5, "Gbps", "2,5 Gbps"), (2.5, "Gbps", "2.5Gbps"), (2.5, "Gbps", "2.5 Gbit/s"),
        (2.5, "Gbps", "2.5 gigabits per second"), (1.25, "Gbps", "1250 mbps"),
        (7.5, "Gbps", "7.50 Gb"), (0.5, "GB", "500 MB"), (0.5, "GB", "0.5 gb"),
        (3, "NAT gateways", "3"), (3, "NAT gateways", "three"),
        (3, "NAT gateways", "3 NAT gateways"),
        (1, "NAT gateways", "1 NAT gateway"), (1, "NAT gateways", "one gateway"),
        (2, "NAT gateways", "2 nat gws"), (1, "NAT gateways", "1 NAT GW"),
        (4, "calls", "4 calls"), (4, "calls", "4 in total"), (4, "calls", "4 requests"),
        (2, "connections", "2 connections"), (2, "connections", "2 VPN connections"),
        (0, "calls", "none"), (0.0, "Gbps", "nothing"),
        (0.0, "Gbps", "0"),
    ],
)  # fmt: skip
def test_numbers_with_units_are_converted(answer: float, unit: str, typed: str) -> None:
    result = check_answer(question("number", answer, unit=unit), typed)
    assert result.correct, result.message
    assert result.normalised_given == pytest.approx(answer)


@pytest.mark.parametrize(
    ("answer", "unit", "typed", "close"),
    [
        (5.0, "Gbps", "5 GB", True),  # a data size is not a bandwidth
        (5.0, "Gbps", "5 seconds", True),
        (3600, "seconds", "3600 Mbps", True),
        (0.5, "GB", "0.5 Gbps", True),
        (2.5, "Gbps", "2.5 Mbps", False),  # same kind, another value
        (2.5, "Gbps", "25", False),
        (3, "NAT gateways", "3 tunnels", True),  # another noun
        (3, "NAT gateways", "4", False),
        (3, "connections", "3 Gbps", True),
        (4, "calls", "four hundred", False),
        (4, "calls", "lots", False),
    ],
)  # fmt: skip
def test_wrong_numbers_and_wrong_units_are_rejected(
    answer: float, unit: str, typed: str, close: bool
) -> None:
    result = check_answer(question("number", answer, unit=unit), typed)
    assert not result.correct
    assert result.close is close


def test_a_unit_slip_says_what_kind_of_unit_was_typed() -> None:
    result = check_answer(question("number", 5.0, unit="Gbps"), "5 GB")
    assert "5 GB is a data size, but the answer is a bandwidth in Gbps" in result.message
    assert result.expected_display == "5 Gbps"


@pytest.mark.parametrize(
    ("text", "value", "kind"),
    [
        ("1 hour", 3600, "time"), ("2 days", 172800, "time"), ("1.5 Tbps", 1500, "bandwidth"),
        ("5 Gb", 5, "bandwidth"), ("5 GB", 5, "data"), ("512 MiB", 0.536870912, "data"),
        ("twelve", 12, None), ("3 NAT gateways", 3, "count"),
    ],
)  # fmt: skip
def test_parse_quantity(text: str, value: float, kind: str | None) -> None:
    quantity = parse_quantity(text)
    assert quantity is not None
    assert (quantity.value, quantity.kind) == (pytest.approx(value), kind)


@pytest.mark.parametrize("text", ["", "Gbps", "fast", "1 hour 5 GB"])
def test_parse_quantity_rejects_non_numbers_and_mixed_kinds(text: str) -> None:
    assert parse_quantity(text) is None


# --------------------------------------------------------------------------- one choice
SUBNETS = ["alpha", "bravo", "charlie", "delta"]


@pytest.mark.parametrize(
    ("typed", "correct", "close"),
    [
        ("c", True, False), ("C", True, False), ("c)", True, False), ("(c)", True, False),
        ("3", True, False), ("charlie", True, False), ("  CHARLIE. ", True, False),
        ("charlei", True, True), ("chralie", True, True),  # typos
        ("a", False, False), ("1", False, False), ("bravo", False, False),
        ("e", False, False), ("5", False, False), ("zulu", False, False),
    ],
)  # fmt: skip
def test_one_choice_by_letter_number_or_text(typed: str, correct: bool, close: bool) -> None:
    result = check_answer(question("choice", "charlie", SUBNETS), typed)
    assert (result.correct, result.close) == (correct, close)


def test_a_typo_that_could_be_two_options_is_not_guessed() -> None:
    names = ["web-a", "web-b", "app-a1"]
    assert check_answer(question("choice", "web-a", names), "web-c").correct is False
    assert check_answer(question("choice", "web-a", names), "wbe-a").correct is True
    assert check_answer(question("choice", "app-a1", names), "app-a2").correct is False  # digits


def test_choices_that_are_quantities_match_by_value() -> None:
    sizes = ["0.5 GB", "1.6 GB", "6.1 GB"]
    assert check_answer(question("choice", "0.5 GB", sizes), "500 MB").correct
    assert not check_answer(question("choice", "6.1 GB", sizes), "1.6 GB").correct
    assert not check_answer(question("choice", "6.1 GB", sizes), "6.1 Gbps").correct
    ttls = ["3600 seconds", "4000 seconds", "-1 seconds"]
    assert check_answer(question("choice", "3600 seconds", ttls), "1 hour").correct


# --------------------------------------------------------------------------- several choices
INSTANCES = ["app-a1", "app-b1", "app-b2", "web-c"]


@pytest.mark.parametrize(
    "typed",
    [
        "a, c", "c a", "A and C", "ac", "a;c", "1, 3", "3 1", "c, a", "app-a1, app-b2",
        "app-b2 and a", "APP-A1\napp-b2", "a & c", "a+c", "(a) (c)",
    ],
)  # fmt: skip
def test_sets_in_any_order(typed: str) -> None:
    result = check_answer(question("multi", ["app-a1", "app-b2"], INSTANCES), typed)
    assert result.correct, (typed, result.message)
    assert result.normalised_given == ["a", "c"]


@pytest.mark.parametrize(
    ("typed", "close"),
    [("a", True), ("a, b, c", True), ("b, d", False), ("none", False), ("a, c, d", True)],
)
def test_wrong_sets(typed: str, close: bool) -> None:
    result = check_answer(question("multi", ["app-a1", "app-b2"], INSTANCES), typed)
    assert (result.correct, result.close) == (False, close)


@pytest.mark.parametrize("typed", ["none", "None.", "nothing", "-", "no one"])
def test_an_empty_set_is_typed_as_none(typed: str) -> None:
    assert check_answer(question("multi", [], INSTANCES), typed).correct
    assert not check_answer(question("multi", ["web-c"], INSTANCES), typed).correct


def test_a_set_with_an_unreadable_item_is_wrong_and_says_so() -> None:
    result = check_answer(question("multi", ["app-a1"], INSTANCES), "a, potato")
    assert not result.correct and result.normalised_given is None
    assert "could not read" in result.message


@pytest.mark.parametrize("kind", ["choice", "multi", "order"])
@pytest.mark.parametrize("typed", ["½", "a ½", "½f", "f.½f.1_000 0"])
def test_number_signs_that_are_neither_letters_nor_digits_are_unreadable(
    kind: str, typed: str
) -> None:
    answer: object = ["alpha", "bravo"] if kind == "order" else ["alpha"]
    asked = question(kind, "alpha" if kind == "choice" else answer, ["alpha", "bravo"])
    result = check_answer(asked, typed)
    assert (result.correct, result.normalised_given) == (False, None)


@pytest.mark.parametrize("typed", ["c) charlie", "(c) charlie", "C) Charlie", "c. charlie"])
def test_the_answer_typed_as_it_is_shown_is_right(typed: str) -> None:
    result = check_answer(question("choice", "charlie", SUBNETS), typed)
    assert (result.correct, result.normalised_given) == (True, "c"), result.message


def test_a_label_and_the_text_of_another_option_are_not_read() -> None:
    result = check_answer(question("choice", "charlie", SUBNETS), "b) charlie")
    assert (result.correct, result.normalised_given) == (False, None)


@pytest.mark.parametrize("typed", ["1.5 Gbps", "2.5 Gbps"])
def test_a_decimal_number_is_not_read_as_a_label_and_an_option(typed: str) -> None:
    """'1.5 Gbps' is not 'label 1, then 5 Gbps': with a) 5 Gbps right, it is wrong."""
    asked = question("choice", "5 Gbps", ["5 Gbps", "10 Gbps"])
    assert not check_answer(asked, typed).correct
    asked_b = question("choice", "5 Gbps", ["10 Gbps", "5 Gbps"])
    assert not check_answer(asked_b, typed).correct


def test_a_set_typed_as_it_is_shown_is_right() -> None:
    result = check_answer(question("multi", ["alpha", "delta"], SUBNETS), "a) alpha; d) delta")
    assert result.correct, result.message


TTLS = ["90 minutes", "3600 seconds", "3601 seconds", "1 second"]


@pytest.mark.parametrize("typed", ["3600 seconds; 1 second", "3600 seconds, 1 second", "1 s; 1 h"])
def test_quantities_in_a_list_are_options_not_one_sum(typed: str) -> None:
    """ "3600 seconds; 1 second" names two options; read whole it would be 3601 seconds."""
    result = check_answer(question("multi", ["3600 seconds", "1 second"], TTLS), typed)
    assert (result.correct, result.normalised_given) == (True, ["b", "d"]), result.message


def test_a_number_with_a_thousands_comma_is_one_quantity() -> None:
    choices = ["1.25 Gbps", "2.5 Gbps", "5 Gbps"]
    result = check_answer(question("multi", ["2.5 Gbps"], choices), "2,500 Mbps")
    assert (result.correct, result.normalised_given) == (True, ["b"]), result.message


def test_option_texts_with_and_or_commas_are_read_whole() -> None:
    options = ["switch to BGP and turn on ECMP", "the inbound rules, which deny", "enable BGP"]
    picked = ["switch to BGP and turn on ECMP", "the inbound rules, which deny"]
    assert check_answer(question("multi", picked, options), "a, b").correct
    assert check_answer(question("multi", picked[:1], options), picked[0]).correct
    assert check_answer(question("multi", picked[1:], options), picked[1]).correct


# --------------------------------------------------------------------------- orders
STEPS = ["Attach the gateway", "Route the public subnet", "Create the NAT gateway", "Route"]
ORDER = [STEPS[0], STEPS[1], STEPS[2], STEPS[3]]


@pytest.mark.parametrize(
    "typed",
    ["a b c d", "abcd", "A, B, C, D", "1,2,3,4", "1 2 3 4", "a > b > c > d",
     "Attach the gateway -> route the public subnet -> create the NAT gateway -> route"],
)  # fmt: skip
def test_orders_as_letters_numbers_or_texts(typed: str) -> None:
    result = check_answer(question("order", ORDER, STEPS), typed)
    assert result.correct, (typed, result.message)
    assert result.normalised_given == ["a", "b", "c", "d"]


@pytest.mark.parametrize(
    ("typed", "close"),
    [
        ("b a c d", True),
        ("a b d c", True),
        ("d c b a", False),
        ("a b c", False),
        ("a a b c", False),
    ],
)
def test_wrong_orders(typed: str, close: bool) -> None:
    result = check_answer(question("order", ORDER, STEPS), typed)
    assert (result.correct, result.close) == (False, close)


def test_another_order_the_model_accepts_is_right() -> None:
    from studytool.scenarios.generator import generate

    generated = generate("nat-gateway/setup-order", 3)
    choices = generated.choices or []
    model_order = [choices.index(text) for text in generated.answer]
    eip = next(i for i, text in enumerate(choices) if text.startswith("Allocate"))
    moved = [eip] + [i for i in model_order if i != eip]  # the Elastic IP first: still valid
    typed = " ".join("abcde"[i] for i in moved)
    result = check_answer(generated, typed)
    assert result.correct and "another order that works" in result.message


def test_a_wrong_order_says_which_step_came_too_early() -> None:
    from studytool.scenarios.generator import generate

    generated = generate("nat-gateway/setup-order", 3)
    choices = generated.choices or []
    model_order = [choices.index(text) for text in generated.answer]
    last = model_order[-1]  # routing the private subnets: needs the NAT gateway first
    typed = " ".join("abcde"[i] for i in [last, *model_order[:-1]])
    result = check_answer(generated, typed)
    assert not result.correct
    assert result.message.startswith(
        "In your order, routing the private subnets to the NAT gateway needs creating the NAT "
        "gateway first (rule igw-route-target). The answer is "
    )
    steps = model_order[:]
    steps[-2], steps[-1] = steps[-1], steps[-2]
    swapped = check_answer(generated, " ".join("abcde"[i] for i in steps))
    assert swapped.close and swapped.message.startswith("Two neighbouring steps are swapped: ")


# --------------------------------------------------------------------------- results
def test_a_wrong_answer_carries_the_right_one_and_the_reasons() -> None:
    result = check_answer(question("multi", ["app-b1"], INSTANCES), "a")
    assert result.expected_display == "b) app-b1"
    assert result.message.splitlines()[0] == "Missing b; not a. The answer is b) app-b1."
    assert (
        "- nat-a is down: its availability zone a failed (rule nat-gateway-zonal)" in result.message
    )
    assert result.because == (
        "nat-a is down: its availability zone a failed (rule nat-gateway-zonal)",
    )
    assert result.rules == ("nat-gateway-zonal",)


def test_a_right_answer_says_so_briefly() -> None:
    assert check_answer(question("yes-no", False), "no").message == "Right."
    typo = check_answer(question("choice", "charlie", SUBNETS), "charlei")
    assert typo.message == "Right (read as c) charlie)."


@pytest.mark.parametrize(
    ("kind", "answer", "choices", "unit", "shown"),
    [
        ("yes-no", True, None, None, "yes"),
        ("number", 7.5, None, "Gbps", "7.5 Gbps"),
        ("number", 3, None, "NAT gateways", "3 NAT gateways"),
        ("number", 1, None, "NAT gateways", "1 NAT gateway"),
        ("number", 1, None, "calls", "1 call"),
        ("number", 1, None, "connections", "1 connection"),
        ("number", 0, None, "calls", "0 calls"),
        ("number", 1, None, "Gbps", "1 Gbps"),
        ("choice", "bravo", SUBNETS, None, "b) bravo"),
        ("multi", ["alpha", "delta"], SUBNETS, None, "a) alpha; d) delta"),
        ("multi", [], SUBNETS, None, "none"),
        ("order", ["b2", "a1"], ["a1", "b2"], None, "b a (b2 → a1)"),
    ],
)  # fmt: skip
def test_expected_display(
    kind: str, answer: object, choices: list[str] | None, unit: str | None, shown: str
) -> None:
    assert expected_display(question(kind, answer, choices, unit)) == shown


def test_normalise_and_edit_distance() -> None:
    assert normalise("Internet-Gateway.  igw-1") == "internet gateway igw 1"
    assert normalise("10.0.0.0/16, 0.5 GB") == "10.0.0.0/16 0.5 gb"
    assert edit_distance("public", "pubilc", 2) == 1  # a swap of neighbours
    assert edit_distance("public", "private", 1) == 2  # beyond the limit: limit + 1
    assert edit_distance("kitten", "sitting", 5) == 3


@pytest.mark.parametrize(
    ("kind", "answer", "choices", "unit", "typed"),
    [
        ("yes-no", False, None, None, "yes"),
        ("number", 2.5, None, "Gbps", "3"),
        ("choice", "bravo", SUBNETS, None, "zulu"),
        ("multi", ["alpha", "delta"], SUBNETS, None, "a, b"),
        ("multi", ["alpha"], SUBNETS, None, "potato"),
        ("order", ["b2", "a1"], ["a1", "b2"], None, "a b"),
        ("order", ["b2", "a1"], ["a1", "b2"], None, "a c"),
    ],
)  # fmt: skip
def test_a_result_shows_the_answer_as_expected_display_does(
    kind: str, answer: object, choices: list[str] | None, unit: str | None, typed: str
) -> None:
    asked = question(kind, answer, choices, unit)
    result = check_answer(asked, typed)
    assert type(result) is CheckResult and not result.correct
    assert result.expected_display == expected_display(asked)
    assert f"The answer is {expected_display(asked)}." in result.message


# --------------------------------------------------------------------------- usual forms
#: option texts that read like labels, to catch a fast path that skips the texts
LABEL_LIKE = ["a c", "b", "A", "c b", "alpha", "1 hour", "b, d", "d", "bravo", "2"]


def test_an_option_whose_text_is_a_letter_wins_over_that_letter() -> None:
    result = check_answer(question("choice", "b", ["b", "alpha", "charlie"]), "b")
    assert (result.correct, result.normalised_given) == (True, "a")
    other = check_answer(question("choice", "alpha", ["b", "alpha", "charlie"]), "b")
    assert (other.correct, other.normalised_given) == (False, "a")


@pytest.mark.parametrize("typed", ["a, c", "a c"])
def test_an_option_whose_text_reads_as_letters_wins_over_those_letters(typed: str) -> None:
    choices = ["a c", "bravo", "charlie"]
    result = check_answer(question("multi", ["a c"], choices), typed)
    assert (result.correct, result.normalised_given) == (True, ["a"])
    assert not check_answer(question("multi", ["a c", "charlie"], choices), typed).correct


@pytest.mark.parametrize(
    ("kind", "typed", "note"),
    [
        ("choice", "e", "“e” matches none of the options"),
        ("multi", "e", "could not read “e” as options"),
        ("multi", "a, e", "could not read “a, e” as options"),
        ("order", "a b e", "could not read “a b e” as an order of the options"),
    ],
)  # fmt: skip
def test_letters_past_the_last_option_are_not_read(kind: str, typed: str, note: str) -> None:
    answer: object = ["alpha", "bravo", "charlie"] if kind == "order" else ["alpha"]
    asked = question(kind, "alpha" if kind == "choice" else answer, ["alpha", "bravo", "charlie"])
    result = check_answer(asked, typed)
    assert (result.correct, result.normalised_given) == (False, None)
    assert result.message.startswith(note + ". The answer is ")


def test_the_usual_letter_forms_read_as_the_general_reader_reads_them() -> None:
    draw = random.Random(3)
    for _ in range(400):
        options = _Options(tuple(draw.sample(LABEL_LIKE, draw.randint(2, 7))))
        letters = draw.sample("abcdefgh", draw.randint(1, 4))
        typed = draw.choice([", ", " "]).join(letters)
        # one letter: resolve's shortcut against exact() and the typo reading
        exact = options.exact(letters[0])
        general = (exact, False) if exact is not None else options._by_typo(letters[0])
        assert options.resolve(letters[0]) == general
        # a set: the shortcut against the general _read_set, when it reads the letters at all
        named = options.letter_indexes(typed.replace(",", ""))
        if named is not None:
            assert _read_set(options, typed) == (named, False)
        # an order: the shortcut against reading each letter as a label
        labels = [options.label_index(letter) for letter in letters]
        in_order = _read_sequence(options, " ".join(letters))
        if all(index is not None for index in labels):
            assert in_order == (labels, False)
        else:
            assert in_order is None or in_order[0] != labels
