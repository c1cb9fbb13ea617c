"""Who is in the demo: the agencies and their referrers, and the invented names, places
and NHS numbers the children and families are given. Everything here is invented."""

from __future__ import annotations

import random

from demo.data.agencies import AGENCIES
from referrals.census import Ethnicity, Religion

POLICE = "Northshire Police"
MILLBROOK = "Millbrook Primary School"
CASTLE_HILL = "Castle Hill Academy"
GP = "Riverside Medical Practice"
HV = "Northshire Health Visiting Service"
NURSING = "Northshire School Nursing Service"
PROBATION = "Northshire Probation Delivery Unit"
YJS = "Northshire Youth Justice Service"
PATHWAYS = "Pathways Drug and Alcohol Service"
AGENCY_TYPES = dict(AGENCIES)

SCREENER = "screener"
MANAGER = "manager"
PARTNER = "partner.health"  # answers information requests to health visiting

# Referrers: the demo users where the agency has one, otherwise one synthetic referrer.
# username, first name, last name, agency, job title, phone
EXTRA_REFERRERS: list[tuple[str, str, str, str, str, str]] = [
    ("referrer.academy", "Nadia", "Quarrell", CASTLE_HILL, "Head of year 9", "01632 960141"),
    ("referrer.gp", "Owen", "Tallis", GP, "GP partner", "01632 960142"),
    ("referrer.schoolnurse", "Bethan", "Corrie", NURSING, "School nurse", "01632 960143"),
    ("referrer.probation", "Marcus", "Heywood", PROBATION, "Probation officer", "01632 960144"),
    ("referrer.youthjustice", "Leah", "Dunstan", YJS, "Youth justice worker", "01632 960145"),
    ("referrer.pathways", "Tariq", "Fenmore", PATHWAYS, "Recovery worker", "01632 960146"),
]
REFERRERS: dict[str, tuple[str, ...]] = {
    POLICE: ("referrer.police",),
    MILLBROOK: ("referrer.school", "lead.school"),
    HV: ("referrer.health",),
    **{agency: (username,) for username, _, _, agency, _, _ in EXTRA_REFERRERS},
}
# The ages (in years; -1 is unborn) each agency sees.
AGENCY_AGES: dict[str, tuple[int, int]] = {
    MILLBROOK: (4, 10),
    CASTLE_HILL: (11, 16),
    HV: (-1, 4),
    NURSING: (5, 17),
    YJS: (10, 17),
    POLICE: (0, 17),
    GP: (-1, 17),
    PROBATION: (-1, 17),
    PATHWAYS: (-1, 17),
}

# --- Invented people and places ---------------------------------------------------------

SURNAMES = (
    "Ashcombe",
    "Brackenlee",
    "Cindervale",
    "Dovecote",
    "Emberlee",
    "Fernhollow",
    "Gorsewick",
    "Hazelmere",
    "Ivydene",
    "Juniperlee",
    "Kingsmere",
    "Lindenwold",
    "Marshbrook",
    "Orchardson",
    "Pebbleworth",
    "Ravenholt",
    "Sedgecombe",
    "Tamblyn",
    "Umberley",
    "Valewood",
    "Willowmere",
    "Yarrowfield",
    "Brindlemoor",
    "Copperdale",
    "Thornmere",
    "Heathwick",
    "Mossley-Dane",
    "Rushmere",
    "Larkwood",
    "Foxhollow",
    "Bramblecote",
    "Elmstead",
    "Nethercott",
    "Wildacre",
)
BOYS = (
    "Alfie",
    "Archie",
    "Bobby",
    "Callum",
    "Charlie",
    "Dylan",
    "Ethan",
    "Finley",
    "Freddie",
    "George",
    "Harley",
    "Harrison",
    "Jack",
    "Jacob",
    "Jake",
    "Kai",
    "Leo",
    "Logan",
    "Louie",
    "Lucas",
    "Mohammed",
    "Noah",
    "Ollie",
    "Reggie",
    "Riley",
    "Ryan",
    "Sonny",
    "Teddy",
    "Theo",
    "Tommy",
    "Yusuf",
    "Zain",
    "Kacper",
    "Luca",
    "Ibrahim",
    "Jayden",
    "Ronnie",
    "Ezra",
)
GIRLS = (
    "Amelia",
    "Amber",
    "Ava",
    "Bella",
    "Chloe",
    "Daisy",
    "Ellie",
    "Emily",
    "Evie",
    "Freya",
    "Grace",
    "Hollie",
    "Isla",
    "Ivy",
    "Jessica",
    "Kacey",
    "Lily",
    "Lola",
    "Maya",
    "Mia",
    "Millie",
    "Nevaeh",
    "Olivia",
    "Phoebe",
    "Poppy",
    "Rosie",
    "Ruby",
    "Sienna",
    "Sofia",
    "Summer",
    "Tilly",
    "Willow",
    "Zara",
    "Amira",
    "Zuzanna",
    "Hafsa",
    "Esme",
    "Leah",
)
WOMEN = (
    "Chantelle",
    "Leanne",
    "Sophie",
    "Kerry",
    "Gemma",
    "Rachel",
    "Donna",
    "Nicola",
    "Hannah",
    "Claire",
    "Jade",
    "Joanne",
    "Stacey",
    "Kirsty",
    "Amy",
    "Natalie",
    "Samantha",
    "Laura",
    "Aisha",
    "Magdalena",
    "Shannon",
    "Danielle",
    "Rebecca",
    "Toni",
    "Ioana",
    "Fatima",
)
MEN = (
    "Dean",
    "Gary",
    "Ryan",
    "Lee",
    "Craig",
    "Mark",
    "Steve",
    "Connor",
    "Jamie",
    "Darren",
    "Wayne",
    "Carl",
    "Liam",
    "Scott",
    "Paul",
    "Kieran",
    "Tomasz",
    "Imran",
    "Jason",
    "Aaron",
)
CALLERS = ("Pauline", "Margaret", "Beverley", "Sandra", "Kim", "Denise", "Trevor", "Keith")
STREETS = (
    "Larkspur Close",
    "Foundry Lane",
    "Kestrel Way",
    "Orchard Rise",
    "Tannery Row",
    "Heron Court",
    "Bramble Walk",
    "Station Terrace",
    "Copse View",
    "Wharf Street",
    "Pinfold Gardens",
    "Saddler Road",
    "Mill Race",
    "Quarry Bank",
    "Chapel Fold",
    "Beacon Drive",
    "Weaver Street",
    "Goose Green",
    "Ropewalk",
    "Cinder Path",
    "Abbey Mews",
    "Sycamore Avenue",
)
TOWNS: dict[str, tuple[int, ...]] = {
    "Millbrook": (2, 3),
    "Castle Hill": (5,),
    "Riverside": (6, 7),
    "Northfield": (4,),
    "Ashby Cross": (8, 9),
}
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
ETHNICITIES = {
    Ethnicity.WBRI: 58,
    Ethnicity.WOTH: 7,
    Ethnicity.WIRI: 1,
    Ethnicity.WROM: 1,
    Ethnicity.WIRT: 1,
    Ethnicity.MWBC: 5,
    Ethnicity.MWBA: 2,
    Ethnicity.MWAS: 3,
    Ethnicity.MOTH: 2,
    Ethnicity.AIND: 3,
    Ethnicity.APKN: 5,
    Ethnicity.ABAN: 2,
    Ethnicity.AOTH: 1,
    Ethnicity.BCRB: 2,
    Ethnicity.BAFR: 4,
    Ethnicity.BOTH: 1,
    Ethnicity.CHNE: 1,
    Ethnicity.OOTH: 1,
    Ethnicity.NOBT: 4,
    Ethnicity.REFU: 1,
}
LANGUAGES = {
    Ethnicity.WOTH: ("Polish", "Romanian", "Lithuanian", "English"),
    Ethnicity.WROM: ("Romanian", "Romani"),
    Ethnicity.APKN: ("English", "English", "Urdu"),
    Ethnicity.ABAN: ("English", "Bengali"),
    Ethnicity.BAFR: ("English", "Somali", "Tigrinya"),
    Ethnicity.AOTH: ("English", "Arabic"),
    Ethnicity.OOTH: ("Arabic", "Kurdish", "English"),
}
RELIGIONS = {
    Ethnicity.APKN: (Religion.MUSLIM,),
    Ethnicity.ABAN: (Religion.MUSLIM,),
    Ethnicity.AIND: (Religion.HINDU, Religion.SIKH, Religion.NOT_KNOWN),
    Ethnicity.BAFR: (Religion.CHRISTIAN, Religion.MUSLIM),
    Ethnicity.WOTH: (Religion.CHRISTIAN, Religion.NOT_KNOWN),
    Ethnicity.OOTH: (Religion.MUSLIM, Religion.NOT_KNOWN),
}
DISABILITIES = (["AUT"], ["LD"], ["COMM"], ["BEH"], ["AUT", "COMM"], ["MOB"], ["HE"])


def nhs_number(rng: random.Random) -> str:
    """An NHS number in the 999 range kept for testing, with a valid modulus-11 digit."""
    while True:
        body = "999" + "".join(str(rng.randrange(10)) for _ in range(6))
        check = 11 - sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True)) % 11
        if check == 11:
            check = 0
        if check != 10:
            return body + str(check)
