"""Similarity between students' notebooks, for the instructor only (``similarity.html``).

What is compared is what students wrote, not what they were given:

- the code cells, as Python, with names, string contents, comments and layout normalised by
  ``copydetect``'s tokenizer (every variable becomes ``V``, every function name ``F``);
- winnowed fingerprints of that (``copydetect``, Schleimer et al.'s winnowing), minus the
  fingerprints of the starter notebook of ``assignments/`` and of the solution, and minus
  those many students share (code that a fifth of the class writes the same way is how the
  task is solved, not evidence of copying);
- behaviour: the same unrecognised wrong answer (the same values on the hidden inputs, see
  ``items.signature``) shared by few students is strong evidence, since a catalogued mistake
  or a right answer is what independent students arrive at.

A pair is flagged when a large share of what both wrote is the same code, or a fair share is
and they also give the same uncommon wrong answers.  A short right answer written the same way
by two students never is: it is either masked (the solution, or common) or too short.
"""

from __future__ import annotations

import copy
import io
import itertools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy

from autograder.reports.items import signature
from autograder.reports.page import Markup, fragment, render
from autograder.reports.sources import Code
from autograder.results import SubmissionResult

if TYPE_CHECKING:
    from copydetect import CodeFingerprint

SIMILARITY_HTML = "similarity.html"
NOISE = 25  # k-grams of this many normalised characters (copydetect's default noise threshold)
GUARANTEE = 30  # any match this long is found (copydetect's default guarantee threshold)
WINDOW = GUARANTEE - NOISE + 1  # winnowing window
COMMON_SHARE = 0.2  # fingerprints in at least this share of the class (and in 4 or more) are masked
COMMON_MIN = 4
# Flagged on code alone: this share of each one's own code, and this many normalised characters, shared.
CODE_ALONE, SHARED_ALONE = 0.4, 100
# Flagged with shared uncommon wrong answers: this share and this many characters (also the least listed).
WITH_BEHAVIOUR, SHARED_WITH_BEHAVIOUR = 0.25, 50
UNCOMMON = 3  # a wrong answer given by at most this many students is uncommon
PAIRS_LISTED = 10  # pairs listed: the closest not flagged on the page, the flagged ones in the report


@dataclass
class Pair:
    """Two submissions and the evidence that one copied from the other."""

    first: str
    second: str
    code: float  # the smaller of the two shares of own code that is shared
    shared: int  # normalised characters shared
    behaviour: list[str] = field(default_factory=list)  # uncommon wrong answers both give
    flagged: bool = False
    sides: tuple[Markup, Markup] = (Markup(), Markup())  # each one's code, the shared parts highlighted

    @property
    def strength(self) -> float:
        return self.code + 0.3 * bool(self.behaviour)


def fingerprint(text: str, boilerplate: numpy.ndarray, window: int = WINDOW) -> CodeFingerprint:
    """copydetect's fingerprint of Python ``text``, without the ``boilerplate`` hashes."""
    from copydetect import CodeFingerprint  # imports matplotlib: only where the similarity is computed

    return CodeFingerprint("notebook.py", NOISE, window, boilerplate=boilerplate, fp=io.StringIO(text))


def without(found: CodeFingerprint, boilerplate: numpy.ndarray) -> CodeFingerprint:
    """``found`` with the ``boilerplate`` hashes removed too, from its tokens (tokenizing is the slow part)."""
    from copydetect.utils import get_document_fingerprints, get_token_coverage

    pruned = copy.copy(found)
    pruned.hashes, pruned.hash_idx = get_document_fingerprints(found.filtered_code, NOISE, WINDOW, boilerplate)
    pruned.token_coverage = get_token_coverage(pruned.hash_idx, NOISE, len(found.filtered_code))
    return pruned


def given_hashes(given: list[str]) -> numpy.ndarray:
    """Every k-gram hash of the given code (window 1, as copydetect does for boilerplate)."""
    if not given:
        return numpy.array([], dtype=numpy.int64)
    return numpy.array(sorted(fingerprint("\n".join(given), numpy.array([]), window=1).hashes))


def uncommon_answers(results: list[SubmissionResult]) -> dict[str, set[str]]:
    """Per submission, the unrecognised wrong answers (question and what the hidden tests saw) that
    at most ``UNCOMMON`` students give."""
    answers = {r.submission: {f"{q.name}: {' / '.join(s)}" for q in r.questions if (s := signature(q))}
               for r in results if r.status == "graded"}
    counts = Counter(answer for found in answers.values() for answer in found)
    return {key: {a for a in found if counts[a] <= UNCOMMON} for key, found in answers.items()}


def compare_class(code: Code, given: list[str], results: list[SubmissionResult]) -> list[Pair]:
    """Every pair that shares enough code to be worth a look, strongest first (flagged ones marked)."""
    return judge_pairs(code_pairs(code, given), results)


def code_pairs(code: Code, given: list[str]) -> list[Pair]:
    """Every pair that shares at least ``SHARED_WITH_BEHAVIOUR`` normalised characters of what they
    wrote, with both sides highlighted; no verdict yet (``judge_pairs``).  Needs no grading result."""
    from copydetect import compare_files

    texts = {key: "\n\n".join(cells) for key, cells in code.items() if any(c.strip() for c in cells)}
    masked = given_hashes(given)
    first_pass = {key: fingerprint(text, masked) for key, text in texts.items()}
    frequency = Counter(h for fp in first_pass.values() for h in fp.hashes)
    common = {h for h, n in frequency.items() if n >= max(COMMON_MIN, math.ceil(COMMON_SHARE * len(texts)))}
    boilerplate = numpy.array(sorted(set(masked.tolist()) | common))
    prints = {key: without(found, boilerplate) for key, found in first_pass.items()}
    pairs = []
    for a, b in itertools.combinations(sorted(prints), 2):
        if not prints[a].hashes & prints[b].hashes:
            continue
        overlap, (share_a, share_b), slices = compare_files(prints[a], prints[b])
        if int(overlap) >= SHARED_WITH_BEHAVIOUR:
            pair = Pair(a, b, float(min(share_a, share_b)), int(overlap))
            pair.sides = (highlighted(prints[a].raw_code, slices[0]), highlighted(prints[b].raw_code, slices[1]))
            pairs.append(pair)
    return pairs


def judge_pairs(pairs: list[Pair], results: list[SubmissionResult]) -> list[Pair]:
    """``pairs`` with the uncommon wrong answers both give, flagged where the evidence is enough, strongest first."""
    behaviour = uncommon_answers(results)
    for pair in pairs:
        pair.behaviour = sorted(behaviour.get(pair.first, set()) & behaviour.get(pair.second, set()))
        pair.flagged = ((pair.code >= CODE_ALONE and pair.shared >= SHARED_ALONE)
                        or (pair.code >= WITH_BEHAVIOUR and bool(pair.behaviour)))
    return sorted(pairs, key=lambda p: (-p.flagged, -p.strength, p.first, p.second))


def highlighted(code: str, slices: numpy.ndarray) -> Markup:
    """``code`` as HTML-escaped text with the shared parts in ``<mark>``, far-away lines elided."""
    if not slices.size:  # copydetect would return the code as it is, unescaped
        return Markup.escape(code)
    from copydetect.utils import highlight_overlap

    text, _ = highlight_overlap(code, slices, "<mark>", "</mark>", truncate=6, escape_html=True)
    return Markup(text)


def render_similarity(pairs: list[Pair], assignment: str, students: dict[str, str]) -> str:
    """The instructor's page (``templates/similarity.html``): flagged pairs, strongest first, with the
    shared code side by side; ``students`` names the submissions."""
    return render("similarity.html", title=f"{assignment}: similarity", assignment=assignment,
                  flagged=[p for p in pairs if p.flagged], others=[p for p in pairs if not p.flagged][:PAIRS_LISTED],
                  students=students)


def similarity_section(pairs: list[Pair]) -> Markup:
    """The report's short section naming the flagged pairs (``templates/section_similarity.html``)."""
    return fragment("section_similarity.html", flagged=[p for p in pairs if p.flagged], listed=PAIRS_LISTED,
                    page=SIMILARITY_HTML)
