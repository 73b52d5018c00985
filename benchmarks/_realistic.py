"""Ordinary traffic of the kinds a guarded application sees, written for the benchmarks.

Repeating one paragraph makes a fast benchmark text: few distinct words, no markup, no digits, no
whitespace runs. Real messages and retrieved documents have all of those, and cost more to scan.
These texts mix them: chat questions with inline code, e-mail, Markdown tables, source code, logs
and prose in several languages, at about 300 characters (messages) and about 4 KB (documents).
"""

from __future__ import annotations

MESSAGES: tuple[str, ...] = (
    (
        "I'm getting `TypeError: 'NoneType' object is not subscriptable` when I call parse_row(line)[0] "
        "inside my CSV loop. The file has 12,430 rows and it only fails on a few of them. Could the empty "
        "lines at the end be the reason? How would you guard against that in "
        "Python 3.11? A short example would help."
    ),
    (
        "Hi, my order #A-20931 arrived yesterday but the blender's lid is cracked (photo attached). I'd "
        "like a replacement rather than a refund if possible. Also, can you confirm whether the 2-year "
        "warranty covers the motor? I'm home after 5pm on weekdays. Thanks a lot, Priya"
    ),
    (
        "Hallo Frau Schäfer, vielen Dank für Ihre schnelle Rückmeldung! Können wir den Termin am "
        "Donnerstag auf 14:30 Uhr verschieben? Die Präsentation für den Kunden ist fast fertig, mir "
        "fehlen nur noch die Zahlen für das dritte Quartal. Das Protokoll "
        "schicke ich morgen. Viele Grüße, Jonas"
    ),
    (
        "The new headphones are great for the price (€79): battery lasts ~30h, pairing is instant and "
        'the "transparency" mode actually works on the train. Only downside: the case feels cheap. '
        "Would I buy them again? Probably yes 👍 Tip: update the firmware first, it fixes the mic."
    ),
    (
        "¿Podrías explicarme la diferencia entre una hipoteca a tipo fijo y una a tipo variable? "
        "Tengo 34 años, quiero comprar un piso de unos 180.000 € en Valencia y no sé cuál me conviene "
        "más si los tipos bajan el año que viene. Mi banco me ofrece un 2,9 % fijo a 25 años."
    ),
    (
        "Write a short checklist for onboarding a new backend engineer:\n- laptop & accounts\n- access "
        "to the staging cluster\n- first PR (docs fix)\n- on-call shadowing in week 3\nKeep it under 10 "
        "items and friendly in tone. Use second person and end with who to ask for help."
    ),
    (
        "来週の大阪出張のために、新幹線の予約と会議室の手配をお願いできますか？会議は火曜日の午後二時から"
        "四時までで、参加者は六名です。資料は前日までに共有フォルダにアップロードします。"
        "宿泊は駅の近くのビジネスホテルを一泊でお願いします。領収書は会社名でお願いします。よろしくお願いします。"
    ),
    (
        "SELECT c.name, COUNT(o.id) FROM customers c LEFT JOIN orders o ON o.customer_id = c.id "
        "WHERE o.created_at >= '2024-01-01' GROUP BY c.name; -- why does this drop customers with no "
        "orders at all? I expected zeros. This is PostgreSQL 15, and created_at is a timestamptz."
    ),
)


def _table() -> str:
    cities = ("Lisbon", "Porto", "Madrid", "Seville", "Lyon", "Ghent", "Utrecht", "Aarhus", "Turin")
    lines = ["| Year | City      | Venue                 | Attendance | Notes          |"]
    lines.append("|------|-----------|-----------------------|-----------:|----------------|")
    for i in range(56):
        city = cities[i % len(cities)]
        notes = ("sold out", "", "moved indoors", "rain delay")[i % 4]
        venue = f"{city} Arena {i % 3 + 1}"
        lines.append(f"| {1980 + i} | {city:<9} | {venue:<21} | {8_000 + 137 * i:>10,} | {notes:<14} |")
    return "\n".join(lines)


def _email() -> str:
    parts = [
        (
            "From: Maria Lopez <maria.lopez@example.org>\nTo: ops-team@example.org\n"
            "Subject: Re: Re: Q3 warehouse move, final schedule\nDate: Tue, 8 Oct 2024 09:14:22 +0200\n\n"
            "Hi all,\n\nThanks for the quick turnaround. Two changes from our side:\n\n"
            "1. The forklift rental starts on the 14th, not the 12th (the vendor confirmed by phone).\n"
            "2. Pallet labels will be printed on site; please bring the Zebra printer from Hall B.\n\n"
            "Everything else in the plan below still stands. Shout if anything looks off.\n\n"
            "Best,\nMaria\n\n"
        ),
    ]
    for day in range(13):
        parts.append(
            f"> On Mon, {day + 1} Oct 2024 at 17:{day * 7 + 3:02d}, Tom Becker wrote:\n"
            f"> Day {day + 1}: racks {day * 8 + 1}-{day * 8 + 8} emptied and wrapped; inventory "
            f"count by the night shift; trucks at 06:30 and 11:00. Contact on site: "
            f"+49 30 5550 {day}1{day}2.\n"
            "> Please double-check the loading-dock access badges before then.\n>\n"
        )
    parts.append("--\nSent from the warehouse tablet. Unsubscribe from ops digests in your settings.\n")
    return "".join(parts)


def _code() -> str:
    out = [
        (
            '"""Small helpers for reading sensor exports."""\n\nfrom __future__ import annotations\n\n'
            "import csv\nimport statistics\nfrom pathlib import Path\n\n"
        )
    ]
    for name in (
        "temperature",
        "humidity",
        "pressure",
        "wind_speed",
        "rainfall",
        "uv_index",
        "co2",
        "noise",
        "pm25",
        "ozone",
    ):
        out.append(
            f"def mean_{name}(path: Path, *, skip_header: bool = True) -> float:\n"
            f'    """Return the mean {name.replace("_", " ")} in *path*, ignoring empty cells."""\n'
            "    with path.open(newline='') as fh:\n"
            "        rows = csv.reader(fh)\n"
            "        if skip_header:\n"
            "            next(rows, None)\n"
            f"        values = [float(r[1]) for r in rows if len(r) > 1 and r[1].strip()]\n"
            f"    return statistics.fmean(values) if values else float('nan')\n\n\n"
        )
    return "".join(out)


def _prose() -> str:
    paragraphs = (
        (
            "The old harbour of the town was rebuilt in 1884, after a storm destroyed most of the wooden "
            "piers. Fishermen moved their boats to the new stone quay, and within a decade the market hall "
            "next to it had become the busiest building on the coast."
        ),
        (
            "Today the hall hosts a Saturday market with about forty stalls: cheese from the valley farms, "
            "smoked fish, honey, second-hand books and, in summer, strawberries that sell out by ten "
            "o'clock. Parking is limited, so most visitors come by bus (line 7) or bike."
        ),
        (
            "Local historians argue about the name of the quay. \"Nobody called it King's Quay before the "
            'guidebooks did," says one of them, pointing at a 1902 map where it is simply marked as the '
            "new pier. The town council, for its part, uses both names."
        ),
        (
            "In 2019 the council approved a plan to restore the lighthouse at the end of the quay. Work "
            "began two years later; the lamp room reopened to visitors in May, with a small exhibition on "
            "the keepers who lived there until the light was automated in 1967."
        ),
    )
    text = "\n\n".join(paragraphs)
    return "\n\n".join([text] * 4)[:4096]


def _french() -> str:
    text = (
        "Le comité de quartier s'est réuni jeudi soir à la médiathèque pour préparer la fête de "
        "printemps. Après un rapide bilan de l'année écoulée, les bénévoles ont réparti les tâches : "
        "décoration de la place, stand de crêpes, atelier de réparation de vélos et concert en plein "
        "air. « Nous avons besoin d'au moins douze personnes le samedi matin », a rappelé la "
        "présidente. La mairie prête les barnums et les tables ; il reste à trouver une sono et des "
        "rallonges électriques. Le budget prévisionnel s'élève à 1 850 €, dont 600 € de subvention. "
    )
    return (text * 8)[:4096]


def _log() -> str:
    lines = []
    for i in range(40):
        level = ("INFO", "INFO", "WARN", "INFO", "DEBUG")[i % 5]
        lines.append(
            f"2024-10-08T09:{i:02d}:{(i * 7) % 60:02d}.{i * 37 % 1000:03d}Z "
            f"{level:<5} api.worker[{4100 + i % 4}] "
            f"request_id=7f3a{i:04x} path=/v1/orders/{51_000 + i} status={200 if i % 9 else 404} "
            f"duration_ms={12 + i * 3 % 50}"
        )
    return "\n".join(lines)[:4096]


DOCUMENTS: tuple[str, ...] = tuple(
    d[:4096] for d in (_table(), _email(), _code(), _prose(), _french(), _log())
)
