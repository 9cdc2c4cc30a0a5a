from decimal import Decimal

from reviews.ballots.computation import (
    CODE_ALPHABET,
    code_display,
    code_new,
    code_normalize,
    group_score,
    share,
    weighted_ballot_score,
)

FACTORS = {"e": Decimal("1"), "g": Decimal("0.9"), "f": Decimal("0.7"), "p": Decimal("0.5")}


def test_code_has_at_least_64_bits_from_an_unambiguous_alphabet():
    import math

    code = code_new()
    assert len(code) * math.log2(len(CODE_ALPHABET)) >= 64
    assert not set("01IO") & set(CODE_ALPHABET)
    assert set(code) <= set(CODE_ALPHABET)
    assert len({code_new() for _ in range(2000)}) == 2000


def test_code_typed_with_dashes_spaces_or_lower_case_is_the_same_code():
    code = "ABCD2345EFGH6789"
    assert code_display(code) == "ABCD-2345-EFGH-6789"
    assert code_normalize(" abcd-2345 efgh-6789 ") == code
    assert code_normalize("ABCD2345EFGH678") == ""  # too short
    assert code_normalize("ABCD2345EFGH678O") == ""  # O is not in the alphabet


def test_group_score_hand_computed():
    # 5 好, 3 较好, 1 一般, 1 差: (5 + 2.7 + 0.7 + 0.5) / 10 × 100 = 89.00
    assert group_score({"e": 5, "g": 3, "f": 1, "p": 1}, FACTORS) == Decimal("89.00")
    # 2 好, 1 一般: (2 + 0.7) / 3 × 100 = 90.0 (rounded half up to 2 places)
    assert group_score({"e": 2, "g": 0, "f": 1, "p": 0}, FACTORS) == Decimal("90.00")
    # 1 较好, 2 一般: (0.9 + 1.4) / 3 × 100 = 76.666… → 76.67
    assert group_score({"e": 0, "g": 1, "f": 2, "p": 0}, FACTORS) == Decimal("76.67")
    assert group_score({"e": 0, "g": 0, "f": 0, "p": 0}, FACTORS) is None


def test_weighted_ballot_score_over_groups_with_votes():
    # 60 × 89 + 40 × 76.67 = 8406.8 / 100 = 84.068 → 84.07
    assert weighted_ballot_score({1: Decimal("89.00"), 2: Decimal("76.67")}, {1: 60, 2: 40}) == Decimal("84.07")
    # A group without votes does not pull the score down: the others' weights are renormalized.
    assert weighted_ballot_score({1: Decimal("89.00"), 2: None}, {1: 60, 2: 40}) == Decimal("89.00")
    # Relative weights: 1 : 3
    assert weighted_ballot_score({1: Decimal("80"), 2: Decimal("100")}, {1: 1, 2: 3}) == Decimal("95.00")
    assert weighted_ballot_score({1: None}, {1: 60}) is None
    # All weights 0: the groups count equally.
    assert weighted_ballot_score({1: Decimal("80"), 2: Decimal("90")}, {1: 0, 2: 0}) == Decimal("85.00")


def test_share():
    assert share(2, 3) == Decimal("66.67")
    assert share(0, 0) is None


def test_code_of_the_wrong_length_is_no_code():
    assert code_normalize("ABCD2345EFGH6789A") == ""  # one character too many
    assert code_normalize("ABCD-2345-EFGH-6789-2345") == ""
    assert code_normalize("") == "" and code_normalize(None) == ""


def test_unweighted_ballot_score_does_not_truncate():
    # all weights 0: (80 + 85.5) / 2 = 82.75; (70 + 71 + 71) / 3 = 70.666… → 70.67
    assert weighted_ballot_score({1: Decimal("80"), 2: Decimal("85.5")}, {1: 0, 2: 0}) == Decimal("82.75")
    assert weighted_ballot_score({1: Decimal(70), 2: Decimal(71), 3: Decimal(71)}, {1: 0, 2: 0, 3: 0}) == Decimal("70.67")


def test_weighted_ballot_score_does_not_truncate():
    # (2 × 88.5 + 1 × 71) / 3 = 248 / 3 = 82.666… → 82.67
    assert weighted_ballot_score({1: Decimal("88.5"), 2: Decimal(71)}, {1: 2, 2: 1}) == Decimal("82.67")
