"""Approximation of the pipeline's run-time text normalisation (the TypeScript normaliser is the reference).

NFKC, lowercase, ё→е, zero-width / soft-hyphen characters removed, whitespace collapsed to single spaces.
The fine-tuning input produced by the lead's Node script is already normalised by the real pipeline and is
NOT passed through this function again.
"""
import re
import unicodedata

ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e]")
WS_RE = re.compile(r"\s+")


def normalize(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    t = t.lower().replace("ё", "е")
    t = ZERO_WIDTH_RE.sub("", t)
    t = WS_RE.sub(" ", t).strip()
    return t
