"""Paired word lists for incidents that no single word names: an object AND a harm, both found.

People report a live hazard, a scam in a brand's name, a purchase they did not make or another
customer's data shown to them in their own words, and most of those words are ordinary alone:
"peanut", "pix", "nome", "link" are chatter, "a reaction", "que não fiz", "outra cliente" too.
Together they are specific ("allergic to peanuts ... in hospital", "um pix que eu não fiz",
"the label has someone else's name and address"). `classifiers.keywords.PAIRED` files each pair
under the category whose rule already sends it to the helpdesk (safety, fraud, privacy_breach),
so no new rule is needed. Lists are folded like every keyword list (`classifiers.terms`): no
accents needed, whole words, a trailing `*` for any ending.
"""

from __future__ import annotations

# fmt: off

# --- privacy_breach: a record of someone's health, and someone who should not have it, or a leak

#: A record of someone's health (`privacy_breach` when it reaches someone else, see PAIRED).
HEALTH_RECORD = (
    # en
    "test results", "lab results", "my results", "blood test", "exam results", "scan results",
    "medical report", "prescription", "prescriptions", "my diagnosis", "medical information",
    "health information", "health data", "medical data", "x-ray", "x-rays", "mri", "pregnancy test",
    "hiv test", "psychiatric", "appointment for a psychiatric", "psychiatric notes",
    # pt
    "exame", "exames", "resultado do exame", "resultados dos exames", "laudo", "laudos",
    "minha receita", "receita medica", "receitas medicas", "prontuario", "dados de saude",
    "dados medicos", "meu diagnostico", "raio-x", "ressonancia", "hemograma", "exame de hiv",
    "teste de paternidade", "exame de gravidez", "consulta do hiv", "remedios controlados",
    "remedio controlado", "anticoncepcional", "biopsia", "psiquiatra", "consulta psiquiatrica",
    # es
    "resultados", "analisis", "examenes", "estudios medicos", "receta", "recetas", "mi diagnostico",
    "datos de salud", "datos medicos", "radiografia", "resonancia", "historias clinicas",
    "control de vih", "tratamiento de vih", "vih",
)

#: Someone who should not have seen it, or a leak.
EXPOSED = (
    # en
    "someone else", "someone else's", "another patient", "another patient's", "other patients",
    "another customer", "another person", "a stranger", "strangers", "wrong person",
    "wrong patient", "wrong address", "not mine", "leaked", "exposed my", "shared my results",
    "ex-husband", "ex-husband's", "ex-wife", "out loud", "my employer", "my employer's",
    "my neighbour", "my neighbor", "waiting room", "lock screen", "random numbers",
    "a complete stranger",
    # pt
    "outra pessoa", "outro paciente", "outra paciente", "outros pacientes", "outro cliente",
    "outra cliente", "um desconhecido", "uma desconhecida", "desconhecidos", "pessoa errada",
    "paciente errado", "nao sao meus", "nao e meu", "vazou", "vazaram", "vazados", "exposto",
    "expostos", "expuseram", "compartilharam meus", "ex-marido", "ex marido", "em voz alta",
    "vizinho", "vizinha", "tela de bloqueio", "numero desconhecido", "de outra cliente",
    "empresa do meu marido", "sala de espera",
    # es
    "otra persona", "otro paciente", "otra paciente", "otros pacientes", "otro cliente",
    "un desconocido", "una desconocida", "desconocidos", "persona equivocada", "no son mios",
    "filtraron", "filtrados", "expuestos", "expusieron", "compartieron mis", "en voz alta",
    "el vecino", "la vecina", "pantalla de bloqueo", "sala de espera", "lista de pacientes",
)

# --- safety: an allergen or a diet that must be kept, and the harm of it being broken ---------

ALLERGEN = (
    # en
    "allergy", "allergies", "allergic", "peanut", "peanuts", "nut allergy", "tree nuts",
    "shellfish", "celiac", "coeliac", "gluten", "lactose intolerant", "dairy allergy",
    # pt
    "alergia", "alergico", "alergica", "amendoim", "castanha", "castanhas", "frutos do mar",
    "celiaco", "celiaca", "doenca celiaca", "gluten", "intolerante a lactose",
    # es
    "alergia", "alergico", "alergica", "mani", "cacahuate", "cacahuete", "mariscos", "celiaco",
    "celiaca", "celiaquia", "gluten", "intolerante a la lactosa",
)

ALLERGY_HARM = (
    # en
    "reaction", "anaphyla*", "epipen", "epi-pen", "adrenaline", "in hospital", "in the hospital",
    "to hospital", "the er", "a&e", "swelling", "swelled up", "hives", "couldn't breathe",
    "could not breathe", "throat closed", "in the notes", "wrote it", "served me", "contained",
    "was full of", "wheat", "cross-contamination", "cross contamination", "glutened", "got sick",
    # pt
    "reacao", "anafila*", "adrenalina", "no hospital", "pro hospital", "pronto-socorro",
    "pronto socorro", "inchou", "inchado", "inchada", "nao conseguia respirar", "na observacao",
    "mesmo eu avisando", "mesmo avisando", "mandaram com", "mandou com", "veio com", "trigo",
    "contaminacao cruzada", "passei mal", "passou mal",
    # es
    "reaccion", "anafila*", "adrenalina", "al hospital", "en el hospital", "urgencias", "me hinche",
    "se hincho", "no podia respirar", "en la nota", "aunque avise", "me sirvieron", "vino con",
    "trajeron con", "trigo", "contaminacion cruzada", "me hizo mal", "me enferme",
)

# --- safety: something in the food, or food that made people ill ------------------------------

BAD_FOOD = (
    # en
    "piece of glass", "glass in my", "shard of glass", "piece of metal", "raw chicken",
    "undercooked chicken", "chicken was pink", "pink inside", "spoiled", "gone off", "mouldy",
    "moldy", "expired", "cockroach", "cockroaches", "a worm", "maggots", "insect in",
    # pt
    "pedaco de vidro", "caco de vidro", "vidro dentro", "frango cru", "frango crua", "carne crua",
    "estragado", "estragada", "azedo", "mofado", "mofada", "vencido", "vencida", "uma barata",
    "barata na", "barata no", "larva", "larvas",
    # es
    "pedazo de vidrio", "vidrio dentro", "pollo crudo", "carne cruda", "podrido", "podrida",
    "echado a perder", "en mal estado", "caducado", "vencido", "cucaracha", "cucarachas", "gusano",
    "gusanos",
)

FOOD_HARM = (
    # en
    "food poisoning", "throwing up", "threw up", "vomiting", "diarrhea", "diarrhoea", "been ill",
    "been sick", "got sick", "stomach pain", "cut my mouth", "cut the inside", "in hospital",
    "to hospital", "the er", "feeling sick", "feel sick", "felt sick",
    # pt
    "vomito", "vomitando", "vomitou", "diarreia", "intoxica*", "dor de barriga", "passaram mal",
    "passou mal", "cortou a boca", "cortei a boca", "no soro", "pronto-socorro", "no hospital",
    "pro hospital", "passando mal",
    # es
    "vomito", "vomitando", "vomitos", "diarrea", "intoxica*", "dolor de estomago",
    "se corto la boca", "me corte la boca", "urgencias", "me siento mal", "al hospital",
    "en el hospital", "me senti mal",
)

# --- safety: something electric, and it sparking, smoking or melting --------------------------

ELECTRIC = (
    # en
    "charger", "plug", "socket", "power strip", "extension lead", "extension cord", "heater",
    "electricity meter", "gas meter", "the meter", "my meter", "wiring", "junction box",
    "live wire", "power line", "power lines", "power cable", "electric cable", "wire", "wires",
    # pt
    "carregador", "tomada", "extensao", "filtro de linha", "fiacao", "medidor", "relogio de luz",
    "aquecedor", "poste", "quadro de luz", "disjuntor", "fio de luz", "fio de alta tensao",
    "fio da rede", "fios da rede", "cabo de energia", "rede eletrica", "fio eletrico",
    "fios eletricos", "fio de energia", "fios de energia", "fios de luz", "fio da rede eletrica",
    # es
    "cargador", "enchufe", "toma de corriente", "alargue", "zapatilla electrica", "medidor",
    "contador de luz", "calentador", "estufa", "poste", "caja de luz", "cable de luz",
    "cable de alta tension", "tendido electrico", "cable electrico", "cables electricos",
    "cables de luz",
)

ELECTRIC_HAZARD = (
    # en
    "sparked", "sparks", "sparking", "smoke", "smoking", "melted", "caught fire", "burned my",
    "burnt my", "scorched", "electric shock", "burning smell", "smell of burning", "hanging over",
    "hanging down", "hanging low", "dangling", "on the ground", "on the pavement",
    "on the footpath", "on the sidewalk", "across the road", "exposed",
    # pt
    "faisca*", "fumaca", "derreteu", "derretido", "derretida", "pegou fogo", "choque",
    "cheiro de queimado", "soltando fogo", "pendurado", "pendurados", "no chao", "na calcada",
    "caido", "caidos", "desencapado", "desencapados", "exposto", "expostos", "arrebentado",
    # es
    "chispas", "chispa", "humo", "se derritio", "derretido", "derretida", "se incendio", "descarga",
    "olor a quemado", "echando chispas", "colgando", "en el suelo", "en la vereda", "en la acera",
    "pelado", "pelados", "expuesto", "expuestos",
)

# --- safety: a medicine wrong, expired or given without the checks -----------------------------

MEDICINE = (
    # en
    "medicine", "medication", "medications", "pills", "tablets", "dose", "dosage", "insulin",
    "vaccine", "antibiotic", "antibiotics", "amoxicillin", "capsules",
    # pt
    "remedio", "remedios", "medicamento", "medicamentos", "comprimidos", "dose", "dosagem",
    "insulina", "vacina", "antibiotico", "amoxicilina", "capsulas", "clonazepam",
    # es
    "medicamento", "medicamentos", "medicina", "pastillas", "dosis", "insulina", "vacuna",
    "antibiotico", "amoxicilina", "capsulas",
)

MEDICINE_WRONG = (
    # en
    "wrong", "expired", "adult dose", "someone else's", "without checking", "i'm allergic",
    "i am allergic", "overdose",
    # pt
    "errado", "errada", "vencido", "vencida", "de adulto", "de outra pessoa", "sem pedir receita",
    "sou alergic*", "superdosagem",
    # es
    "equivocado", "equivocada", "incorrecto", "incorrecta", "distinto", "caducado", "caducada",
    "vencido", "vencida", "de adulto", "de otra persona", "soy alergic*", "sobredosis",
)

# --- safety: a driver, rider or worker who put someone in danger or harassed them --------------

WORKER = (
    # en
    "driver", "rider", "delivery guy", "delivery boy", "delivery driver", "courier", "technician",
    "engineer", "trainer", "instructor", "host", "staff member", "employee",
    # pt
    "motorista", "motoboy", "entregador", "tecnico", "instrutor", "o personal", "a personal",
    "meu personal", "minha personal", "anfitria", "anfitriao", "funcionario", "atendente", "aluno",
    "jogador",
    # es
    "conductor", "chofer", "taxista", "repartidor", "tecnico", "entrenador", "profesor",
    "anfitrion", "anfitriona", "empleado", "jugador", "un adulto",
)

WORKER_DANGER = (
    # en
    "drunk", "swerving", "speeding", "sped through", "on his phone the whole", "ran a red light",
    "ran the red light", "through a red light", "ran red lights", "my personal number",
    "if i live alone", "commenting on my body", "following me", "touched me", "touched my",
    "tried my door", "i'm shaking", "feel unsafe", "don't feel safe", "asking for photos",
    "inappropriate messages", "punched me", "tried to kiss",
    # pt
    "bebado", "zigue-zague", "no celular o caminho", "meu numero pessoal",
    "passou o sinal vermelho", "furou o sinal", "avancou o sinal", "se eu morava sozinha",
    "morava sozinha", "me seguir", "me seguindo", "passou a mao", "entrou no quarto",
    "pedindo foto", "pediu foto", "mandando ameacas", "descobriu meu endereco", "sabe meu endereco",
    "muito insegura", "atropelou", "mensagens inapropriadas", "me agrediu", "agrediu",
    "tentou beijar", "tentou me beijar",
    # es
    "borracho", "a 140", "mirando el celular", "semaforo en rojo", "semaforos en rojo",
    "se paso el rojo", "paso en rojo", "mi numero personal", "si vivo sola", "me siguio",
    "me toco la", "manoseo", "entro a mi cuarto", "pidiendole fotos", "pidiendo fotos",
    "sabe mi direccion", "fumando marihuana", "atropello", "casi atropella",
    "mensajes fuera de lugar", "mensajes inapropiados", "agrediendo", "me agredio", "intento besar",
    "intento besarme", "intento besarla",
)

# --- safety: a car's brakes, steering or airbags failing -------------------------------------

VEHICLE_PART = (
    # en
    "brakes", "brake", "steering", "airbag", "airbags",
    # pt
    "freio", "freios", "volante", "airbag", "airbags",
    # es
    "frenos", "freno", "bolsas de aire", "airbag", "airbags",
)

VEHICLE_FAILURE = (
    # en
    "failed", "locked up", "gave out", "stopped working", "didn't deploy", "did not deploy",
    # pt
    "falhou", "falharam", "travou", "parou de funcionar", "nao abriu", "nao funcionou",
    # es
    "fallaron", "fallo", "se trabo", "se bloqueo", "dejo de funcionar", "no se abrio",
    "no funcionaron",
)

# --- safety: someone filming where people undress --------------------------------------------

FILMING = (
    # en
    "filming", "recording", "taking photos", "taking pictures", "hidden phone",
    # pt
    "filmando", "gravando", "fotografando", "tirando fotos", "celular escondido",
    # es
    "filmando", "grabando", "sacando fotos", "tomando fotos", "celular escondido",
)

UNDRESSING_PLACE = (
    # en
    "changing room", "changing rooms", "locker room", "fitting room", "women's toilets",
    "ladies' toilets", "women's bathroom", "showers",
    # pt
    "vestiario", "vestiarios", "provador", "provadores", "banheiro feminino", "chuveiros",
    # es
    "vestuario", "vestuarios", "vestidor", "vestidores", "probador", "probadores",
    "bano de mujeres", "duchas",
)

# --- fraud: a message or caller in the brand's name asking for what only the customer has -----

IMPERSONATION = (
    # en
    "fake support", "fake account", "fake accounts", "fake profile", "fake profiles", "fake page",
    "fake app", "fake website", "fake site", "fake email", "fake text", "fake sms", "fake number",
    "fake agent", "in your name", "supposedly from", "phishing", "smishing", "pretending to be",
    "posing as", "claiming to be", "impersonating", "is this from you", "is this really from you",
    "is this really you", "really from you", "legit or not", "is this legit", "is it legit",
    "do you ask for", "do you call", "do you text", "called me asking", "called me saying",
    "using your logo", "using your name", "this isn't you", "isn't from you", "is that from you",
    "was this you", "did you send", "did you guys send", "is this genuine", "genuinely from you",
    "is this email legit", "is this text legit", "not from you",
    # pt
    "perfil falso", "perfis falsos", "perfil fake", "site falso", "site fake", "pagina falsa",
    "app falso", "aplicativo falso", "central falsa", "falsa central", "falso suporte",
    "falso atendente", "falso funcionario", "falso tecnico", "email falso", "e-mail falso",
    "sms falso", "link falso", "numero falso", "loja falsa", "anuncio falso", "contas falsas",
    "em nome de vcs", "em nome de voces", "se passando por", "se passando pela", "se passando pelo",
    "dizendo ser", "fingindo ser", "dizendo que era", "igualzinho", "igualzinha", "e de vcs",
    "e de voces", "sao vcs", "sao voces", "foram mesmo voces", "eram voces", "eram vcs",
    "vcs pedem", "voces pedem", "vcs ligam", "voces ligam", "e golpe", "era golpe",
    "tentativa de golpe", "um tal de", "me ligou dizendo", "me ligaram dizendo", "dizendo ser da",
    "usando o nome de vcs", "usando o nome de voces", "logo de vcs", "logo de voces",
    "nem era de vcs", "nem era de voces", "nao e de vcs", "foram vcs", "foram voces",
    "vcs enviaram", "voces enviaram", "vcs mandaram esse", "voces mandaram esse", "nao e de voces",
    # es
    "perfil falso", "perfiles falsos", "cuenta falsa", "cuentas falsas", "pagina falsa",
    "sitio falso", "web falsa", "correo falso", "mensaje falso", "sms falso", "link falso",
    "enlace falso", "numero falso", "app falsa", "asesor falso", "falso asesor", "falso ejecutivo",
    "en nombre de ustedes", "a nombre de ustedes", "haciendose pasar", "se hace pasar",
    "se hacen pasar", "diciendo que era", "diciendo ser", "que dice ser", "es de ustedes",
    "eso es real", "es real este", "son ustedes", "eso es de ustedes", "es vuestro",
    "sois vosotros", "ustedes escriben", "ustedes llaman", "es un timo", "me llamaron del",
    "e burla", "me llamaron diciendo", "usando el nombre de", "con el logo", "os han hackeado",
    "web rara", "le di click", "di click en el link", "no es de ustedes", "no es de vosotros",
    "fueron ustedes", "ustedes enviaron", "ustedes mandaron", "es legitimo",
)

CREDENTIAL_ASK = (
    # en
    "otp", "pin", "mpin", "password", "passcode", "verification code", "the code", "seed phrase",
    "recovery phrase", "card number", "card details", "cvv", "login details", "confirm my card",
    "confirm my details", "verify my account", "redelivery fee", "a weird link", "a link",
    "the link", "safe account", "confirm a transaction", "confirm a purchase", "install an app",
    "pay a fee", "verify here", "verify at", "processing fee", "login code", "my code", "selling",
    "security code", "one-time code", "otp code", "account will be suspended",
    "account will be closed", "account will be locked",
    # pt
    "senha", "codigo que chegou", "codigo que recebi", "codigo do sms", "codigo por sms",
    "codigo do whatsapp", "codigo de seguranca", "codigo do app", "frase de recuperacao",
    "dados do cartao", "numero do cartao", "cvv", "token", "confirmar os dados",
    "confirmar meus dados", "atualizar dados", "atualizar os dados", "pedindo pix", "num link",
    "um link", "com link", "no link", "confirmar uma compra", "instalasse um app",
    "instalar um app", "pagar taxa", "pagar uma taxa", "pra vender", "recuperacao de fundos",
    "conta sera bloqueada", "conta sera encerrada", "conta sera suspensa", "boleto", "boletos",
    "vendendo",
    # es
    "clave", "codigo que me llego", "codigo del sms", "codigo por sms", "codigo de seguridad",
    "datos de la tarjeta", "numero de la tarjeta", "cvv", "contrasena", "por un link", "un link",
    "en un link", "un enlace", "el enlace", "validar la cuenta", "anular una compra",
    "confirmar una compra", "instalar una app", "pagar una tasa", "verifique en", "ingrese a",
    "cuenta sera suspendida", "cuenta sera bloqueada", "cuenta sera cerrada", "ingresar a",
    "vendiendo",
)

# --- fraud: money moved or credit taken by someone else ---------------------------------------

TRANSACTION = (
    # en
    "purchase", "purchases", "transaction", "transactions", "transfer", "transfers", "withdrawal",
    "withdrawals", "loan", "pix", "bought", "ordered", "using my card", "opened an account",
    "opened a credit card",
    # pt
    "pix", "pixes", "compra", "compras", "transferencia", "transferencias", "saque", "saques",
    "emprestimo", "financiamento", "consignado", "cartao adicional", "compraram", "gastaram",
    "sacaram", "transferiram", "usando meu cartao", "abriu uma conta", "abriram uma conta",
    "abriu conta",
    # es
    "compra", "compras", "transferencia", "transferencias", "retiro", "retiros", "prestamo",
    "tarjeta adicional", "compraron", "gastaron", "sacaron", "transfirieron", "usando mi tarjeta",
    "abrieron una cuenta", "sacaron un credito",
)

NOT_BY_ME = (
    # en
    "didn't authorise", "didn't authorize", "never authorised", "never authorized",
    "without my permission", "without my consent", "without my knowledge", "wasn't me",
    "i never applied", "never requested", "that i didn't make", "which i didn't make",
    "didn't make any", "did not make any", "never made any", "i didn't make it", "didn't make this",
    "didn't make these", "didn't make that", "didn't make those", "that i never made",
    "i never made it", "never made this", "never made these", "never subscribed",
    "i don't recognize", "i don't recognise", "i do not recognize", "i do not recognise",
    "using my details", "with my details",
    # pt
    "que nao fiz", "que eu nao fiz", "nao fui eu", "nao autorizei", "nunca autorizei",
    "sem minha autorizacao", "sem a minha autorizacao", "sem meu consentimento", "sem eu saber",
    "sem eu pedir", "com meus documentos", "que eu nao pedi", "que nunca pedi", "nao fiz esse",
    "nao fiz essa", "nao fiz esses", "nao fiz essas", "nao reconheco", "com meus dados",
    "com os meus dados", "usando meus dados",
    # es
    "que no hice", "que yo no hice", "no fui yo", "no autorice", "nunca autorice",
    "sin mi autorizacion", "sin mi consentimiento", "sin mi permiso", "usaron mi dni", "uso mi dni",
    "que no pedi", "que nunca pedi", "nunca contrate", "no hice esa", "no hice ese", "no hice esos",
    "no hice esas", "que no realice", "nunca realice", "no reconozco", "con mis datos",
    "usando mis datos",
)

# --- privacy_breach: someone's personal data, and someone who should not have it --------------

PERSONAL_DATA = (
    # en
    "full name", "name and address", "name, address", "home address", "phone number",
    "passport details", "bank statement", "balance and", "private boards", "personal details",
    "personal data", "personal information", "policy documents", "bank details", "invoices",
    "my photos", "name and phone", "name, phone", "phone and address", "address and phone",
    "shipping label", "the label", "receipt",
    # pt
    "nome completo", "nome e endereco", "nome, cpf", "cpf completo", "cpfs", "endereco dela",
    "endereco dele", "telefone dela", "telefone dele", "dados pessoais", "meus dados", "extratos",
    "meu extrato", "meu endereco", "dados bancarios", "fotos e conversas", "comprovante de renda",
    "nome e telefone", "nome, telefone", "nome e cpf", "telefone e endereco", "etiqueta",
    "nota fiscal",
    # es
    "nombre completo", "nombre y direccion", "su direccion", "su telefono", "datos personales",
    "mis datos", "datos bancarios", "nominas", "mi direccion", "datos del pasaporte", "contratos",
    "nombre y telefono", "nombre, telefono", "telefono y direccion", "etiqueta", "boleta", "recibo",
)

WRONG_HANDS = (
    # en
    "someone else's", "someone elses", "another customer's", "another company's",
    "another person's", "a complete stranger", "a stranger", "random numbers", "wrong person",
    "ex-husband's", "ex-husband", "ex-wife", "out loud", "whole queue", "a different customer's",
    "another user's", "other customer's", "anyone can see", "everyone can see", "visible to anyone",
    "visible to everyone", "made public", "without my consent", "my employer", "my employer's",
    # pt
    "de outra pessoa", "de outra cliente", "de outro cliente", "outra cliente", "outro cliente",
    "outra usuaria", "outro usuario", "numero desconhecido", "ex-marido", "ex marido",
    "em voz alta", "de todos os alunos", "de todo mundo", "pdf publico", "outra familia",
    "empresa do meu marido", "de outro usuario", "de outra usuaria", "qualquer pessoa ve",
    "qualquer um ve", "qualquer pessoa pode ver", "ficou publico", "sem meu consentimento",
    # es
    "de otra persona", "de otro cliente", "de otra clienta", "otra clienta", "un desconocido",
    "en voz alta", "link publico", "aparece en google", "otra familia", "de otra familia",
    "de otro usuario", "de otra usuaria", "otro cliente", "cualquiera puede ver", "quedo publico",
    "sin mi consentimiento",
)

# fmt: on
