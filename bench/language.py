"""Language identification on short posts of the shared sets: the shipped detector vs others.

    python bench/language.py [--data ../shared/data] [--rows 2000]

Every row of an English set counts as `en` and of a Portuguese set as `pt` (a few rows of each
are in another language, so no method reaches 100%). Prints accuracy per set and overall, and
posts/s, for: the shipped `classifiers.language.detect_language` (py3langid restricted to
en/pt/es), the stop-word counting it replaced (kept here for the comparison), and
lingua-language-detector restricted to en/pt/es when that package is installed; and py3langid
alone (without the shipped stop-word pre-check), to show what the pre-check saves.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from classifiers.dataset import read_table
from classifiers.language import detect_language

SETS = (
    ("en", "sentiment/tweeteval_val.csv"),
    ("en", "sentiment/airline_train.csv"),
    ("en", "sentiment/goemotions_dev.csv"),
    ("en", "routing/twcs_dev.csv"),
    ("pt", "pt/computer_br_dev.csv"),
    ("pt", "pt/tweetsentbr_fewshot.csv"),
    ("pt", "pt/reviews_b2w_train.csv"),
    ("pt", "pt/reclameaqui_banking_dev.csv"),
)


def _words(words: list[str]) -> frozenset[str]:
    return frozenset(words)


_STOP = {
    "en": _words(
        [
            "the",
            "and",
            "is",
            "are",
            "was",
            "were",
            "to",
            "of",
            "in",
            "it",
            "you",
            "my",
            "your",
            "i",
            "me",
            "we",
            "our",
            "this",
            "that",
            "for",
            "on",
            "with",
            "not",
            "have",
            "has",
            "had",
            "be",
            "been",
            "but",
            "they",
            "can",
            "cant",
            "can't",
            "don't",
            "dont",
            "do",
            "does",
            "did",
            "at",
            "from",
            "an",
            "why",
            "what",
            "how",
            "when",
            "just",
            "still",
            "no",
            "yes",
            "will",
            "would",
            "should",
            "please",
            "thanks",
            "thank",
            "help",
            "get",
            "got",
            "there",
            "their",
            "here",
            "all",
            "any",
            "because",
            "so",
            "if",
            "or",
            "than",
        ]
    ),
    "pt": _words(
        [
            "o",
            "a",
            "os",
            "as",
            "um",
            "uma",
            "de",
            "do",
            "da",
            "dos",
            "das",
            "em",
            "no",
            "na",
            "nos",
            "nas",
            "que",
            "não",
            "nao",
            "é",
            "e",
            "eu",
            "meu",
            "minha",
            "você",
            "voce",
            "vocês",
            "com",
            "para",
            "pra",
            "por",
            "mais",
            "mas",
            "já",
            "ja",
            "foi",
            "ser",
            "tem",
            "isso",
            "esse",
            "essa",
            "está",
            "esta",
            "estou",
            "ainda",
            "até",
            "ate",
            "quando",
            "porque",
            "pq",
            "muito",
            "obrigado",
            "obrigada",
            "ajuda",
            "vcs",
            "vc",
            "também",
            "tambem",
            "me",
            "seu",
            "sua",
            "ao",
            "aos",
            "pelo",
            "pela",
            "nunca",
            "agora",
            "hoje",
            "dia",
            "sem",
        ]
    ),
    "es": _words(
        [
            "el",
            "la",
            "los",
            "las",
            "un",
            "una",
            "de",
            "del",
            "en",
            "que",
            "no",
            "es",
            "y",
            "yo",
            "mi",
            "mis",
            "tu",
            "usted",
            "con",
            "para",
            "por",
            "más",
            "mas",
            "pero",
            "ya",
            "fue",
            "ser",
            "tiene",
            "eso",
            "ese",
            "esa",
            "está",
            "esta",
            "estoy",
            "todavía",
            "hasta",
            "cuando",
            "porque",
            "muy",
            "gracias",
            "ayuda",
            "ustedes",
            "también",
            "tambien",
            "me",
            "su",
            "al",
            "nunca",
            "ahora",
            "hoy",
            "día",
            "sin",
            "hay",
            "lo",
            "le",
            "como",
            "qué",
            "cómo",
        ]
    ),
}


def stopwords(text: str) -> str | None:
    """The detector before issue 10: stop-word counts, accents as a bonus, ties to English."""
    lowered = text.lower()
    words = re.findall(r"[a-zà-ÿ']+", lowered)
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOP.items()}
    scores["pt"] += 2 * bool(set("ãõç") & set(lowered))
    scores["es"] += 2 * bool(set("ñ¿¡") & set(lowered))
    best = max(scores, key=lambda lang: scores[lang])
    return best if scores[best] else None


def _py3langid_alone(text: str) -> str | None:
    from classifiers.language import _NOISE, _identifier

    return str(_identifier().classify(_NOISE.sub(" ", text))[0])


def methods() -> dict[str, Callable[[str], str | None]]:
    found: dict[str, Callable[[str], str | None]] = {
        "shipped (py3langid en/pt/es)": lambda t: detect_language(t),
        "stop-word counting (before)": stopwords,
        "py3langid alone (en/pt/es)": _py3langid_alone,
    }
    try:
        from lingua import Language, LanguageDetectorBuilder
    except ImportError:
        return found
    names = {Language.ENGLISH: "en", Language.PORTUGUESE: "pt", Language.SPANISH: "es"}
    detector = LanguageDetectorBuilder.from_languages(*names).build()
    found["lingua (en/pt/es)"] = lambda t: names.get(detector.detect_language_of(t))  # type: ignore[arg-type]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data"))
    parser.add_argument("--rows", type=int, default=2000, help="first rows of each set")
    args = parser.parse_args()
    tables = [(lang, rel, read_table(args.data / rel).texts[: args.rows]) for lang, rel in SETS]
    for name, method in methods().items():
        right = total = 0
        per_set = []
        start, cpu = time.perf_counter(), time.process_time()
        for lang, rel, texts in tables:
            hits = sum(method(t) == lang for t in texts)
            per_set.append(f"{Path(rel).stem} {hits / len(texts):.3f}")
            right += hits
            total += len(texts)
        rate = total / (time.perf_counter() - start)
        cpu_ms = (time.process_time() - cpu) / total * 1e3
        print(
            f"{name:<30} accuracy {right / total:.4f}  {rate:,.0f} posts/s",
            f" {cpu_ms:.3f} ms CPU/post",
        )
        print("    " + ", ".join(per_set))


if __name__ == "__main__":
    main()
