"""The body-extraction metric of the development corpus (``aeb-dev``).

Written from the definition in the corpus README rather than imported from the
benchmark's own scripts: the definition is a few lines, and owning it lets the
unit tests pin every edge case (empty sides, texts shorter than a shingle).

* Tokens are the Unicode ``\\w+`` runs of a text, case kept.
* A text becomes a multiset of 4-token shingles; a text of 1-3 tokens is one
  shingle, an empty text has none.
* Per page, TP is the multiset intersection, FP the extra predicted shingles,
  FN the missing true ones.
* Precision is averaged over pages whose prediction is non-empty, recall over
  pages whose truth is non-empty (macro averages); F1 comes from the averages.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 4
_TOKEN_RE = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    """The ``\\w+`` runs of ``text`` (Unicode-aware, case kept)."""
    return _TOKEN_RE.findall(text or "")


def shingles(text: str, size: int = SHINGLE) -> Counter[tuple[str, ...]]:
    """Multiset of ``size``-token shingles; a short non-empty text is one shingle."""
    toks = tokens(text)
    if not toks:
        return Counter()
    if len(toks) < size:
        return Counter([tuple(toks)])
    return Counter(tuple(toks[i : i + size]) for i in range(len(toks) - size + 1))


@dataclass(frozen=True)
class PageScore:
    """Shingle counts for one page; precision/recall are None when undefined."""

    tp: int
    fp: int
    fn: int

    @property
    def has_prediction(self) -> bool:
        return self.tp + self.fp > 0

    @property
    def has_truth(self) -> bool:
        return self.tp + self.fn > 0

    @property
    def precision(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fp) if self.tp else 0.0

    @property
    def recall(self) -> float:
        if self.fp == 0 and self.fn == 0:
            return 1.0
        return self.tp / (self.tp + self.fn) if self.tp else 0.0


def score_page(predicted: str, truth: str) -> PageScore:
    """Compare one extracted body with its ground truth."""
    pred = shingles(predicted)
    true = shingles(truth)
    tp = sum((pred & true).values())
    return PageScore(tp=tp, fp=sum(pred.values()) - tp, fn=sum(true.values()) - tp)


@dataclass(frozen=True)
class BodyScore:
    precision: float
    recall: float
    f1: float
    pages: int


def aggregate(scores: Iterable[PageScore]) -> BodyScore:
    """Macro-average precision and recall over the pages where each is defined."""
    scores = list(scores)
    precisions = [s.precision for s in scores if s.has_prediction]
    recalls = [s.recall for s in scores if s.has_truth]
    p = sum(precisions) / len(precisions) if precisions else 0.0
    r = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return BodyScore(precision=p, recall=r, f1=f1, pages=len(scores))


def body_score(pairs: Iterable[tuple[str, str]]) -> BodyScore:
    """Score ``(predicted, truth)`` pairs with the corpus metric."""
    return aggregate(score_page(pred, true) for pred, true in pairs)
