"""Topic keywords in English, Portuguese and Spanish, matched accent- and case-insensitively.

`keyword_hits` finds each category's words (`CATEGORIES`, matched as `classifiers.terms`
describes). `praise` is special: it marks *clear* praise only, and `sarcasm` is reported
instead when the praise is about an ordeal (`classifiers.praise`). The pipeline does not let
keyword lifts override clear praise (docs/classification.md). Lists favour precision: a word
that is ordinary in one of the three languages ("demand", "processo", "conta") appears only
inside a phrase that makes it specific.
"""

from __future__ import annotations

from collections.abc import Mapping

from classifiers.praise import PRAISE, PRAISE_EMOJI, praise_cancelled, sarcasm
from classifiers.terms import TermSet, fold, words_of

# --- the word lists ------------------------------------------------------------------------

# fmt: off
BILLING = (
    # en
    "my bill", "the bill", "bills", "billed", "billing", "invoice", "invoiced", "overcharged",
    "double charged", "charged twice", "charged me", "unauthorized charge", "unauthorised charge",
    "charge on my", "subscription fee", "payment failed", "late fee", "bank statement",
    "direct debit",
    # pt
    "fatura", "faturas", "cobranca", "cobrancas", "cobrado", "cobrada", "cobraram", "cobrando",
    "cobranca indevida", "boleto", "boletos", "mensalidade", "debito automatico", "pagamento",
    "pagamentos", "nota fiscal", "tarifa", "cartao de credito",
    # es
    "factura", "facturas", "facturacion", "cobro", "cobros", "cobrado", "me cobraron",
    "cargo indebido", "cargo no reconocido", "cargos no reconocidos", "recibo", "domiciliacion",
    "pago", "pagos", "tarjeta de credito",
)

ACCOUNT_ACCESS = (
    # en
    "locked out", "log in", "login", "logon", "sign in", "can't log", "cannot log",
    "password reset", "reset my password", "forgot my password", "forgot password", "two-factor",
    "2fa", "verification code", "account locked", "account suspended", "account disabled",
    "account hacked", "hacked my account", "account was locked", "account has been locked",
    "account got locked", "account was suspended", "account has been suspended",
    "account got suspended", "account was blocked", "account got blocked", "account is blocked",
    "account was frozen", "account is frozen", "froze my account", "blocked my account",
    "can't access my account", "cannot access my account", "get into my account",
    "access to my account",
    # pt
    "senha", "conta bloqueada", "conta suspensa", "conta hackeada", "nao consigo entrar",
    "nao consigo acessar", "acesso bloqueado", "codigo de verificacao", "fazer login", "hackearam",
    "invadiram", "conta foi bloqueada", "conta esta bloqueada", "conta ta bloqueada",
    "conta tá bloqueada", "bloquearam minha conta", "bloquearam a minha conta", "conta travada",
    "conta foi suspensa", "conta congelada", "acessar minha conta", "acesso a minha conta",
    "acesso à minha conta", "recuperar minha conta", "recuperar a minha conta",
    # es
    "contrasena", "cuenta bloqueada", "cuenta suspendida", "no puedo entrar", "no puedo acceder",
    "iniciar sesion", "codigo de verificacion", "hackearon", "cuenta fue bloqueada",
    "bloquearon mi cuenta", "cuenta esta bloqueada", "acceder a mi cuenta", "acceso a mi cuenta",
    "recuperar mi cuenta", "entrar a mi cuenta", "entrar en mi cuenta",
)

HEALTH = (
    # en
    "diabetes", "diabetic", "cancer", "chemotherapy", "chemo", "hiv", "pregnant", "pregnancy",
    "miscarriage", "depression", "anxiety disorder", "bipolar", "schizophrenia", "epilepsy",
    "seizure", "seizures", "asthma", "insulin", "prescription", "medication", "medications",
    "diagnosed", "diagnosis", "surgery", "hospitalized", "hospitalised", "in hospital",
    "in the hospital", "mental health", "disability", "wheelchair", "dialysis", "heart attack",
    "stroke", "blood pressure", "allergic", "allergy", "covid", "therapy", "therapist",
    "psychiatrist", "medical condition", "chronic illness", "autism", "autistic", "adhd",
    "hepatitis", "tumor", "tumour",
    # pt
    "diabetico", "diabetica", "cancer", "quimioterapia", "gravida", "gestante", "gravidez",
    "aborto espontaneo", "depressao", "crise de ansiedade", "epilepsia", "convulsao", "asma",
    "insulina", "receita medica", "medicamento", "medicamentos", "diagnosticado", "diagnosticada",
    "diagnostico", "cirurgia", "internado", "internada", "hospitalizado", "saude mental",
    "deficiencia", "deficiente", "cadeira de rodas", "hemodialise", "infarto", "avc",
    "pressao alta", "alergia", "alergico", "alergica", "terapia", "psiquiatra", "doenca cronica",
    "autismo", "autista", "tdah", "hepatite", "tumor",
    # es
    "diabetica", "quimioterapia", "embarazada", "embarazo", "depresion", "ataque de ansiedad",
    "epilepsia", "asma", "insulina", "receta medica", "medicacion", "medicamento", "diagnosticado",
    "diagnosticada", "cirugia", "hospitalizado", "hospitalizada", "salud mental", "discapacidad",
    "discapacitado", "silla de ruedas", "dialisis", "ataque al corazon", "presion arterial",
    "alergia", "alergico", "enfermedad cronica", "psiquiatra", "tdah",
)

LEGAL_THREAT = (
    # en
    "lawyer", "lawyers", "attorney", "attorneys", "suing", "sue you", "sue them", "sue your",
    "going to sue", "will sue", "i'll sue", "lawsuit", "lawsuits", "legal action", "class action",
    "small claims", "take you to court", "see you in court", "court case", "solicitor",
    "solicitors", "ombudsman", "consumer protection", "attorney general", "better business bureau",
    "cease and desist",
    # pt
    "procon", "advogado", "advogada", "advogados", "processar", "processo judicial",
    "acao judicial", "na justica", "juizado", "pequenas causas", "consumidor.gov", "danos morais",
    "defensoria",
    # es
    "abogado", "abogada", "abogados", "demandar", "demandare", "los voy a demandar", "una demanda",
    "demanda judicial", "denunciar", "poner una denuncia", "tribunales", "accion legal", "profeco",
    "oficina del consumidor",
)

SAFETY = (
    # en
    "caught fire", "on fire", "exploded", "explosion", "burned me", "burnt me", "electric shock",
    "electrocuted", "injured", "injury", "injuries", "choking", "poisoned", "poisoning",
    "food poisoning", "smoke coming", "overheating", "overheated", "unsafe", "dangerous", "hazard",
    "bomb threat", "kill myself", "suicide", "suicidal", "threatened me", "assaulted", "harassed",
    "stalking", "emergency", "started sparking", "was sparking", "sparks came", "sparks coming",
    "burn mark", "burn marks", "scorch mark", "scorch marks", "plastic melted", "melted plastic",
    "short circuit", "short-circuit", "shorted out", "fire hazard",
    # pt
    "pegou fogo", "explodiu", "explosao", "me queimou", "queimou minha", "queimou meu",
    "queimadura", "choque eletrico", "ferido",
    "ferida", "machucou", "machucado", "intoxicacao", "envenenado", "fumaca", "superaqueceu",
    "superaquecendo", "perigoso", "perigo", "suicidio", "me matar", "ameacou", "ameaca",
    "assediado", "assediada", "assedio", "emergencia", "faiscou", "faiscando", "soltou faisca*",
    "soltando faisca*", "curto circuito", "curto-circuito", "plastico derreteu",
    "derreteu o plastico", "marca de queimado",
    # es
    "se incendio", "incendio", "exploto", "quemadura", "descarga electrica", "herido", "herida",
    "lesion", "intoxicacion", "envenenado", "humo", "sobrecalento", "peligroso", "peligro",
    "suicidarme", "amenazo", "amenaza", "acoso", "acosado", "emergencia", "echo chispas",
    "saco chispas", "chispazo", "cortocircuito", "plastico derretido", "se derritio el plastico",
)

REFUND = (
    # en
    "refund", "refunds", "refunded", "refunding", "money back", "chargeback", "reimburse*",
    "return my money", "credit back",
    # pt
    "reembols*", "estorno", "estornar", "estornaram", "estornado", "devolucao do dinheiro",
    "devolver o dinheiro", "devolvam meu dinheiro", "meu dinheiro de volta", "ressarcimento",
    "ressarcir", "chargeback",
    # es
    "reembols*", "devolucion del dinero", "devolver el dinero", "mi dinero de vuelta",
    "contracargo", "devuelvan mi dinero",
)

DELIVERY = (
    # en
    "delivery", "delivered", "deliver", "shipping", "shipped", "shipment", "package", "parcel",
    "tracking", "tracking number", "courier", "order hasn't arrived", "not arrived",
    "never arrived", "where is my order", "lost package", "out for delivery",
    # pt
    "entrega", "entregue", "entregar", "encomenda", "pacote", "rastreio", "rastreamento",
    "codigo de rastreio", "frete", "transportadora", "correios", "meu pedido", "nao chegou",
    "ainda nao chegou", "extraviado", "extraviada",
    # es
    "entrega", "envio", "enviado", "paquete", "pedido", "seguimiento", "rastreo", "mensajeria",
    "no ha llegado", "no llego", "extraviado",
)

OUTAGE = (
    # en
    "outage", "is down", "are down", "went down", "down again", "not loading", "won't load",
    "server error", "service down", "not working", "stopped working", "no service", "no signal",
    "no internet", "offline", "crashing", "crashed", "error 500",
    # pt
    "fora do ar", "caiu", "caiu de novo", "instavel", "instabilidade", "sem sinal", "sem internet",
    "sem servico", "nao funciona", "nao esta funcionando", "parou de funcionar", "nao carrega",
    "travando", "travou", "app caiu", "site caiu",
    # es
    "caido", "se cayo", "sin servicio", "sin senal", "sin internet", "no funciona",
    "dejo de funcionar", "no carga", "intermitencia", "fuera de servicio",
)

FRAUD = (
    # en
    "fraud", "fraudulent", "scam", "scammed", "scammer", "scammers", "phishing",
    "identity theft", "stole my identity", "stolen card", "card was stolen", "card got stolen",
    "card was cloned", "cloned card", "card got cloned", "cloned my card", "skimmed",
    "unauthorized transaction*",
    "unauthorised transaction*", "unauthorized purchase*", "unauthorised purchase*",
    "don't recognize this charge", "don't recognise this charge", "do not recognize",
    "do not recognise", "don't recognize the", "don't recognise the", "didn't make this purchase",
    "didn't make these purchases", "i did not make", "dispute the charge", "dispute a charge",
    "chargeback", "charge back", "filed a chargeback", "disputing the charge",
    "disputed the charge", "dispute with my bank", "dispute for the charge", "opened a dispute",
    "dispute with my card", "disputing it with my bank",
    # pt
    "golpe do pix", "golpe no pix", "golpe pelo pix", "golpe via pix", "cai num golpe",
    "cai no golpe", "cai em um golpe", "caí num golpe", "sofri um golpe", "levei um golpe",
    "vitima de golpe", "vitima de um golpe", "foi golpe de", "golpista", "golpistas", "fraude",
    "fraudes", "fraudulenta", "fraudulento", "clonado", "clonada", "clonaram", "estelionato",
    "estelionatario", "nao reconheco", "nao reconheço", "compra que nao fiz",
    "compras que nao fiz", "nao fiz essa compra", "nao fiz esta compra", "nao fiz essas compras",
    "pix que nao fiz", "transferencia que nao fiz", "cartao roubado", "roubaram meu cartao",
    "contestar a compra", "contestar uma compra", "contestacao da compra", "chargeback",
    "contestei a compra", "contestei a cobranca", "contestar a cobranca", "contestacao no cartao",
    "abri uma contestacao", "abri contestacao",
    # es
    "fraude", "fraudes", "fraudulento", "fraudulenta", "estafa", "estafaron", "me estafaron",
    "estafador", "clonaron", "tarjeta clonada", "no reconozco", "robo de identidad",
    "suplantacion de identidad", "tarjeta robada", "me robaron la tarjeta", "compra que no hice",
    "compras que no hice", "contracargo", "desconozco el cargo", "desconozco estos cargos",
    "disputa con mi banco", "abri una disputa", "disputar el cargo", "suplantacion",
)

PRIVACY_BREACH = (
    # en
    "medical record", "medical records", "medical history", "health records",
    "someone else's account", "someone elses account", "someone else's data",
    "someone else's information", "someone else's details", "another customer's",
    "other customers' data", "other people's data", "showed my data", "showed my details",
    "my data was leaked", "leaked my data", "leaked my information", "data leak", "data breach",
    "my data was exposed", "exposed my data", "exposed my information",
    # pt
    "prontuario", "prontuarios", "historico medico", "meus exames para", "dados de outra pessoa",
    "dados de outro cliente", "dados de outros clientes", "conta de outra pessoa",
    "vazamento de dados", "vazaram meus dados", "vazou meus dados", "dados vazados",
    "meus dados vazaram", "mostrou meus dados", "mostrou meu prontuario", "expos meus dados",
    # es
    "historial medico", "historial clinico", "expediente medico", "datos de otra persona",
    "datos de otro cliente", "filtracion de datos", "filtraron mis datos", "mis datos filtrados",
    "cuenta de otra persona",
)

ACCOUNT_TAKEOVER = (
    # en: someone else is in the customer's account, or changed what proves it is theirs
    "account takeover", "account was taken over", "took over my account", "taken over my account",
    "account was compromised", "account has been compromised", "account got compromised",
    "compromised account", "account hacked", "account was hacked", "account got hacked",
    "account has been hacked", "hacked my account", "hacked into my account",
    "someone changed my email", "someone changed the email", "someone changed my password",
    "someone changed the password", "someone changed my phone number",
    "email on my account was changed", "email on my account changed",
    "email on my account has been changed", "email address on my account was changed",
    "changed the email on my account", "changed the email address on my account",
    "changed my email without", "changed my password without", "password was changed without",
    "password was changed by someone",
    "someone logged into my account", "someone logged in to my account",
    "someone got into my account", "someone accessed my account", "someone is using my account",
    "someone used my account", "someone else is using my account", "logged into my account from",
    "login from an unknown device", "sign-in from an unknown device",
    "logged in from an unknown device", "login from a device i don't know",
    "purchases with my saved card", "purchases made with my saved card",
    "bought with my saved card", "using my saved card", "orders i didn't place",
    "orders i did not place", "order i didn't place", "order i did not place", "sim swap",
    "sim swapped", "ported my number", "unauthorized access", "unauthorised access",
    # pt
    "conta hackeada", "conta foi hackeada", "hackearam minha conta", "hackearam a minha conta",
    "conta invadida", "invadiram minha conta", "invadiram a minha conta", "roubaram minha conta",
    "roubaram a minha conta", "alguem entrou na minha conta", "alguem acessou minha conta",
    "alguem acessou a minha conta", "alguem esta usando minha conta",
    "alguem ta usando minha conta", "alguem mudou meu email", "alguem mudou minha senha",
    "alguem trocou meu email", "alguem trocou minha senha", "alteraram meu email",
    "alteraram o email", "alteraram minha senha", "alteraram a senha", "mudaram meu email",
    "mudaram o email", "mudaram minha senha", "mudaram a senha", "trocaram meu email",
    "trocaram o email", "trocaram minha senha", "trocaram a senha", "email da minha conta foi",
    "compras com meu cartao salvo", "compras com o cartao salvo", "pedidos que nao fiz",
    "pedido que nao fiz", "clonaram meu whatsapp", "clonaram meu chip", "clonaram o chip",
    "acesso nao autorizado", "acesso indevido",
    # es
    "cuenta hackeada", "hackearon mi cuenta", "me hackearon la cuenta", "robaron mi cuenta",
    "me robaron la cuenta", "alguien entro a mi cuenta", "alguien entro en mi cuenta",
    "alguien accedio a mi cuenta", "alguien esta usando mi cuenta", "cambiaron mi correo",
    "cambiaron el correo", "cambiaron mi contrasena", "cambiaron la contrasena",
    "alguien cambio mi correo", "alguien cambio mi contrasena", "con mi tarjeta guardada",
    "pedidos que no hice", "pedido que no hice", "duplicaron mi chip", "acceso no autorizado",
)

#: A record of someone's health (`privacy_breach` when it reaches someone else, see PAIRED).
HEALTH_RECORD = (
    # en
    "test results", "lab results", "my results", "blood test", "exam results", "scan results",
    "medical report", "prescription", "prescriptions", "my diagnosis", "medical information",
    "health information", "health data", "medical data", "x-ray", "x-rays", "mri",
    # pt
    "exame", "exames", "resultado do exame", "resultados dos exames", "laudo", "laudos",
    "minha receita", "receita medica", "receitas medicas", "prontuario", "dados de saude",
    "dados medicos", "meu diagnostico", "raio-x", "ressonancia", "hemograma",
    # es
    "resultados", "analisis", "examenes", "estudios medicos", "receta", "recetas",
    "mi diagnostico", "datos de salud", "datos medicos", "radiografia", "resonancia",
)

#: Someone who should not have seen it, or a leak.
EXPOSED = (
    # en
    "someone else", "someone else's", "another patient", "another patient's", "other patients",
    "another customer", "another person", "a stranger", "strangers", "wrong person",
    "wrong patient", "wrong address", "not mine", "leaked", "exposed my", "shared my results",
    # pt
    "outra pessoa", "outro paciente", "outra paciente", "outros pacientes", "outro cliente",
    "outra cliente", "um desconhecido", "uma desconhecida", "desconhecidos", "pessoa errada",
    "paciente errado", "nao sao meus", "nao e meu", "vazou", "vazaram", "vazados", "exposto",
    "expostos", "expuseram", "compartilharam meus",
    # es
    "otra persona", "otro paciente", "otra paciente", "otros pacientes", "otro cliente",
    "un desconocido", "una desconocida", "desconocidos", "persona equivocada", "no son mios",
    "filtraron", "filtrados", "expuestos", "expusieron", "compartieron mis",
)

# fmt: on

#: Category name -> word list. Category names are the values rules use in `keyword_category`.
CATEGORIES: Mapping[str, tuple[str, ...]] = {
    "billing": BILLING,
    "account_access": ACCOUNT_ACCESS,
    "health": HEALTH,
    "legal_threat": LEGAL_THREAT,
    "safety": SAFETY,
    "refund": REFUND,
    "delivery": DELIVERY,
    "outage": OUTAGE,
    "fraud": FRAUD,
    "privacy_breach": PRIVACY_BREACH,
    "account_takeover": ACCOUNT_TAKEOVER,
    "praise": PRAISE,
}

#: Every category `keyword_hits` may report, the word lists' and `sarcasm`.
CATEGORY_NAMES = (*CATEGORIES, "sarcasm")

#: Category -> two word lists that together make it: a health record (exames, test results)
#: and someone who should not have it (outra pessoa, another patient) is a privacy breach, in
#: any word order and whatever the verb ("o app mostrou meus exames para outra pessoa").
PAIRED: Mapping[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "privacy_breach": (HEALTH_RECORD, EXPOSED),
}

_COMPILED: dict[str, TermSet] = {name: TermSet(words) for name, words in CATEGORIES.items()}
_PAIRED = {name: (TermSet(a), TermSet(b)) for name, (a, b) in PAIRED.items()}


def keyword_hits(text: str) -> dict[str, tuple[str, ...]]:
    """Category -> the distinct folded words or phrases found, in text order.

    Only categories with at least one hit appear, so `bool(keyword_hits(text))` says whether
    any topic word was seen.
    """
    folded = fold(text)
    words = words_of(folded)
    hits: dict[str, tuple[str, ...]] = {}
    for name, terms in _COMPILED.items():
        if not terms.may_match(folded, words):
            continue
        found = tuple(
            dict.fromkeys(" ".join(m.group(0).split()) for m in terms.pattern.finditer(folded))
        )
        if found:
            hits[name] = found
    for name, (first, second) in _PAIRED.items():
        a, b = _found(first, folded, words), _found(second, folded, words)
        if a and b:
            hits[name] = tuple(dict.fromkeys(hits.get(name, ()) + a + b))
    emoji = tuple(dict.fromkeys(ch for ch in text if ch in PRAISE_EMOJI))
    if emoji:
        hits["praise"] = hits.get("praise", ()) + emoji
    ironic = sarcasm(text, folded, words)
    if ironic:
        hits["sarcasm"] = ironic
    if "praise" in hits and (ironic or praise_cancelled(folded, words)):
        del hits["praise"]
    return hits


def _found(terms: TermSet, folded: str, words: frozenset[str]) -> tuple[str, ...]:
    return tuple(" ".join(m.group(0).split()) for m in terms.finditer(folded, words))
