"""The arithmetic of the democratic evaluation (民主测评): pure functions, Decimal throughout.

- Group score: Σ factor × votes ÷ votes × 100 over the group's votes for one organization
  (electronic and paper alike), rounded half up to 2 places.
- Ballot score: the group scores combined by the groups' weights, Σ weight × score ÷ Σ weight,
  over the groups that cast votes for the organization (a group without votes has no score
  and must not pull the others down); computed from the rounded group scores that are shown.
- Shares: the percentage of the best mark, and of the two best marks, among all votes.
"""

import secrets
from decimal import Decimal
from fractions import Fraction

from reviews.computation import HUNDRED, round2

# 32 characters without 0/O, 1/I: 16 of them carry 80 bits.
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
CODE_LENGTH = 16
CODE_GROUP = 4


def code_new():
    """A fresh random voting code (16 characters from CODE_ALPHABET, 80 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def code_normalize(text):
    """A typed code as stored: upper case, without spaces and dashes. "" if it cannot be a code."""
    code = "".join(ch for ch in (text or "").upper() if ch not in " -\t")
    if len(code) != CODE_LENGTH or any(ch not in CODE_ALPHABET for ch in code):
        return ""
    return code


def code_display(code):
    """ABCD-EFGH-JKLM-NPQR: the human-typable form of a code."""
    return "-".join(code[i : i + CODE_GROUP] for i in range(0, len(code), CODE_GROUP))


def group_score(counts, factors):
    """Σ factor × votes ÷ votes × 100 of one group. `counts` and `factors` map mark keys; marks
    of `counts` missing from `factors` (不了解/弃权) count neither as votes nor in the sum.
    None without scored votes."""
    votes = sum(count for mark, count in counts.items() if mark in factors)
    if not votes:
        return None
    weighted = sum((Decimal(factors[mark]) * count for mark, count in counts.items() if mark in factors), Decimal(0))
    return round2(weighted / votes * HUNDRED)


def weighted_ballot_score(scores, weights):
    """Combine group scores ({group: Decimal | None}) by `weights` ({group: Decimal}).

    Groups without a score are left out; None when no group with a weight has a score.
    When every weight is 0, the groups count equally."""
    scored = {group: score for group, score in scores.items() if score is not None}
    if not scored:
        return None
    total_weight = sum((Decimal(weights[group]) for group in scored), Decimal(0))
    if not total_weight:
        return round2(sum(scored.values(), Decimal(0)) / len(scored))
    return round2(sum((score * Decimal(weights[group]) for group, score in scored.items()), Decimal(0)) / total_weight)


def share(count, total):
    """count ÷ total as a percentage rounded to 2 places; None when total is 0."""
    if not total:
        return None
    return round2(Decimal(count) * HUNDRED / total)


def quorum_met(voted, expected):
    """The vote stands only if MORE than half of those expected took part: exactly half is not enough."""
    return voted * 2 > expected


def best_limit_count(limit, entries):
    """The most best marks one ballot may give: `limit` "1/3" of `entries` organizations, rounded
    down (8 organizations, one third: 2); None without a limit."""
    if not limit:
        return None
    return int(Fraction(limit) * entries)
