"""Praise, and when it is not what it says: clear praise, praise with a condition, and sarcasm.

`classifiers.keywords.keyword_hits` reports `praise` only when the post has no negation,
contrast, question or complaint word (`PRAISE_CANCELLED_BY`), so it marks *clear* praise; a few
emoji count as praise words. It reports `sarcasm` instead when praise words meet an ordeal
nobody thanks a brand for (`ORDEAL`: a delay, hours on hold, a cancelled flight, a connection
that keeps dropping) or an eye-roll emoji, unless the post says the ordeal was put right
(`PUT_RIGHT`): "thanks for the 12 hour delay, really appreciate it" and "valeu pela internet
caindo todo dia, show de bola 👏" are complaints, "thanks for sorting the delay so fast" is
praise. Words that are ordinary in a sincere thank-you ("again" in "thanks again", "mais uma
vez", "otra vez") are left out of the ordeals on purpose.
"""

from __future__ import annotations

import re

from classifiers.terms import TermSet

# fmt: off
PRAISE = (
    # en
    "thank you", "thanks", "thx", "ty so much", "love it", "love this", "loved it", "love you",
    "great job", "great service", "great support", "amazing", "awesome", "excellent",
    "perfect", "wonderful", "fantastic", "congrats", "congratulations", "well done", "kudos",
    "highly recommend", "i recommend", "best service", "five stars", "5 stars", "super fast",
    "so fast", "arrived early", "appreciate it", "much appreciated", "love how", "love that",
    "love waiting", "love being",
    # pt
    "obrigad*", "obg", "valeu", "parabens", "excelente", "otimo", "otima", "otimos", "otimas",
    "perfeito", "perfeita", "maravilhos*", "adorei", "amei", "recomendo", "nota 10", "nota mil",
    "incrivel", "sensacional", "muito bom", "muito boa", "show de bola", "top demais",
    "antes do prazo", "chegou rapido", "muito rapido", "muito rapida", "super rapido",
    "bem embalado", "satisfeito", "satisfeita", "amando",
    # es
    "gracias", "excelente", "perfecto", "perfecta", "genial", "maravilloso", "maravillosa",
    "recomiendo", "felicidades", "felicitaciones", "increible", "muy bueno", "muy buena",
    "llego rapido", "antes de tiempo",
)

#: Words that make praise conditional: "thanks, but my order never came" is not clear praise.
PRAISE_CANCELLED_BY = (
    # en
    "not", "never", "no", "but", "however", "still", "don't", "didn't", "doesn't", "won't",
    "can't", "cannot", "wasn't", "isn't", "haven't", "hasn't", "worst", "terrible", "awful",
    "broken", "problem", "issue", "refund", "cancel", "waiting", "help", "why", "?",
    # pt
    "nao", "nunca", "nem", "mas", "porem", "ainda", "pior", "pessimo", "pessima", "problema",
    "defeito", "quebrado", "quebrada", "atrasou", "atraso", "atrasado", "ajuda", "cade",
    "reclamacao", "absurdo", "ruim",
    # es
    "pero", "todavia", "pesimo", "pesima", "roto", "rota", "ayuda", "porque",
)

#: Thanks for help already given: "help" here is what is thanked for, not asked for ("obrigado
#: pela ajuda ontem, resolveu tudo" is the commonest thank-you a care team gets).
THANKED_FOR = (
    "for the help", "for your help", "for all the help", "for all your help", "for helping",
    "pela ajuda", "pela sua ajuda", "por toda ajuda", "por toda a ajuda", "por ajudar",
    "por la ayuda", "por su ayuda", "por tu ayuda", "por toda la ayuda", "por ayudarme",
)  # fmt: skip

#: Emoji that praise (or cheer) on their own: "lua blanco maravilhosa 😍👏".
PRAISE_EMOJI = frozenset("😍👏🥰😊🙏💙💚❤👍🤩😘🎉🙌💖💕⭐🌟😀😃😁")

#: Emoji that turn praise around: "great job 🙃".
SARCASM_EMOJI = frozenset("🙃🙄😒🤡🤦😑")

#: Ordeals: what praise words around them make sarcastic.
ORDEAL = (
    # en
    "delay", "delays", "delayed", "hour delay", "hours late", "on hold", "hold music",
    "cancelled", "canceled", "cancelling my", "canceling my", "lost my", "lost our",
    "lost luggage", "charged twice", "double charged", "stranded", "waiting", "no signal",
    "no wifi", "no internet", "down again", "keeps crashing", "keeps dropping", "crashed",
    "overbooked", "nobody answers", "no one answers", "left on read", "waited",
    "hours in line", "hours in the queue", "for nothing", "ruining", "ruined", "wasting",
    "wasted",
    # pt
    "atraso", "atrasos", "atrasad*", "atrasou", "na espera", "caindo", "caiu", "cancelaram",
    "cancelad*", "cancelar meu", "cancelar minha", "perderam", "extraviad*",
    "cobrado duas vezes", "cobrada duas vezes", "cobranca dupla", "sem sinal", "sem internet",
    "sem luz", "travando", "travou", "ninguem responde", "ninguem atende", "horas de espera",
    "horas na fila", "horas de fila", "horas esperando", "esperei", "por nada", "estragar",
    "estragou", "estragaram", "arruinar", "arruinou", "perder meu tempo",
    # es
    "retraso", "retrasos", "retrasad*", "en espera", "se cayo", "caido", "caida", "cancelaron",
    "cancelado", "cancelada", "cancelar mi", "perdieron", "cobraron doble", "sin senal",
    "sin internet", "sin luz", "nadie contesta", "nadie responde", "horas de espera",
    "horas en fila", "horas esperando", "arruinar", "arruinaron", "arruino",
    "perder mi tiempo",
)

#: An ordeal put right, or help: the thanks are sincere ("thanks for fixing the delay so fast").
PUT_RIGHT = (
    # en
    "fixed", "fixing", "sorted", "sorting", "resolved", "solved", "back up", "working again",
    "works again", "despite", "in spite", "even with", "made up for", "compensat*", "help",
    "helped", "helpful", "kind", "kindness", "quick response", "above and beyond",
    "above & beyond", "all good", "worked", "made it", "able to", "credit",
    # pt
    "resolvid*", "resolveram", "resolveu", "resolver", "consertad*", "consertaram", "voltou",
    "normalizou", "normalizad*", "apesar", "mesmo com", "compens*", "ajuda", "ajudou",
    "atencios*", "gentil", "gentileza", "deu certo", "consegui", "conseguiu", "conseguimos",
    # es
    "resuelto", "resuelta", "resolvieron", "resolver", "arreglad*", "arreglaron",
    "solucionad*", "solucionaron", "volvio", "a pesar", "aun con", "compens*", "ayuda",
    "ayudaron", "amable", "amabilidad", "funciono", "pude", "logre", "alcance",
)

#: Said outright, a complaint is no sarcasm: the heads read "not great, 3 hours late" as the
#: complaint it is (an ordeal's own "no", as in "no signal", does not count).
OUTRIGHT = (
    "not", "never", "no", "but", "however", "don't", "didn't", "doesn't", "won't", "can't",
    "cannot", "wasn't", "isn't", "haven't", "hasn't", "nao", "nunca", "nem", "mas", "porem",
    "pero", "todavia", "ni", "tampoco", "sin",
)
# fmt: on

_PRAISE = TermSet(PRAISE)
_CANCEL = TermSet(w for w in PRAISE_CANCELLED_BY if w != "?")
_THANKED_FOR = TermSet(THANKED_FOR)
_ORDEAL = TermSet(ORDEAL)
_PUT_RIGHT = TermSet(PUT_RIGHT)
_OUTRIGHT = TermSet(OUTRIGHT)


def praise_cancelled(folded: str, words: frozenset[str]) -> bool:
    """A negation, a contrast, a question or a complaint word: the praise is not clear."""
    if "?" in folded:
        return True
    thanked = [m.span() for m in _THANKED_FOR.finditer(folded, words)]
    return any(
        not any(start <= m.start() and m.end() <= end for start, end in thanked)
        for m in _CANCEL.finditer(folded, words)
    )


def sarcasm(text: str, folded: str, words: frozenset[str]) -> tuple[str, ...]:
    """The praise and the ordeal (words or emoji) that make the post sarcastic, else `()`.

    `folded` is `terms.fold(text)` and `words` its `terms.words_of`. The praise must be about
    the ordeal: at most `NEAR` words apart ("thanks for the 12 hour delay", "flight cancelled,
    amazing"), or an eye-roll emoji anywhere. A question, an ordeal put right or a complaint
    said outright (`OUTRIGHT`) is no sarcasm.
    """
    if "?" in folded:
        return ()
    praise = list(_PRAISE.finditer(folded, words))
    if not PRAISE_EMOJI.isdisjoint(text):
        praise += [m for m in _EMOJI_RUN.finditer(text) if m.group(0) in PRAISE_EMOJI]
    if not praise:
        return ()
    ordeals = list(_ORDEAL.finditer(folded, words))
    rolled = [ch for ch in text if ch in SARCASM_EMOJI]
    near = [o for o in ordeals if any(_apart(folded, p, o) <= NEAR for p in praise)]
    if not (near or rolled):
        return ()
    if any(True for _ in _PUT_RIGHT.finditer(folded, words)):
        return ()
    rest = folded
    for m in ordeals:  # an ordeal's own "no" ("no signal", "sin señal") is not said outright
        rest = rest[: m.start()] + " " * (m.end() - m.start()) + rest[m.end() :]
    if any(True for _ in _OUTRIGHT.finditer(rest)):
        return ()
    found = sorted([*praise, *(near or ordeals)], key=lambda m: m.start())
    return tuple(dict.fromkeys([" ".join(m.group(0).split()) for m in found] + rolled))


#: Praise and ordeal at most this many words apart are about each other.
NEAR = 4

_EMOJI_RUN = re.compile(r"[^\w\s]")
_WORD = re.compile(r"\w+")


def _apart(folded: str, a: re.Match[str], b: re.Match[str]) -> int:
    """Words between two matches (0 when they touch or overlap)."""
    first, second = (a, b) if a.start() <= b.start() else (b, a)
    return len(_WORD.findall(folded, first.end(), max(first.end(), second.start())))
