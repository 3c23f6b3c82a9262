"""Person search benchmark: 100,000 people on SQLite and on PostgreSQL.

Loads realistic people (Zipf-weighted English surnames, double-barrelled and apostrophe names,
middle names, dates of birth, postcodes shared by households and care homes, one or two accounts
each) with bulk Core inserts, then runs ~200 searches of each kind through
`app.services.search.search_people` and prints p50/p95/max in milliseconds per kind and backend.
Half the searches run as a manager (every team), half as a team member (own team only).

Usage: python bench/search.py [people] [searches-per-kind]     (defaults 100000 and 200)
"""
from __future__ import annotations

import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sqlalchemy import insert, text  # noqa: E402

from app.models import Account, Person, PersonNameToken, Team  # noqa: E402
from app.services.records.people import name_tokens, postcode_key
from bench.raw_engine import against_goal, raw_cycle_ms  # noqa: E402

TEAMS = ("North", "South", "East", "West", "Central")
GIVEN = """Margaret Mary Jean Joan Patricia Dorothy Betty Barbara Doris Elizabeth Irene Joyce
Sheila Brenda Eileen Kathleen Pamela Maureen Sylvia Valerie Christine Susan Linda Janet Ann Anne
Sandra Carol Gillian Jennifer Marjorie Edna Ethel Elsie Vera Hilda Gladys Winifred Florence
Audrey Rose Lilian Evelyn Iris Muriel June Shirley Rita Beryl Peggy Marion Mavis Norma Thelma
Wendy Yvonne Sarah Emma Claire Helen Karen Julie Nicola Michelle Rachel Lisa Amanda Joanne Priya
Aisha Fatima Mary-Jane Anne-Marie Zoë Siobhan Niamh Bronwen Agnieszka Marianne Martha Maria
John William George James Robert Thomas Arthur Albert Frederick Harold Kenneth Ronald Dennis
Peter Michael David Brian Derek Keith Alan Colin Roy Stanley Leslie Eric Ernest Walter Frank
Charles Edward Henry Raymond Gordon Norman Donald Geoffrey Terence Anthony Trevor Barry Graham
Malcolm Stephen Paul Mark Andrew Richard Christopher Ian Gary Martin Neil Kevin Mohammed Rajesh
Tariq Wojciech Sean Declan Dylan Rhys Jean-Paul Marcus Marek Mario""".split()
SURNAMES = """Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts
Robinson Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson
Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James
Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter
Richardson Bailey Collins Bell Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson
Ellis Adams Singh Begum Wilkinson Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain
Campbell Matthews Owen Palmer Holmes Mills Barnes Knight Lloyd Butler Russell Barker Fisher
Stevens Jenkins Murray Dixon Harvey Pearson Ahmed Fletcher Walsh Kaur Gibson Howard Andrews
Stewart Elliott Reynolds Saunders Payne Fox Ford Pearce Day Brooks West Lawrence Cole Atkinson
Bradley Spencer Gill Dawson Ball Burton O'Brien Watts Booth Perry Ryan Grant Wells Armstrong
Francis Rees Hayes Hart Hudson Newman Barrett Webster Hunter Gregory Carr Lowe Page Marsh Riley
Dunn Woods Parsons Berry Stone Reid Holland Hawkins Harding Porter Robertson Newton Oliver Reed
Kennedy Williamson Bird Gardner Shah Dean Lane Cooke Bates Henderson Parry Burgess Bishop Walton
Burns Nicholson Shepherd Ross Cross Long Freeman Warren Nicholls Hamilton Byrne Sutton McDonald
Yates Hodgson Robson Curtis Hopkins O'Neil O'Connor MacLeod Smith-Jones Fitzgerald Ashworth-Brown
D'Souza Nowak Kowalski Okafor Adeyemi Nguyen Chen Zhang Ahmadi Marsden Marlow""".split()
# The long tail of a real register: surnames outside the common list, made from English
# place-name parts (Ashworth, Thornley, ...), 600 of them, for 55% of people.
TAIL_STARTS = """Ash Brad Brook Cald Craw Dal Fair Gold Hal Hart Holl King Lang Lock Mor North Pen
Red Rad Stan Thorn Wain Whit Wood Black Bar Cran Elm Fern Hay""".split()
TAIL_ENDS = """ley ton worth ford field by well wood stone croft hurst combe more ham den shaw wick
bridge land sby""".split()
TAIL_SHARE = 0.55
AREAS = ("RG", "SO", "PO", "GU", "SP", "BH", "OX", "SN")
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # the letters Royal Mail uses in inward codes
KINDS = ("name prefix", "two-word name", "dob", "reference", "account", "postcode",
         "outward code")


# --- data -----------------------------------------------------------------------------------------
def _postcode_pool(rng: random.Random, size: int) -> list[str]:
    pool = set()
    while len(pool) < size:
        outward = f"{rng.choice(AREAS)}{rng.randint(1, 45)}"
        inward = f"{rng.randint(0, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
        pool.add(f"{outward} {inward}")
    return sorted(pool)


def _name(rng: random.Random, surname_cum_weights: list[float]) -> str:
    given = rng.choice(GIVEN)
    if rng.random() < 0.3:
        given += " " + rng.choice(GIVEN)
    if rng.random() < TAIL_SHARE:
        surname = rng.choice(TAIL_STARTS) + rng.choice(TAIL_ENDS)
    else:
        surname = rng.choices(SURNAMES, cum_weights=surname_cum_weights)[0]
    if rng.random() < 0.03:
        surname += "-" + rng.choice(SURNAMES)
    return f"{given} {surname}"


def generate(n: int, seed: int = 4) -> dict[str, list[dict]]:
    """Rows for team, person, person_name_token and account, with explicit ids."""
    rng = random.Random(seed)
    # Zipf-like: Smith about 1.6% of people (1.3% in England and Wales), Kowalski rare.
    surname_cum_weights = list(accumulate(1 / (rank + 1) ** 0.5 for rank in range(len(SURNAMES))))
    postcodes = _postcode_pool(rng, n // 4)
    care_homes = rng.sample(postcodes, min(200, len(postcodes)))  # dozens of residents each
    born_from, born_span = date(1920, 1, 1), (date(2007, 1, 1) - date(1920, 1, 1)).days
    rows: dict[str, list[dict]] = {
        "team": [{"id": i + 1, "name": name} for i, name in enumerate(TEAMS)],
        "person": [], "token": [], "account": []}
    for i in range(1, n + 1):
        name = _name(rng, surname_cum_weights)
        postcode = rng.choice(care_homes if rng.random() < 0.08 else postcodes)
        rows["person"].append({
            "id": i, "reference": f"P{1000000 + i}", "name": name,
            "date_of_birth": born_from + timedelta(days=rng.randrange(born_span)),
            "address_lines": [f"{rng.randint(1, 200)} High Street"], "postcode": postcode,
            "postcode_key": postcode_key(postcode), "team_id": rng.randint(1, len(TEAMS)),
            "contact_preference": "post", "deceased": False, "in_care_home": False,
            "owns_property": False, "property_disregarded": False})
        rows["token"].extend({"person_id": i, "token": t[:60]} for t in name_tokens(name))
        for _ in range(rng.choices((0, 1, 2), (5, 85, 10))[0]):
            rows["account"].append({"id": len(rows["account"]) + 1, "person_id": i,
                                    "number": f"{20000000 + len(rows['account']) * 7}",
                                    "billing_frequency": "four_weekly",
                                    "payment_method": "invoice"})
    return rows


def load(connection, rows: dict[str, list[dict]], chunk: int = 10_000) -> None:
    """Bulk Core inserts (executemany), a chunk at a time."""
    for model, key in ((Team, "team"), (Person, "person"), (PersonNameToken, "token"),
                       (Account, "account")):
        data = rows[key]
        for start in range(0, len(data), chunk):
            connection.execute(insert(model.__table__), data[start:start + chunk])


# --- searches -------------------------------------------------------------------------------------
def _prefix(rng: random.Random, word: str) -> str:
    return word[:rng.randint(3, 6)]  # what people type before they look at the list


def searches(rows: dict[str, list[dict]], per_kind: int, seed: int = 9) -> dict[str, list]:
    """`per_kind` PersonQuery objects of each kind, built from people who exist."""
    from app.services.records.search import PersonQuery

    rng = random.Random(seed)
    people, accounts = rows["person"], rows["account"]

    def name_words(person: dict) -> list[str]:
        return sorted(name_tokens(person["name"]))

    def one(kind: str) -> PersonQuery:
        person = rng.choice(people)
        words = person["name"].replace("-", " ").split()
        if kind == "name prefix":
            return PersonQuery(name=_prefix(rng, rng.choice(name_words(person))))
        if kind == "two-word name":
            return PersonQuery(name=f"{_prefix(rng, words[0])} {_prefix(rng, words[-1])}")
        if kind == "dob":
            return PersonQuery(date_of_birth=person["date_of_birth"])
        if kind == "reference":
            return PersonQuery(reference=person["reference"])
        if kind == "account":
            return PersonQuery(account_number=rng.choice(accounts)["number"])
        if kind == "postcode":
            postcode = person["postcode"]
            return PersonQuery(postcode=rng.choice((postcode, postcode.lower().replace(" ", ""))))
        return PersonQuery(postcode=person["postcode"].split()[0])

    return {kind: [one(kind) for _ in range(per_kind)] for kind in KINDS}


def run_searches(queries: dict[str, list], users: list) -> dict[str, list[float]]:
    """Milliseconds per search, each in its own session as a request would be; users alternate."""
    from app.extensions import db
    from app.services.records.search import search_people

    for query in queries["two-word name"][:20]:  # warm the statement cache and the page cache
        search_people(query, users[0])
        db.session.remove()
    timings: dict[str, list[float]] = {}
    for kind, kind_queries in queries.items():
        timings[kind] = []
        for i, query in enumerate(kind_queries):
            user = users[i % len(users)]
            began = time.perf_counter()
            _, total = search_people(query, user)
            timings[kind].append(1000 * (time.perf_counter() - began))
            db.session.remove()
            # Every query is built from someone on file: a manager must find them.
            assert total or not user.sees_all_teams, (kind, query)
    return timings


# --- backends -------------------------------------------------------------------------------------
def bench_backend(label: str, url: str, rows: dict, queries: dict) -> dict[str, list[float]]:
    from flask_migrate import upgrade
    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from app import create_app
    from app.config import TestConfig
    from app.extensions import db
    from app.models import User
    from app.services.staff import users

    config = {k: getattr(TestConfig, k) for k in dir(TestConfig) if k.isupper()}
    app = create_app({**config, "SQLALCHEMY_DATABASE_URI": url, "CASEWORK_CLOCK": "real"})
    with app.app_context():
        upgrade()
        began = time.perf_counter()
        with db.engine.begin() as connection:
            load(connection, rows)
        if db.engine.dialect.name == "postgresql":
            # What autovacuum does for a live database: statistics and the visibility map.
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM ANALYZE"))
        print(f"{label}: loaded {len(rows['person']):,} people, {len(rows['token']):,} name "
              f"tokens, {len(rows['account']):,} accounts in {time.perf_counter() - began:.1f} s")
        users.add_user("manager", "bench-password", ["finance_manager"], "North")
        users.add_user("assistant", "bench-password", ["finance_assistant"], "North")
        people_searching = list(db.session.scalars(
            select(User).options(selectinload(User.role_rows)).order_by(User.username)))
        db.session.remove()
        timings = run_searches(queries, people_searching)
        db.engine.dispose()
    return timings


# A search answers within this at the 95th percentile, whatever its kind.
GOAL_MS = 500


def report(results: dict[str, dict[str, list[float]]], people: int) -> None:
    backends = list(results)
    print(f"\nsearch_people with {people:,} people: milliseconds per call "
          "(page, count when needed, accounts)")
    print(f"{'':<15}" + "".join(f"{b:>27}" for b in backends))
    print(f"{'kind':<15}" + "".join(f"{'p50':>9}{'p95':>9}{'max':>9}" for _ in backends))
    for kind in KINDS:
        line = f"{kind:<15}"
        for backend in backends:
            ms = results[backend][kind]
            line += f"{statistics.median(ms):9.1f}{statistics.quantiles(ms, n=20)[-1]:9.1f}"
            line += f"{max(ms):9.1f}"
        print(line)
    raw_ms = raw_cycle_ms()
    for backend in backends:
        worst = max(statistics.quantiles(ms, n=20)[-1] for ms in results[backend].values())
        print(against_goal(f"{backend}: slowest kind, p95", worst, GOAL_MS, raw_ms))


def main() -> None:
    people = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    per_kind = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    rows = generate(people)
    queries = searches(rows, per_kind)
    results = {}
    tmp = Path(tempfile.mkdtemp(prefix="search-bench-"))
    try:
        results["SQLite"] = bench_backend("SQLite", f"sqlite:///{tmp / 'bench.sqlite'}", rows,
                                          queries)
        from tests.pg_cluster import PostgresCluster

        cluster = PostgresCluster.start(REPO / ".pgtest" / f"search{uuid.uuid4().hex[:6]}")
        try:
            results["PostgreSQL"] = bench_backend("PostgreSQL", cluster.url, rows, queries)
        finally:
            cluster.stop()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    report(results, people)


if __name__ == "__main__":
    main()
