"""The invented world of ``tussendeur demo``: partners, vacancy templates, competency phrases.

Everything here is fictional. Partner names are made up (no real company);
people come from Faker at seeding time. Phrases are written the way recruiters
type them — variants, compounds split or joined, and the odd typo — because
normalising exactly that is what the matcher is for.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from matching.types import Role, Shift, WorkMode

CONSORTIUM_SLUG = "zuid-limburg"
CONSORTIUM_NAME = "Zuid-Limburg"
EMAIL_DOMAINS = ("example.com", "example.net", "example.org")


@dataclass(frozen=True, slots=True)
class DemoPartner:
    slug: str
    name: str
    city: str
    postcode_areas: tuple[str, ...]  # where the center sits and most applicants live
    clients: tuple[str, ...]  # the sectors it answers the phone for


PARTNERS: tuple[DemoPartner, ...] = (
    DemoPartner(
        "mergelstem", "Mergelstem Klantcontact", "Maastricht",
        ("6211", "6212", "6217", "6221", "6224", "6229"), ("energie", "telecom"),
    ),
    DemoPartner(
        "schachtwerk", "Schachtwerk Service", "Heerlen",
        ("6411", "6412", "6415", "6417", "6419", "6422"), ("zorgverzekering", "overheid"),
    ),
    DemoPartner(
        "kruisbaan", "Kruisbaan Contactcenter", "Sittard-Geleen",
        ("6131", "6132", "6135", "6161", "6163", "6166"), ("webshop", "energie"),
    ),
    DemoPartner(
        "wormdal", "Wormdal Klantenservice", "Kerkrade",
        ("6461", "6463", "6464", "6466", "6467", "6471"), ("bank", "verzekeringen"),
    ),
    DemoPartner(
        "brunsheide", "Brunsheide Contactdiensten", "Brunssum",
        ("6441", "6442", "6443", "6444", "6445", "6446"), ("telecom", "ict"),
    ),
    DemoPartner(
        "roerstroom", "Roerstroom Klantcontact", "Roermond",
        ("6041", "6042", "6043", "6044", "6045", "6046"), ("openbaar vervoer", "webshop"),
    ),
)

# Concept groups: ways people write one competency, typos included.
PHRASES: dict[str, tuple[str, ...]] = {
    "klachten": (
        "klachtenafhandeling", "klachten afhandelen", "klachtafhandeling",
        "klachtenbehandeling", "afhandelen van klachten", "klachtafhandling",
    ),
    "telefoon": (
        "telefonisch klantcontact", "telefonische klantenservice", "inbound telefonie",
        "klanten telefonisch te woord staan", "telefonies klantcontact",
    ),
    "salesforce": (
        "Salesforce", "Salesforse", "ervaring met Salesforce", "Salesforce Service Cloud",
    ),
    "zendesk": ("Zendesk", "ervaring met Zendesk", "zen desk", "Zendesk Support"),
    "topdesk": ("TOPdesk", "top desk", "werken met TOPdesk"),
    "crm": ("CRM-systemen", "crm systeem", "werken met een CRM", "Microsoft Dynamics"),
    "office": ("MS Office", "Excel", "microsoft excel", "Office 365"),
    "empathie": ("empathisch", "empathie", "inlevingsvermogen", "empatisch vermogen"),
    "stress": (
        "stressbestendig", "stressbestendigheid", "werken onder tijdsdruk", "rustig onder druk",
    ),
    "klantgericht": ("klantgericht", "klantgerichtheid", "klantvriendelijk", "customer focus"),
    "communicatie": (
        "communicatief vaardig", "goede communicatieve vaardigheden", "mondelinge communicatie",
    ),
    "schriftelijk": (
        "schriftelijke communicatie", "e-mailafhandeling", "mail afhandeling",
        "foutloos Nederlands schrijven",
    ),
    "chat": ("chat", "chatgesprekken voeren", "live chat", "WhatsApp klantenservice"),
    "webcare": ("webcare", "social media webcare", "web care", "reageren op social media"),
    "verkoop": ("verkoop", "outbound sales", "telefonische verkoop", "commercieel vaardig"),
    "upsell": ("cross-selling", "upselling", "up-sell", "aanvullende producten verkopen"),
    "retentie": ("retentie", "klantbehoud", "opzeggers behouden", "retentiegesprekken"),
    "oplossen": (
        "probleemoplossend vermogen", "oplossingsgericht", "probleem oplossend",
        "first time right",
    ),
    "deescaleren": ("de-escaleren", "omgaan met boze klanten", "omgaan met agressie"),
    "helpdesk": (
        "eerstelijns support", "1e lijns support", "technische helpdesk",
        "storingen internet en tv", "ICT servicedesk",
    ),
    "energie": ("energiemarkt", "kennis van energiecontracten", "jaarafrekening energie"),
    "zorgverzekering": ("zorgverzekering", "declaraties zorg", "zorgdeclaraties", "Zvw"),
    "incasso": ("incasso", "debiteurenbeheer", "betalingsregelingen", "betalingsachterstanden"),
    "verzekering": ("schadebehandeling", "schademeldingen", "verzekeringen", "polisadministratie"),
    "bank": ("bankzaken", "betaalverkeer", "KYC", "fraudemeldingen"),
    "ov": ("reisinformatie", "OV-chipkaart", "vertragingen en restituties"),
    "webshop": ("retouren", "bestellingen en leveringen", "track & trace", "orderverwerking"),
    "coachen": ("coachen", "coaching on the job", "feedback geven", "nieuwe collega's inwerken"),
    "kwaliteit": ("kwaliteitsmonitoring", "gesprekken meeluisteren", "QA", "kwaliteitscontrole"),
    "trainen": ("trainen", "opleiden", "trainingen geven", "e-learning maken"),
    "leidinggeven": ("leidinggeven", "teamleiding", "aansturen van een team", "leiding geven"),
    "planning": ("workforce management", "WFM", "roosteren", "forecasting", "NICE WFM", "Verint"),
    "kpi": ("KPI's", "NPS", "klanttevredenheid meten", "rapportages maken"),
    "proces": ("procesverbetering", "Lean", "Lean Six Sigma Yellow Belt", "processen verbeteren"),
    "gastvrij": ("gastvrijheid", "gastvrij", "hospitality", "gasten ontvangen"),
    "winkel": ("kassawerk", "verkoop in de winkel", "klanten adviseren in de winkel"),
    "zorg": ("zorgvuldig werken", "luisterend oor", "omgaan met kwetsbare mensen"),
    "duits": ("Duitstalige klanten", "Duits sprekende klanten", "klantcontact in het Duits"),
}


@dataclass(frozen=True, slots=True)
class Archetype:
    """A kind of person in the pool: which phrase groups they tend to have."""

    name: str
    core: tuple[str, ...]
    optional: tuple[str, ...]
    present_role: Role | None
    ambitions: tuple[Role, ...]
    sectors: tuple[str, ...] = ()
    weight: int = 1


ARCHETYPES: tuple[Archetype, ...] = (
    Archetype("energie inbound", ("telefoon", "klachten", "klantgericht"),
              ("energie", "salesforce", "crm", "stress", "empathie", "schriftelijk"),
              Role.AGENT, (Role.SENIOR_AGENT, Role.SPECIALIST), weight=4),
    Archetype("telecom sales", ("verkoop", "telefoon", "upsell"),
              ("retentie", "crm", "klantgericht", "stress", "kpi"),
              Role.AGENT, (Role.SENIOR_AGENT, Role.TEAM_LEAD), weight=3),
    Archetype("zorgverzekeraar", ("zorgverzekering", "telefoon", "empathie"),
              ("klachten", "schriftelijk", "office", "oplossen"),
              Role.AGENT, (Role.SPECIALIST, Role.QUALITY_COACH), weight=3),
    Archetype("ict helpdesk", ("helpdesk", "oplossen", "topdesk"),
              ("telefoon", "schriftelijk", "office", "stress"),
              Role.AGENT, (Role.SPECIALIST, Role.PROCESS_IMPROVEMENT), weight=2),
    Archetype("webcare", ("webcare", "chat", "schriftelijk"),
              ("zendesk", "klantgericht", "deescaleren", "webshop"),
              Role.AGENT, (Role.SPECIALIST, Role.MARKETING), weight=2),
    Archetype("incasso", ("incasso", "telefoon", "stress"),
              ("deescaleren", "office", "bank", "oplossen"),
              Role.AGENT, (Role.SPECIALIST, Role.SENIOR_AGENT), weight=2),
    Archetype("verzekeringen", ("verzekering", "schriftelijk", "klantgericht"),
              ("bank", "office", "telefoon", "klachten"),
              Role.AGENT, (Role.SPECIALIST,), weight=2),
    Archetype("webshop", ("webshop", "chat", "klantgericht"),
              ("zendesk", "schriftelijk", "telefoon", "retentie"),
              Role.AGENT, (Role.SENIOR_AGENT,), weight=2),
    Archetype("duitstalig", ("duits", "telefoon", "klantgericht"),
              ("energie", "webshop", "klachten", "salesforce"),
              Role.AGENT, (Role.SENIOR_AGENT, Role.TRAINER), weight=2),
    Archetype("horeca instromer", ("gastvrij", "klantgericht", "stress"),
              ("communicatie", "deescaleren", "empathie", "verkoop"),
              None, (Role.AGENT,), sectors=("horeca",), weight=3),
    Archetype("retail instromer", ("winkel", "klantgericht", "verkoop"),
              ("communicatie", "upsell", "office", "empathie"),
              None, (Role.AGENT,), sectors=("retail",), weight=3),
    Archetype("zorg instromer", ("zorg", "empathie", "communicatie"),
              ("stress", "schriftelijk", "deescaleren"),
              None, (Role.AGENT,), sectors=("zorg",), weight=2),
    Archetype("senior coach", ("coachen", "kwaliteit", "klachten"),
              ("trainen", "kpi", "telefoon", "salesforce", "empathie"),
              Role.SENIOR_AGENT, (Role.QUALITY_COACH, Role.TRAINER, Role.TEAM_LEAD), weight=2),
    Archetype("planner", ("planning", "office", "kpi"),
              ("proces", "communicatie"),
              Role.SPECIALIST, (Role.WORKFORCE_PLANNER, Role.PROCESS_IMPROVEMENT), weight=1),
    Archetype("teamleider in spe", ("leidinggeven", "coachen", "kpi"),
              ("proces", "planning", "klachten", "communicatie"),
              Role.SENIOR_AGENT, (Role.TEAM_LEAD,), weight=1),
)

NOT_FIT_REASONS: tuple[str, ...] = (
    "Duits op C1-niveau vereist voor deze opdrachtgever",
    "Alleen beschikbaar voor avond- en weekenddiensten; de opdracht vraagt dagdiensten",
    "Minder uren beschikbaar dan de opdracht vraagt",
    "Ervaring met Salesforce is een harde eis bij deze klant",
    "Frans vereist voor de Belgische klantenlijn",
    "De klant zoekt iemand met commerciële ervaring in telecom",
    "Startdatum sluit niet aan op de opleidingsgroep",
    "Reisafstand te groot voor uitsluitend werken op locatie",
    "Sterk in mondeling contact, de functie is vooral schriftelijk (chat en mail)",
)


@dataclass(frozen=True, slots=True)
class VacancyTemplate:
    title: str
    role: Role
    role_level: int
    requirements: tuple[tuple[str, bool, float, int | None], ...]  # phrase, must, weight, level
    languages: tuple[tuple[str, str, bool], ...]  # language, CEFR level, must-have
    pay_hour: tuple[float, float] | None  # euro per hour; None: monthly pay
    shifts: tuple[Shift, ...]
    work_mode: WorkMode
    training: str
    hours: tuple[int, int]
    pay_month: tuple[int, int] = field(default=(0, 0))


NL_C1 = ("nl", "C1", True)
V = VacancyTemplate
VACANCIES: tuple[VacancyTemplate, ...] = (
    V("Klantenservicemedewerker energie", Role.AGENT, 1,
      (("klachtafhandeling", True, 2, 3), ("telefonisch klantcontact", True, 2, None),
       ("Salesforce", False, 1, None), ("empathisch", False, 1.5, None)),
      (NL_C1,), (14.75, 16.90), (Shift.DAY, Shift.EVENING), WorkMode.HYBRID,
      "Betaalde startopleiding van drie weken", (24, 36)),
    V("Duitstalige klantcontactmedewerker", Role.AGENT, 1,
      (("klantcontact in het Duits", True, 2, None), ("klachten afhandelen", False, 1, None),
       ("klantgericht", False, 1, None)),
      (("de", "C1", True), ("nl", "B2", True)), (16.00, 18.50), (Shift.DAY,), WorkMode.ON_SITE,
      "Productopleiding en een taalcoach Duits", (32, 40)),
    V("Medewerker klantenservice zorgverzekeraar", Role.AGENT, 1,
      (("zorgdeclaraties", True, 2, 2), ("inlevingsvermogen", True, 1.5, None),
       ("telefonische klantenservice", False, 1, None)),
      (NL_C1,), (15.10, 17.20), (Shift.DAY, Shift.EVENING), WorkMode.HYBRID,
      "Vier weken opleiding Zvw en declaraties", (20, 36)),
    V("Servicedesk medewerker ICT (eerstelijns)", Role.AGENT, 2,
      (("eerstelijns support", True, 2, 3), ("TOPdesk", False, 1, None),
       ("probleemoplossend vermogen", True, 1.5, None)),
      (NL_C1, ("en", "B2", False)), (16.50, 19.00), (Shift.DAY,), WorkMode.HYBRID,
      "ITIL Foundation tijdens het eerste jaar", (32, 40)),
    V("Webcare-medewerker", Role.AGENT, 2,
      (("webcare", True, 2, 3), ("schriftelijke communicatie", True, 2, 4),
       ("Zendesk", False, 1, None)),
      (("nl", "C2", True),), (15.50, 17.80), (Shift.DAY, Shift.EVENING, Shift.WEEKEND),
      WorkMode.REMOTE, "Schrijftraining en tone-of-voice sessies", (16, 32)),
    V("Chatmedewerker webshop", Role.AGENT, 1,
      (("live chat", True, 1.5, None), ("retouren", False, 1, None),
       ("klantvriendelijk", False, 1, None)),
      (NL_C1, ("en", "B1", False)), (14.75, 15.90), (Shift.EVENING, Shift.WEEKEND),
      WorkMode.REMOTE, "Online inwerkprogramma", (12, 24)),
    V("Outbound salesmedewerker telecom", Role.AGENT, 1,
      (("outbound sales", True, 2, 2), ("cross-selling", False, 1.5, None),
       ("stressbestendig", False, 1, None)),
      (NL_C1,), (15.00, 17.00), (Shift.DAY, Shift.EVENING), WorkMode.ON_SITE,
      "Salestraining en een bonusregeling", (24, 38)),
    V("Retentiemedewerker telecom", Role.AGENT, 2,
      (("retentiegesprekken", True, 2, 3), ("verkoop", True, 1.5, None),
       ("CRM-systemen", False, 1, None)),
      (NL_C1,), (16.00, 18.40), (Shift.DAY, Shift.EVENING), WorkMode.HYBRID,
      "Training onderhandelen en klantbehoud", (24, 36)),
    V("Medewerker incasso en betalingsregelingen", Role.AGENT, 2,
      (("debiteurenbeheer", True, 2, 2), ("omgaan met boze klanten", True, 1.5, None),
       ("Excel", False, 1, None)),
      (NL_C1,), (16.20, 18.90), (Shift.DAY,), WorkMode.HYBRID,
      "Opleiding schuldhulp-signalering", (32, 40)),
    V("Klachtenbehandelaar verzekeringen", Role.SPECIALIST, 3,
      (("klachtenbehandeling", True, 2, 4), ("schadebehandeling", True, 1.5, 3),
       ("schriftelijke communicatie", True, 1.5, 4)),
      (("nl", "C2", True),), (18.50, 21.50), (Shift.DAY,), WorkMode.HYBRID,
      "Wft Basis en Wft Schade worden vergoed", (32, 40)),
    V("Klantadviseur bank", Role.AGENT, 2,
      (("betaalverkeer", True, 1.5, None), ("fraudemeldingen", False, 1.5, None),
       ("klantgericht", True, 1, None)),
      (NL_C1, ("en", "B2", True)), (16.80, 19.40), (Shift.DAY, Shift.EVENING), WorkMode.HYBRID,
      "Zes weken opleiding met certificaat", (24, 36)),
    V("Medewerker reisinformatie openbaar vervoer", Role.AGENT, 1,
      (("reisinformatie", False, 1.5, None), ("rustig onder druk", True, 1.5, None),
       ("telefonisch klantcontact", True, 1, None)),
      (NL_C1, ("en", "B1", False)), (14.90, 16.40), (Shift.DAY, Shift.EVENING, Shift.WEEKEND),
      WorkMode.ON_SITE, "Inwerkperiode van twee weken", (16, 32)),
    V("Franstalige klantenservicemedewerker", Role.AGENT, 1,
      (("klantcontact", True, 1, None), ("klachten afhandelen", False, 1, None)),
      (("fr", "C1", True), ("nl", "B2", True)), (16.50, 18.80), (Shift.DAY,), WorkMode.HYBRID,
      "Productopleiding in het Frans", (24, 40)),
    V("Senior klantadviseur energie", Role.SENIOR_AGENT, 2,
      (("klachtafhandeling", True, 2, 4), ("coaching on the job", False, 1.5, None),
       ("Salesforce", False, 1, 3), ("kennis van energiecontracten", True, 1.5, 3)),
      (NL_C1,), (17.50, 20.00), (Shift.DAY,), WorkMode.HYBRID,
      "Doorgroeitraject naar specialist", (32, 38)),
    V("Kwaliteitscoach klantcontact", Role.QUALITY_COACH, 3,
      (("kwaliteitsmonitoring", True, 2, 3), ("feedback geven", True, 2, 4),
       ("gesprekken meeluisteren", False, 1, None)),
      (NL_C1,), None, (Shift.DAY,), WorkMode.HYBRID,
      "Coachopleiding (extern, vergoed)", (32, 40), (2900, 3500)),
    V("Trainer klantcontact", Role.TRAINER, 3,
      (("trainingen geven", True, 2, 3), ("e-learning maken", False, 1, None),
       ("klachtafhandeling", False, 1, 4)),
      (NL_C1,), None, (Shift.DAY,), WorkMode.HYBRID,
      "Train-de-trainer programma", (32, 40), (3000, 3700)),
    V("Workforce planner", Role.WORKFORCE_PLANNER, 3,
      (("workforce management", True, 2, 3), ("forecasting", True, 1.5, 2),
       ("Excel", True, 1.5, 4)),
      (NL_C1, ("en", "B2", False)), None, (Shift.DAY,), WorkMode.HYBRID,
      "Opleiding NICE WFM", (32, 40), (3100, 3900)),
    V("Teamleider klantcontact", Role.TEAM_LEAD, 4,
      (("leidinggeven", True, 2, 3), ("coachen", True, 1.5, 3), ("KPI's", False, 1, None)),
      (NL_C1,), None, (Shift.DAY, Shift.EVENING), WorkMode.ON_SITE,
      "Leiderschapsprogramma in het eerste jaar", (36, 40), (3300, 4200)),
    V("Procesverbeteraar klantcontact", Role.PROCESS_IMPROVEMENT, 4,
      (("procesverbetering", True, 2, 3), ("Lean", False, 1.5, None),
       ("rapportages maken", False, 1, None)),
      (NL_C1,), None, (Shift.DAY,), WorkMode.HYBRID,
      "Green Belt opleiding", (32, 40), (3400, 4300)),
    V("Klantcontactmedewerker gemeente", Role.AGENT, 1,
      (("telefonisch klantcontact", True, 1.5, None), ("inlevingsvermogen", True, 1.5, None),
       ("luisterend oor", False, 1, None)),
      (NL_C1,), (15.20, 17.00), (Shift.DAY,), WorkMode.HYBRID,
      "Opleiding dienstverlening overheid", (24, 36)),
)
