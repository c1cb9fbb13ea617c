"""Child matching benchmark: find_matches against many synthetic children on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/frontdoor_bench \\
        .venv/bin/python bench/bench_matching.py --children 1000000

It refuses any database whose name does not contain "bench", creates that database if
it is missing, migrates it, replaces every child in it with synthetic ones (COPY, with
the trigram indexes dropped during the load and built after), then times find_matches
for a few hundred queries of several kinds and prints p50/p95/p99 latency and how often
the child the query was made from came back (first, and in the top 10).

Not part of the test suite. Every value is synthetic.
"""

from __future__ import annotations

import argparse
import importlib
import io
import json
import os
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _words(text: str) -> list[str]:
    return text.split()


SURNAMES = _words("""smith jones taylor brown williams wilson johnson davies patel robinson wright
thompson evans walker white roberts green hall thomas clarke jackson wood harris
edwards turner martin cooper hill ward hughes moore clark king harrison lewis baker
lee allen morris khan scott watson davis parker james bennett young phillips
richardson mitchell bailey carter cook singh shaw bell collins morgan kelly begum
miller cox hussain marshall simpson price anderson adams wilkinson ali ahmed foster
ellis murphy chapman mason gray richards webb griffiths hunt palmer campbell holmes
mills rogers barnes knight matthews barker powell stevens kaur dixon kennedy butler
lloyd russell jenkins murray graham fletcher okafor mensah nowak kowalski smyth
oconnor mcdonald akhtar iqbal rahman chowdhury nguyen chen yilmaz popescu""")
FIRST_NAMES = _words("""oliver george harry noah jack leo arthur muhammad oscar charlie jacob
thomas henry william freddie theo archie alfie joshua james alexander isaac lucas
edward samuel daniel max ethan adam logan mason joseph dylan jake ryan liam
olivia amelia isla ava mia ivy lily isabella rosie sophia grace freya willow florence
emily ella poppy evie elsie charlotte evelyn sienna daisy phoebe sophie millie ruby
alice matilda harper aisha fatima zainab maryam hannah chloe jessica katie catherine
elizabeth rebecca abigail megan lucy emma holly amy jasmine leah zara layla nia
priya aleksander kacper jan zofia maja amira yusuf ibrahim omar hamza ayaan""")
ONSETS = _words("b d f g h j k l m n p r s t v w y z br ch st th sh")
VOWELS = _words("a e i o u ai ee ou ia")
DISTRICTS = [f"{area}{n}" for area in ("LS", "BD", "HX", "WF", "HD") for n in range(1, 30)]
TYPO_LETTERS = "aeiouy"


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    import dj_database_url

    database = dj_database_url.parse(url) if url else {}
    name = database.get("NAME") or ""
    if database.get("ENGINE") != "django.db.backends.postgresql" or "bench" not in name:
        sys.exit(
            "Set DATABASE_URL to a PostgreSQL database whose name contains 'bench', e.g. "
            "postgres://postgres@127.0.0.1:5432/frontdoor_bench. Every child in it is "
            "replaced."
        )
    _create_database_if_missing(database)
    _set_up_django()

    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    rng = random.Random(args.seed)  # noqa: S311 - synthetic data, not secrets
    loaded = _count_children()
    if args.reuse and loaded == args.children:
        print(f"Reusing {loaded:,} children already in {name}")
    else:
        _load(args.children, rng)
    _run_queries(args.queries, rng, name=name)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--children", type=int, default=100_000, help="default 100,000")
    parser.add_argument("--queries", type=int, default=300, help="default 300")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep the children already loaded when there are exactly --children of them",
    )
    return parser.parse_args()


def _create_database_if_missing(database: dict) -> None:
    import psycopg2
    from psycopg2 import sql

    connection = psycopg2.connect(
        dbname="postgres",
        user=database.get("USER") or None,
        password=database.get("PASSWORD") or None,
        host=database.get("HOST") or None,
        port=database.get("PORT") or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database["NAME"])))
            print(f"Created database {database['NAME']}")
    connection.close()


def _set_up_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "frontdoor.settings")
    os.environ.setdefault("DJANGO_DEBUG", "true")  # a bench database is not production
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False  # no query log: time the code, not the debug machinery


def _count_children() -> int:
    from referrals.models import Child

    return Child.objects.count()


# --- Synthetic children -------------------------------------------------------------------


def _weighted(names: list[str]) -> tuple[list[str], list[float]]:
    """Zipf-like frequencies: the first names in the list are the most common."""
    return names, [1 / (rank + 1) ** 0.3 for rank in range(len(names))]


def _invented(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) for _ in range(syllables))


def _nhs_numbers(rng: random.Random):
    """Unique valid NHS numbers: consecutive nine-digit stems with their check digit."""
    stem = rng.randrange(400_000_000, 500_000_000)
    while True:
        stem += 1
        digits = f"{stem:09d}"
        total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        if check == 10:
            continue
        yield digits + str(0 if check == 11 else check)


def _children(count: int, rng: random.Random):
    surnames, surname_weights = _weighted(SURNAMES)
    first_names, first_weights = _weighted(FIRST_NAMES)
    postcodes = [
        f"{rng.choice(DISTRICTS)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
        for _ in range(max(count // 4, 1))
    ]
    nhs = _nhs_numbers(rng)
    oldest = date(2008, 1, 1).toordinal()
    days = (date(2025, 12, 31) - date(2008, 1, 1)).days
    for _ in range(count):
        # A long tail of rarer names (invented), as a real population has.
        # About 1% Smith and 1.3% Oliver, as in England; the listed names make up 40% of
        # last names and 45% of first names, the rest a long tail of invented ones.
        if rng.random() < 0.6:
            last = _invented(rng, rng.randint(2, 4))
        else:
            last = rng.choices(surnames, surname_weights)[0]
        if rng.random() < 0.55:
            first = _invented(rng, rng.randint(2, 3))
        else:
            first = rng.choices(first_names, first_weights)[0]
        yield {
            "first_name": first.title(),
            "last_name": last.title(),
            "other_names": _invented(rng, 2).title() if rng.random() < 0.05 else "",
            "date_of_birth": date.fromordinal(oldest + rng.randrange(days)),
            "postcode": rng.choice(postcodes) if rng.random() < 0.9 else "",
            "nhs_number": next(nhs) if rng.random() < 0.9 else "",
        }


def _copy_value(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | dict):
        value = json.dumps(value)
    text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _load(count: int, rng: random.Random) -> None:
    from django.db import connection
    from django.utils import timezone

    from referrals.models import Child

    migration = importlib.import_module("referrals.migrations.0002_child_name_trigram_indexes")

    fields = [f for f in Child._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    now = timezone.now()
    defaults = {f.attname: f.get_default() for f in fields}
    defaults["created_at"] = now
    indexes = {
        name: migration.CREATE_INDEX.format(name=name, column=column)
        for name, column in migration.INDEXES.items()
    }

    started = time.perf_counter()
    with connection.cursor() as cursor:
        # Plain COPY skips the history rows every write to Child makes through the ORM:
        # acceptable only here, in a benchmark's own database, never in the application.
        cursor.execute(
            "TRUNCATE referrals_child, referrals_historicalchild RESTART IDENTITY CASCADE"
        )
        for name in indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
        generated = _children(count, rng)
        loaded = 0
        while loaded < count:
            buffer = io.StringIO()
            for row in _take(generated, min(100_000, count - loaded)):
                values = {**defaults, **row}
                buffer.write("\t".join(_copy_value(values[f.attname]) for f in fields) + "\n")
                loaded += 1
            buffer.seek(0)
            cursor.copy_expert(f"COPY referrals_child ({', '.join(columns)}) FROM STDIN", buffer)
            print(f"  loaded {loaded:,} children ({time.perf_counter() - started:.0f} s)")
        copied = time.perf_counter()
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for create in indexes.values():
            cursor.execute(create)
        indexed = time.perf_counter()
        cursor.execute("VACUUM ANALYZE referrals_child")
    print(
        f"Loaded {count:,} children in {copied - started:.0f} s; trigram indexes built in "
        f"{indexed - copied:.0f} s; vacuum and analyze {time.perf_counter() - indexed:.0f} s"
    )


def _take(iterator, n: int):
    for _ in range(n):
        yield next(iterator)


# --- Queries ----------------------------------------------------------------------------


def _typo(rng: random.Random, name: str) -> str:
    """One plausible slip after the first letter: a vowel changed, or two letters swapped."""
    if len(name) < 4:
        return name + rng.choice("es")
    i = rng.randrange(1, len(name) - 1)
    if rng.random() < 0.5:
        return name[:i] + name[i + 1] + name[i] + name[i + 2 :]
    letter = rng.choice([c for c in TYPO_LETTERS if c != name[i].lower()])
    return name[:i] + letter + name[i + 1 :]


def _variant(first: str) -> str | None:
    from referrals.matching import variants_of

    others = sorted(variants_of(first.lower()) - {first.lower()})
    return others[0].title() if others else None


def _swapped(born: date) -> date | None:
    if born.day > 12 or born.day == born.month:
        return None
    return born.replace(month=born.day, day=born.month)


QUERY_KINDS = {
    "name with a typo": lambda rng, c: {
        "first_name": c.first_name,
        "last_name": _typo(rng, c.last_name),
    },
    "name with a typo + date of birth": lambda rng, c: {
        "first_name": c.first_name,
        "last_name": _typo(rng, c.last_name),
        "date_of_birth": c.date_of_birth,
    },
    "names + day/month swapped": lambda rng, c: (
        {
            "first_name": c.first_name,
            "last_name": c.last_name,
            "date_of_birth": _swapped(c.date_of_birth),
        }
        if _swapped(c.date_of_birth)
        else None
    ),
    "nickname + date of birth + postcode": lambda rng, c: (
        {
            "first_name": _variant(c.first_name),
            "last_name": c.last_name,
            "date_of_birth": c.date_of_birth,
            "postcode": c.postcode.lower().replace(" ", ""),
        }
        if _variant(c.first_name) and c.postcode
        else None
    ),
    "NHS number only": lambda rng, c: {"nhs_number": c.nhs_number} if c.nhs_number else None,
    "postcode only": lambda rng, c: {"postcode": c.postcode} if c.postcode else None,
    # Last (so that the kinds above get the same queries as before it was added): a
    # changed last name, the child's previous one recorded among their other names.
    "changed last name + date of birth": lambda rng, c: (
        {
            "first_name": c.first_name,
            "last_name": c.other_names,
            "date_of_birth": c.date_of_birth,
        }
        if c.other_names
        else None
    ),
}


def _sample_children(rng: random.Random, size: int):
    from django.db.models import Max

    from referrals.models import Child

    top = Child.objects.aggregate(top=Max("pk"))["top"] or 0
    ids = rng.sample(range(1, top + 1), min(size, top))
    return list(Child.objects.filter(pk__in=ids))


def _run_queries(total: int, rng: random.Random, *, name: str) -> None:
    from referrals.matching import find_matches

    per_kind = max(total // len(QUERY_KINDS), 1)
    pool = _sample_children(rng, per_kind * 40)
    rng.shuffle(pool)
    for child in pool[:5]:  # warm the connection and the caches
        find_matches(first_name=child.first_name, last_name=child.last_name)

    print(f"\n{_count_children():,} children in {name}; {os.cpu_count()} CPUs")
    print(
        f"{'query':38} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7}"
        f" {'cpu ms':>7} {'first':>6} {'top 5':>6} {'top 10':>6} {'tied':>5} {'missed':>6}"
    )
    everything, everything_cpu, top5 = [], [], []
    for kind, make in QUERY_KINDS.items():
        timings, cpu, outcomes = [], [], []
        for child in pool:
            if len(timings) == per_kind:
                break
            query = make(rng, child)
            if query is None:
                continue
            started, started_cpu = time.perf_counter(), time.process_time()
            matches = find_matches(**query, limit=10)
            timings.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            outcomes.append(_outcome(query, child, matches))
            top5.append(child.pk in [m.child.pk for m in matches[:5]])
        everything += timings
        everything_cpu += cpu
        print(_line(kind, timings, cpu, outcomes))
    print(_line("all", everything, everything_cpu, None))
    print(f"\nthe child the query was made from in the top 5: {sum(top5)} of {len(top5)}")
    print(
        "\ncpu ms: the mean CPU time of this process for a query (building the queries, "
        "reading the rows, scoring), which other work on the machine disturbs far less "
        "than the wall-clock percentiles; the database's own time is not in it."
    )
    print(
        "first: the child the query was made from came first; top 5: it was among the "
        "first five (first included); top 10: it was returned (top 5 included); "
        "tied: it was not, but 10 others scored as high or higher (children with the same "
        "name and no other detail to tell them apart); missed: neither."
    )


def _outcome(query: dict, child, matches) -> str:
    from referrals.matching.query import ROW_FIELDS, Query, Row
    from referrals.matching.scoring import score

    ids = [m.child.pk for m in matches]
    if ids and ids[0] == child.pk:
        return "first"
    if child.pk in ids[:5]:
        return "top 5"
    if child.pk in ids:
        return "top 10"
    row = Row(*(getattr(child, f) for f in ROW_FIELDS))
    own, _ = score(Query.of(**{**EMPTY_QUERY, **query}), row)
    own = round(own, 3)  # as find_matches rounds
    if len(matches) == 10 and matches[-1].score >= own:
        return "tied"
    return "missed"


EMPTY_QUERY = {
    "first_name": "",
    "last_name": "",
    "date_of_birth": None,
    "postcode": "",
    "nhs_number": "",
}


def _line(kind, timings, cpu, outcomes) -> str:
    if not timings:
        return f"{kind:38} no queries"
    timings = sorted(timings)

    def pct(p: float) -> float:
        return timings[min(int(round(p / 100 * (len(timings) - 1))), len(timings) - 1)]

    n = len(timings)
    line = f"{kind:38} {n:4} {pct(50):7.1f} {pct(95):7.1f} {pct(99):7.1f} {timings[-1]:7.1f}"
    line += f" {sum(cpu) / len(cpu):7.1f}"
    if outcomes:
        first = outcomes.count("first") / n
        top5 = (outcomes.count("first") + outcomes.count("top 5")) / n
        found = (outcomes.count("first") + outcomes.count("top 5") + outcomes.count("top 10")) / n
        line += f" {first:6.0%} {top5:6.0%} {found:6.0%} {outcomes.count('tied') / n:5.0%}"
        line += f" {outcomes.count('missed') / n:6.0%}"
    return line


if __name__ == "__main__":
    main()
