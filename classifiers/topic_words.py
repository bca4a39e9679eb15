"""The topic word lists in English, Portuguese and Spanish: one list per keyword category.

`classifiers.keywords` compiles and matches them (`CATEGORIES`); they live apart so that adding
a word is an edit here and a change to how words are matched is an edit there. Words are folded
like the text (`classifiers.terms`): no accents or capitals needed, whole words or phrases, a
trailing `*` for any ending. Lists favour precision: a word that is ordinary in one of the
three languages ("demand", "processo", "conta") appears only inside a phrase that makes it
specific, or in a paired list (`classifiers.incidents`). Praise words are in
`classifiers.praise`, beside the rules that cancel them.
"""

from __future__ import annotations

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
    "to trading standards", "consumer court", "consumer forum", "consumer helpline",
    "reporting you to", "report you to", "reporting this to the", "filed a complaint with",
    "filing a complaint with", "complaint with the", "legal notice", "legal remedies",
    "public utilities commission", "telecom regulator", "state regulator", "food safety authority",
    "to the fcc", "with the fcc", "to the ftc", "with the ftc", "to the cfpb", "with the cfpb",
    "department of transportation", "state ag", "the bbb", "taking this to court",
    "taking this matter to court", "take this to court", "to ofcom", "with ofcom", "to ofgem",
    "with ofgem", "financial ombudsman", "to the accc",
    # pt
    "procon", "advogado", "advogada", "advogados", "processar", "processo judicial",
    "acao judicial", "na justica", "juizado", "pequenas causas", "consumidor.gov", "danos morais",
    "defensoria",
    "na anatel", "pra anatel", "para a anatel", "na susep", "pra susep", "livro de reclamacoes",
    "boletim de ocorrencia", "registrei b.o", "fiz b.o", "acionar judicialmente",
    "entrar com processo", "entrar com acao", "procurar meus direitos", "buscar meus direitos",
    "atras dos meus direitos", "consequencia judicial", "banco de portugal", "anacom",
    "julgado de paz", "apresentar queixa", "denunciei vcs", "denunciei voces",
    "delegacia da mulher", "recorrer a deco", "na deco", "com a deco", "reclamacao no bacen",
    "reclamar no bacen", "denunciar no bacen", "reclamacao no banco central",
    "reclamar no banco central", "denunciar no banco central", "reclamacao na ans",
    "reclamar na ans", "reclamacao na anac", "reclamar na anac",
    # es
    "abogado", "abogada", "abogados", "demandar", "demandare", "los voy a demandar", "una demanda",
    "demanda judicial", "denunciar", "poner una denuncia", "tribunales", "accion legal", "profeco",
    "oficina del consumidor",
    "sernac", "en la ocu", "ante la ocu", "a la ocu", "indecopi", "defensa del consumidor",
    "libro de reclamaciones", "hoja de reclamaciones", "juzgado", "fiscalia", "hice la denuncia",
    "puse la denuncia", "la denuncia hecha", "denuncia hecha", "derecho de peticion",
    "junta de conciliacion", "ante consumo", "denunciarlo", "denunciarlos", "denunciaros",
    "os denuncio", "condusef", "osiptel", "enacom", "superintendencia de industria",
    "superfinanciera", "defensa al consumidor", "los denuncio", "fuimos a la policia",
    "fui a la policia",
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
    "exposed wire", "exposed wires", "exposed wiring", "bare wire", "bare wires", "live wires",
    "power line down", "wire hanging", "wires hanging", "hanging wire", "burning smell",
    "smells like burning", "smelled like burning", "smell of gas", "smells of gas",
    "smelled of gas", "smells like gas", "gas leak", "leaking gas", "allergic reaction",
    "anaphylactic", "anaphylaxis", "wrong medication", "wrong medicine", "wrong dose",
    "wrong dosage", "wrong pills", "wrong vaccine", "adult dose", "someone else's insulin",
    "someone else's medication", "sexually harassed", "touched my leg", "touched my thigh",
    "touched me inappropriately", "hidden camera", "followed me home", "followed me to my car",
    "drunk driver", "driver was drunk", "burned his hand", "burned her hand", "burned my hand",
    "smell of petrol", "smelled of petrol", "smell of gasoline", "ran over my", "nearly ran over",
    "fell on my", "collapsed on", "cable snapped", "open trench", "open manhole", "no barrier",
    "nearly hit my", "slipped on a wet floor", "slipped on the wet floor", "wet floor with no sign",
    "threatening me", "almost hit my", "needed stitches", "brakes failed", "brake failure",
    # pt
    "pegou fogo", "explodiu", "explosao", "me queimou", "queimou minha", "queimou meu",
    "queimadura", "choque eletrico", "ferido",
    "ferida", "machucou", "machucado", "intoxicacao", "envenenado", "fumaca", "superaqueceu",
    "superaquecendo", "perigoso", "perigo", "suicidio", "me matar", "ameacou", "ameaca",
    "assediado", "assediada", "assedio", "emergencia", "faiscou", "faiscando", "soltou faisca*",
    "soltando faisca*", "curto circuito", "curto-circuito", "plastico derreteu",
    "derreteu o plastico", "marca de queimado",
    "fio desencapado", "fios desencapados", "fiacao exposta", "fio exposto", "fios expostos",
    "cabo desencapado", "cheiro de queimado", "cheiro de gas", "cheiro forte de gas",
    "vazamento de gas", "vazando gas", "gas vazando", "reacao alergica", "choque anafilatico",
    "remedio errado", "medicamento errado", "dose errada", "dosagem errada", "vacina errada",
    "dose de adulto", "me assediou", "passou a mao", "tentou me beijar", "camera escondida",
    "celular gravando", "me seguiu ate", "motorista bebado", "motorista estava bebado",
    "dirigindo bebado", "passou o sinal vermelho", "furou o sinal", "freio falhou",
    "falha no freio", "volante travou", "tomou um choque", "tomei um choque", "levei um choque",
    "da choque", "bati a cabeca", "bateu a cabeca", "queimou a mao", "queimei a mao",
    "cheiro de gasolina", "atropelou", "atropelaram", "quase atropelou", "caiu em cima",
    "deitar faiscas", "cabo arrebentou", "cabo desfiando", "buraco aberto", "bueiro aberto",
    "piso molhado", "chao molhado", "me ameacando", "sem sinalizacao", "quase acertou",
    "deitando faiscas", "capsulas de adulto",
    # es
    "se incendio", "incendio", "exploto", "quemadura", "descarga electrica", "herido", "herida",
    "lesion", "intoxicacion", "envenenado", "humo", "sobrecalento", "peligroso", "peligro",
    "suicidarme", "amenazo", "amenaza", "acoso", "acosado", "emergencia", "echo chispas",
    "saco chispas", "chispazo", "cortocircuito", "plastico derretido", "se derritio el plastico",
    "cable pelado", "cables pelados", "cable colgando", "cables colgando", "cable caido",
    "cables sueltos", "olor a quemado", "olor a gas", "fuga de gas", "reaccion alergica",
    "choque anafilactico", "medicamento equivocado", "medicamento distinto",
    "medicamento incorrecto", "dosis equivocada", "dosis incorrecta", "dosis de adulto",
    "me manoseo", "intento besarme", "camara oculta", "celular grabando", "me siguio hasta",
    "conductor borracho", "chofer borracho", "manejando borracho", "semaforo en rojo",
    "semaforos en rojo", "sin frenos", "fallaron los frenos", "tira chispas", "me dio la corriente",
    "me golpee la cabeza", "se golpeo la cabeza", "me queme la mano", "me corte el brazo",
    "olor a gasolina", "oler a gas", "huele a gas", "huele a quemado", "echando chispas",
    "casi atropella", "casi me atropella", "me atropello", "se me cayo encima",
    "se rompio un cable", "se rompio el cable", "alcantarilla abierta", "sin senalizacion",
    "me resbale", "se resbalo", "piso mojado", "me esta amenazando", "amenazando",
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
    "fake support", "fake support account", "fake account pretending", "fake profile", "fake app",
    "fake website", "seed phrase", "asked for my otp", "asked me for my otp", "asked for my pin",
    "safe account", "opened a credit card in my name", "opened an account in my name",
    "took out a loan in my name", "took a loan out in my name", "in my name without",
    "someone used my card", "using your logo", "to the cfpb", "with the cfpb", "skimmer",
    "purchase i didn't make", "purchases i didn't make", "transfer i didn't make",
    "transfers i didn't make", "withdrawal i didn't make", "payment i didn't make",
    "payments i didn't make", "transaction i didn't make", "transactions i didn't make",
    "request i didn't make", "skimming device", "card skimmer",
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
    "perfil falso", "perfil fake", "falso suporte", "falsa central", "falso atendente",
    "falso funcionario", "falso tecnico", "falso leilao", "falso parente", "golpe do falso",
    "golpe do boleto", "golpe do whatsapp", "site falso", "comprovante falso", "app falso",
    "aplicativo falso", "boleto falso", "usaram meu cartao", "fizeram um emprestimo no meu nome",
    "fizeram um financiamento no meu nome", "fizeram um cartao no meu nome",
    "abriram uma conta no meu nome", "abriram uma conta em meu nome", "alguem usou meu cartao",
    "compraram com meu cartao", "chupa-cabra", "chupa cabra", "tentativa de golpe",
    "aplicaram um golpe", "tentaram me aplicar um golpe", "golpe em nome de", "golpe usando o nome",
    "golpe do motoboy", "golpe da falsa central", "fizeram um pix", "fizeram um emprestimo",
    "fizeram um financiamento", "usando o nome de vcs", "usando o nome de voces",
    # es
    "fraude", "fraudes", "fraudulento", "fraudulenta", "estafa", "estafaron", "me estafaron",
    "estafador", "clonaron", "tarjeta clonada", "no reconozco", "robo de identidad",
    "suplantacion de identidad", "tarjeta robada", "me robaron la tarjeta", "compra que no hice",
    "compras que no hice", "contracargo", "desconozco el cargo", "desconozco estos cargos",
    "disputa con mi banco", "abri una disputa", "disputar el cargo", "suplantacion",
    "perfil falso", "cuenta falsa", "pagina falsa", "sitio falso", "correo falso", "mensaje falso",
    "se hacen pasar", "se hace pasar", "haciendose pasar", "es un timo", "usaron mi tarjeta",
    "alguien uso mi tarjeta", "sacaron un prestamo a mi nombre", "sacaron un credito a mi nombre",
    "abrieron una cuenta a mi nombre", "compraron con mi tarjeta", "clonadora", "intento de estafa",
    "intentaron estafarme", "me quisieron estafar", "estafa en nombre de",
)

PRIVACY_BREACH = (
    # en
    "medical record", "medical records", "medical history", "health records",
    "someone else's account", "someone elses account", "someone else's data",
    "someone else's information", "someone else's details", "another customer's",
    "other customers' data", "other people's data", "showed my data", "showed my details",
    "my data was leaked", "leaked my data", "leaked my information", "data leak", "data breach",
    "my data was exposed", "exposed my data", "exposed my information",
    "medical confidentiality", "patient confidentiality", "doctor-patient confidentiality",
    "breach of gdpr", "data protection breach", "breach of my privacy", "sold my data",
    "someone else's prescription",
    # pt
    "prontuario", "prontuarios", "historico medico", "meus exames para", "dados de outra pessoa",
    "dados de outro cliente", "dados de outros clientes", "conta de outra pessoa",
    "vazamento de dados", "vazaram meus dados", "vazou meus dados", "dados vazados",
    "meus dados vazaram", "mostrou meus dados", "mostrou meu prontuario", "expos meus dados",
    "sigilo medico", "receita de outra pessoa", "violacao da lgpd", "venderam meus dados",
    "quebra de sigilo",
    # es
    "historial medico", "historial clinico", "expediente medico", "datos de otra persona",
    "datos de otro cliente", "filtracion de datos", "filtraron mis datos", "mis datos filtrados",
    "cuenta de otra persona",
    "secreto medico", "confidencialidad medica", "receta de otra persona", "vendieron mis datos",
    "proteccion de datos personales",
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
    "account got drained", "account was drained", "drained my account", "emptied my account",
    "wallet emptied", "emptied my wallet", "drained my wallet", "someone logged into my",
    "somebody logged into my", "changed the phone number on my", "changed my pin",
    "changed my mpin", "disabled my 2fa", "profile i didn't create", "swapped my sim",
    "sim was swapped", "number was ported", "someone is in my account", "someone ordered",
    "changed the 2fa", "ex still has access", "swapped my sim card", "sim card was swapped",
    "ported my number out", "someone logged in", "someone signed in", "somebody logged in",
    "hackers got into", "hacker got into", "still has access to my account", "sim for my number",
    "reset i didn't request", "reset email i didn't request",
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
    "entraram na minha conta", "trocaram o telefone", "trocaram meu telefone", "mudaram o telefone",
    "clonou meu chip", "clonaram meu numero", "portabilidade sem eu", "portabilidade sem minha",
    "portabilidade sem autorizacao", "portabilidade que eu nao pedi", "fizeram a portabilidade",
    "limparam minha carteira", "esvaziaram minha conta", "meu whatsapp e dele",
    "alguem esta na minha conta", "alguem trocou o email", "alguem mudou o email",
    "segunda via do meu chip", "codigo que eu nao pedi", "trocaram meu chip", "portaram meu numero",
    "alguem fez login", "troca do meu chip sem", "troca de chip sem",
    "chip foi trocado sem", "alguem logou", "hackearam meu", "hackearam o meu", "me hackearam",
    "fui hackeado", "fui hackeada", "invadiram meu", "invadiram o meu",
    # es
    "cuenta hackeada", "hackearon mi cuenta", "me hackearon la cuenta", "robaron mi cuenta",
    "me robaron la cuenta", "alguien entro a mi cuenta", "alguien entro en mi cuenta",
    "alguien accedio a mi cuenta", "alguien esta usando mi cuenta", "cambiaron mi correo",
    "cambiaron el correo", "cambiaron mi contrasena", "cambiaron la contrasena",
    "alguien cambio mi correo", "alguien cambio mi contrasena", "con mi tarjeta guardada",
    "pedidos que no hice", "pedido que no hice", "duplicaron mi chip", "acceso no autorizado",
    "me vaciaron la cuenta", "vaciaron mi cuenta", "entraron a mi cuenta", "entraron en mi cuenta",
    "tiene acceso a mi cuenta", "me clonaron el chip", "clonaron mi whatsapp", "desactivo el 2fa",
    "cambiaron el mail", "cambiaron el celular", "alguien compro con mi cuenta",
    "sigue teniendo acceso a mi cuenta", "con otro correo", "codigo que no pedi",
    "duplicado de mi chip", "duplicado de mi sim", "cambiaron mi chip", "portaron mi numero",
    "cambio de chip sin", "cambiaron el chip sin", "cambiaron mi sim", "alguien se logueo",
    "alguien inicio sesion", "alguien cambio el correo", "hackearon mi", "me hackearon",
    "me hackearon el", "alguien cambio el mail", "codigo que no solicite",
)

# fmt: on
