"""A deterministic, realistic demo population for ``skillbridge seed-demo``.

Mentors and learners in cities across Africa, with the local languages, timezones, names and working
hours of each place, and skills drawn from a small set of coherent learning tracks. The same seed always
gives the same people, so a demo database, a screenshot and a benchmark can be rebuilt exactly.

Nothing here touches a database: :func:`demo_registrations` returns the inputs of the ``RegisterUser``
use case, and the CLI feeds them through it like any other registration.
"""

from __future__ import annotations

import random
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from skillbridge.application.accounts.registration import Registration
from skillbridge.domain.accounts.profile import LocationInput, ProfileInput
from skillbridge.domain.accounts.roles import Role

#: The one password of every demo account (meets the password policy; never use it for a real account).
DEMO_PASSWORD = "Bridge-Demo-Kigali-2026"  # noqa: S105 - a published demo credential, not a secret
DEMO_EMAIL_DOMAIN = "demo.skillbridge.africa"

#: Degrees of random offset around a city centre (about 5 km), so people in one city are not one point.
JITTER_DEGREES = 0.05
# Slots are computed for one fixed week so the data never depends on today's date (Cairo and Casablanca
# change their offsets during the year; an hour's drift in a demo does not matter, non-determinism would).
_REFERENCE_MONDAY = datetime(2026, 1, 5)  # a local wall-clock time: each city attaches its own zone
_GITHUB_MAX = 39


@dataclass(frozen=True, slots=True)
class Culture:
    """A naming tradition and the language that goes with it."""

    language: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]

    @classmethod
    def of(cls, language: str, first_names: str, last_names: str) -> Culture:
        """A culture from comma-separated name lists (some family names have spaces: "van der Merwe")."""
        return cls(language, _split(first_names, ","), _split(last_names, ","))


@dataclass(frozen=True, slots=True)
class DemoCity:
    """A city the demo population lives in.

    ``official`` always holds one of en, fr or ar (the matcher needs a shared language); ``cultures``
    maps to :data:`CULTURES` keys with relative weights; ``weight`` is the city's share of the population.
    """

    name: str
    country: str
    lat: float
    lon: float
    timezone: str
    official: tuple[str, ...]
    cultures: tuple[tuple[str, int], ...]
    weight: int


@dataclass(frozen=True, slots=True)
class Track:
    """A coherent learning path: the skills that always come with it and the ones that may."""

    title: str
    core: tuple[str, ...]
    extra: tuple[str, ...]

    @classmethod
    def of(cls, title: str, core: str, extra: str) -> Track:
        """A track from space-separated skill slugs."""
        return cls(title, _split(core), _split(extra))


def _split(text: str, separator: str | None = None) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(separator) if part.strip())


CULTURES: dict[str, Culture] = {
    "yoruba": Culture.of(
        "yo",
        "Adebayo, Adeola, Folake, Olumide, Temitope, Babajide, Funmilayo, Oluwaseun, Yetunde, Kehinde, Damilola, Tunde",
        "Adeyemi, Ogunleye, Bakare, Adebisi, Ogunbanjo, Afolabi, Oyelaran, Akinola",
    ),
    "igbo": Culture.of(
        "ig",
        "Amara, Chinedu, Ngozi, Obinna, Chiamaka, Emeka, Ifeoma, Nnamdi, Uchenna, Adaeze",
        "Okafor, Eze, Nwosu, Okonkwo, Obi, Uzor, Nwankwo, Chukwu",
    ),
    "hausa": Culture.of(
        "ha",
        "Aisha, Musa, Abubakar, Zainab, Ibrahim, Hauwa, Sani, Maryam, Yusuf, Halima",
        "Bello, Abdullahi, Danjuma, Suleiman, Garba, Yakubu, Lawal, Usman",
    ),
    "akan": Culture.of(
        "ak",
        "Kwame, Ama, Kofi, Akosua, Yaw, Abena, Kwabena, Efua, Kojo, Adwoa",
        "Mensah, Owusu, Asante, Boateng, Osei, Agyeman, Darko, Appiah",
    ),
    "kenyan": Culture.of(
        "sw",
        "Wanjiru, Otieno, Achieng, Kamau, Njeri, Odhiambo, Wambui, Kiprop, Chebet, Mutua",
        "Mwangi, Omondi, Kariuki, Wekesa, Njoroge, Ochieng, Kiptoo, Mutiso",
    ),
    "swahili": Culture.of(
        "sw",
        "Neema, Baraka, Rehema, Juma, Amani, Zawadi, Hamisi, Upendo, Faraji, Imani",
        "Mushi, Mrisho, Kimaro, Massawe, Mwakyusa, Shirima, Lyimo, Kombo",
    ),
    "ganda": Culture.of(
        "lg",
        "Brian, Grace, Joseph, Esther, Ivan, Patience, Daniel, Sharon, Nakato, Kato",
        "Mukasa, Ssemwogerere, Namutebi, Okello, Musoke, Nansubuga, Ssali, Atim",
    ),
    "rwandan": Culture.of(
        "rw",
        "Aline, Eric, Divine, Olivier, Clarisse, Patrick, Josiane, Innocent, Yves, Gisele",
        "Uwase, Habimana, Niyonzima, Mugisha, Ingabire, Nshimiyimana, Uwimana, Mutoni",
    ),
    "amhara": Culture.of(
        "am",
        "Abebe, Tigist, Selam, Dawit, Meron, Yonas, Hanna, Biniam, Liya, Tesfaye",
        "Bekele, Haile, Tadesse, Girma, Alemu, Kebede, Wolde, Mengistu",
    ),
    "egyptian": Culture.of(
        "ar",
        "Ahmed, Mariam, Youssef, Nour, Omar, Salma, Karim, Hana, Mostafa, Yasmin",
        "Hassan, El-Sayed, Mahmoud, Farouk, Abdelrahman, Soliman, Mansour, Fathy",
    ),
    "moroccan": Culture.of(
        "ar",
        "Yassine, Khadija, Amine, Salma, Mehdi, Imane, Anas, Sara, Hamza, Meriem",
        "Benali, El Amrani, Alaoui, Bennani, Tazi, Chraibi, Idrissi, Berrada",
    ),
    "tunisian": Culture.of(
        "ar",
        "Mohamed, Ines, Skander, Rania, Aymen, Emna, Wassim, Sarra, Firas, Oumaima",
        "Trabelsi, Ben Salah, Jaziri, Gharbi, Mejri, Hammami, Chebbi, Ayari",
    ),
    "wolof": Culture.of(
        "wo",
        "Mamadou, Aminata, Cheikh, Fatou, Ousmane, Awa, Moussa, Ndeye, Ibrahima, Khady",
        "Diallo, Ndiaye, Diop, Sow, Fall, Sarr, Faye, Gueye",
    ),
    "ivorian": Culture.of(
        "dyu",
        "Kouassi, Adjoua, Yao, Aya, Koffi, Affoué, Serge, Mariam, Didier, Fanta",
        "Koné, Traoré, Kouamé, Ouattara, Coulibaly, N'Guessan, Bamba, Yapi",
    ),
    "zulu": Culture.of(
        "zu",
        "Sipho, Nomvula, Thandeka, Bongani, Sibusiso, Zanele, Mandla, Nokuthula",
        "Dlamini, Nkosi, Ndlovu, Zulu, Mthembu, Khumalo, Cele, Ngcobo",
    ),
    "sotho": Culture.of(
        "st",
        "Thabo, Lerato, Naledi, Tshepo, Palesa, Kagiso, Mpho, Refilwe",
        "Mokoena, Molefe, Mofokeng, Motaung, Radebe, Tau, Masilo, Letsie",
    ),
    "xhosa": Culture.of(
        "xh",
        "Lwazi, Ayanda, Siyabonga, Nosipho, Luyanda, Thando, Anele, Lindiwe",
        "Gqirana, Ntshona, Mabandla, Mgijima, Jafta, Makhaya, Qwabe, Ngqondi",
    ),
    "afrikaner": Culture.of(
        "af",
        "Pieter, Annelie, Johan, Marike, Ruan, Elzanne, Francois, Liezl",
        "van der Merwe, Botha, Pretorius, du Plessis, Jacobs, Steyn, Fourie, Nel",
    ),
    "bemba": Culture.of(
        "bem",
        "Mwila, Chanda, Mulenga, Bwalya, Natasha, Chilufya, Musonda, Kasonde",
        "Banda, Phiri, Tembo, Mwansa, Lungu, Mumba, Sakala, Chileshe",
    ),
    "shona": Culture.of(
        "sn",
        "Tendai, Rudo, Tatenda, Chipo, Farai, Nyasha, Tinashe, Rumbidzai",
        "Moyo, Ncube, Chikwanha, Mutasa, Gumbo, Sibanda, Marufu, Chinembiri",
    ),
    "mozambican": Culture.of(
        "ts",
        "Nélio, Anabela, Celso, Edson, Celma, Hélder, Luísa, Dércio",
        "Machava, Cossa, Sitoe, Macuácua, Nhantumbo, Mabunda, Tembe, Langa",
    ),
    "angolan": Culture.of(
        "kmb",
        "Edvaldo, Isabel, Mateus, Adelina, Nelson, Teresa, Osvaldo, Yola",
        "dos Santos, Neto, Cardoso, Fernandes, Domingos, Quissanga, Manuel, Sebastião",
    ),
    "congolese": Culture.of(
        "ln",
        "Patrick, Grâce, Junior, Merveille, Christian, Divine, Trésor, Rachel",
        "Mukendi, Ilunga, Kabongo, Mbala, Nsimba, Lukusa, Kalombo, Mutombo",
    ),
    "cameroonian": Culture.of(
        "dua",
        "Brice, Estelle, Arnaud, Carine, Hervé, Laure, Yannick, Sandrine",
        "Mbarga, Essomba, Ekwalla, Nkoulou, Fotso, Tchakounte, Njoya, Ngo Bayiha",
    ),
}

CITIES: tuple[DemoCity, ...] = (
    DemoCity("Lagos", "NG", 6.5244, 3.3792, "Africa/Lagos", ("en",), (("yoruba", 4), ("igbo", 2), ("hausa", 1)), 10),
    DemoCity("Abuja", "NG", 9.0765, 7.3986, "Africa/Lagos", ("en",), (("hausa", 3), ("igbo", 1), ("yoruba", 1)), 4),
    DemoCity("Nairobi", "KE", -1.2921, 36.8219, "Africa/Nairobi", ("en", "sw"), (("kenyan", 1),), 9),
    DemoCity("Mombasa", "KE", -4.0435, 39.6682, "Africa/Nairobi", ("en", "sw"), (("swahili", 2), ("kenyan", 1)), 2),
    DemoCity("Accra", "GH", 5.6037, -0.1870, "Africa/Accra", ("en",), (("akan", 1),), 6),
    DemoCity("Kumasi", "GH", 6.6885, -1.6244, "Africa/Accra", ("en",), (("akan", 1),), 2),
    DemoCity("Kigali", "RW", -1.9441, 30.0619, "Africa/Kigali", ("en", "rw"), (("rwandan", 1),), 5),
    DemoCity("Kampala", "UG", 0.3476, 32.5825, "Africa/Kampala", ("en",), (("ganda", 1),), 4),
    DemoCity("Dar es Salaam", "TZ", -6.7924, 39.2083, "Africa/Dar_es_Salaam", ("sw", "en"), (("swahili", 1),), 3),
    DemoCity("Addis Ababa", "ET", 9.0300, 38.7400, "Africa/Addis_Ababa", ("am", "en"), (("amhara", 1),), 4),
    DemoCity("Cairo", "EG", 30.0444, 31.2357, "Africa/Cairo", ("ar", "en"), (("egyptian", 1),), 7),
    DemoCity("Casablanca", "MA", 33.5731, -7.5898, "Africa/Casablanca", ("ar", "fr"), (("moroccan", 1),), 4),
    DemoCity("Tunis", "TN", 36.8065, 10.1815, "Africa/Tunis", ("ar", "fr"), (("tunisian", 1),), 3),
    DemoCity("Dakar", "SN", 14.7167, -17.4677, "Africa/Dakar", ("fr",), (("wolof", 1),), 3),
    DemoCity("Abidjan", "CI", 5.3600, -4.0083, "Africa/Abidjan", ("fr",), (("ivorian", 1),), 3),
    DemoCity("Douala", "CM", 4.0511, 9.7679, "Africa/Douala", ("fr", "en"), (("cameroonian", 1),), 2),
    DemoCity("Kinshasa", "CD", -4.4419, 15.2663, "Africa/Kinshasa", ("fr",), (("congolese", 1),), 2),
    DemoCity("Johannesburg", "ZA", -26.2041, 28.0473, "Africa/Johannesburg", ("en",), (("sotho", 1), ("zulu", 1)), 6),
    DemoCity("Cape Town", "ZA", -33.9249, 18.4241, "Africa/Johannesburg", ("en",), (("xhosa", 3), ("afrikaner", 2)), 5),
    DemoCity("Lusaka", "ZM", -15.3875, 28.3228, "Africa/Lusaka", ("en",), (("bemba", 1),), 2),
    DemoCity("Harare", "ZW", -17.8252, 31.0335, "Africa/Harare", ("en",), (("shona", 1),), 2),
    # Portuguese-speaking: tech work there is largely done in English, so English is the shared language.
    DemoCity("Maputo", "MZ", -25.9692, 32.5732, "Africa/Maputo", ("pt", "en"), (("mozambican", 1),), 2),
    DemoCity("Luanda", "AO", -8.8390, 13.2894, "Africa/Luanda", ("pt", "en"), (("angolan", 1),), 2),
)

TRACKS: tuple[Track, ...] = (
    Track.of("Frontend engineer", "javascript react", "typescript html css ui-ux nextjs tailwind-css testing git"),
    Track.of("Backend engineer", "python django", "sql postgresql rest-apis docker fastapi redis testing git"),
    Track.of("Full-stack developer", "javascript node-js", "react typescript sql mongodb rest-apis docker git graphql"),
    Track.of("Data analyst", "sql data-analysis", "python excel power-bi pandas statistics tableau data-visualisation"),
    Track.of(
        "Machine learning engineer",
        "python machine-learning",
        "data-analysis pandas deep-learning nlp statistics sql pytorch mlops",
    ),
    Track.of("Mobile developer", "flutter dart", "android firebase kotlin ui-ux rest-apis git react-native"),
    Track.of("Android developer", "android kotlin", "java firebase jetpack-compose rest-apis git testing flutter"),
    Track.of("Cloud engineer", "cloud devops", "aws azure docker kubernetes terraform linux ci-cd python"),
    Track.of(
        "Security analyst",
        "cybersecurity linux",
        "networking python penetration-testing cloud incident-response cryptography",
    ),
    Track.of(
        "Blockchain developer", "blockchain solidity", "javascript web3 smart-contracts typescript cryptography node-js"
    ),
    Track.of("Product designer", "ui-ux figma", "user-research prototyping html css design-systems accessibility"),
)

_LEARNER_GOALS = (
    "land my first developer job",
    "move from accounting into data work",
    "build tools for my family's business",
    "freelance for clients abroad",
    "build an app for farmers in my region",
    "pass a cloud certification this year",
    "get into a tech graduate programme",
    "contribute to open source",
)
_MENTOR_OFFERS = (
    "code reviews",
    "career switches into tech",
    "first open-source contributions",
    "interview preparation",
    "portfolio projects",
    "system design basics",
    "getting unstuck on hard bugs",
)
# Local start hours of the blocks people study or mentor in: weekday evenings and weekend days.
_EVENING_STARTS = (18, 19, 20)
_WEEKEND_STARTS = (8, 9, 10, 14, 15)


def _ascii_slug(text: str, separator: str) -> str:
    """``"N'Guessan"`` -> ``"nguessan"``, ``"van der Merwe"`` -> ``"vandermerwe"``, accents dropped."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    plain = re.sub(r"['\s]+", "", plain)
    return re.sub(r"[^a-z0-9]+", separator, plain).strip(separator)


def _unique(candidate: str, taken: set[str], limit: int | None = None) -> str:
    """``candidate``, or ``candidate`` with the smallest number appended that is not taken yet."""
    value, number = candidate, 1
    while value in taken:
        number += 1
        suffix = str(number)
        base = candidate if limit is None else candidate[: limit - len(suffix)].rstrip("-")
        value = f"{base}{suffix}"
    taken.add(value)
    return value


def _weekly_slot(timezone: ZoneInfo, weekday: int, hour: int) -> int:
    """The UTC hour of the week (0 = Monday 00:00 UTC) of local ``weekday`` (0 = Monday) at ``hour``."""
    local = (_REFERENCE_MONDAY + timedelta(days=weekday, hours=hour)).replace(tzinfo=timezone)
    utc = local.astimezone(UTC)
    return (utc.weekday() * 24 + utc.hour) % 168


def _availability(rng: random.Random, timezone: str, hours_per_week: int) -> tuple[int, ...]:
    """Weekday evenings and weekend blocks in local time, as UTC hour-of-week slots.

    Enough blocks are taken to cover at least ``hours_per_week`` hours, with some slack, as real people
    offer more time than they commit to.
    """
    zone = ZoneInfo(timezone)
    blocks = [(day, rng.choice(_EVENING_STARTS), 2) for day in range(5)]
    blocks += [(day, rng.choice(_WEEKEND_STARTS), rng.choice((3, 4))) for day in (5, 6)]
    rng.shuffle(blocks)
    wanted = hours_per_week + rng.randint(0, 4)
    local_hours: set[tuple[int, int]] = set()
    for day, start, length in blocks:
        if len(local_hours) >= wanted:
            break
        local_hours.update((day, hour) for hour in range(start, start + length))
    # Long weekly commitments: fill the remaining weekday evenings up to 22:00, then weekend afternoons.
    fillers = [(day, hour) for day in range(5) for hour in range(18, 22)]
    fillers += [(day, hour) for day in (5, 6) for hour in range(9, 18)]
    for slot in fillers:
        if len(local_hours) >= wanted:
            break
        local_hours.add(slot)
    return tuple(sorted(_weekly_slot(zone, day, hour) for day, hour in local_hours))


def _skills(rng: random.Random, is_mentor: bool) -> tuple[Track, tuple[str, ...]]:
    track = rng.choice(TRACKS)
    count = rng.randint(5, 8) if is_mentor else rng.randint(3, 6)
    skills = list(track.core)
    skills += rng.sample(track.extra, min(len(track.extra), count - len(skills)))
    if len(skills) < 8 and rng.random() < 0.3:  # a side interest from another track
        other = rng.choice([t for t in TRACKS if t is not track])
        skills += [s for s in other.core if s not in skills][: 8 - len(skills)]
    return track, tuple(dict.fromkeys(skills))


def _languages(rng: random.Random, city: DemoCity, culture: Culture) -> tuple[str, ...]:
    languages = [*city.official, culture.language]
    if "en" not in languages and rng.random() < 0.4:  # francophone and arabophone devs often read English
        languages.append("en")
    if "fr" not in languages and city.country in {"NG", "GH", "RW"} and rng.random() < 0.1:
        languages.append("fr")
    return tuple(dict.fromkeys(languages))


def _github_username(rng: random.Random, first: str, last: str, taken: set[str]) -> str:
    f, lname = _ascii_slug(first, "-"), _ascii_slug(last, "-")
    candidate = rng.choice(
        (
            f"{f}{lname}",
            f"{f}-{lname}",
            f"{f[0]}{lname}",
            f"{f}-{lname}-dev",
            f"{f}{lname}{rng.randint(1, 99)}",
            f"{lname}-{f}",
            f"{f}codes",
        )
    )
    candidate = candidate[:_GITHUB_MAX].strip("-")
    return _unique(candidate, taken, limit=_GITHUB_MAX)


def _weighted(rng: random.Random, options: Sequence[tuple[str, int]]) -> str:
    return rng.choices([name for name, _ in options], weights=[weight for _, weight in options])[0]


def _cities_for(rng: random.Random, count: int) -> list[DemoCity]:
    """Every city once (in random order) while there are enough people, then by weight."""
    spread = list(CITIES)
    rng.shuffle(spread)
    rest = rng.choices(CITIES, weights=[c.weight for c in CITIES], k=max(0, count - len(spread)))
    return (spread + rest)[:count]


def demo_registrations(seed: int = 7, mentors: int = 40, learners: int = 120) -> list[Registration]:
    """The demo population: ``mentors`` mentors first, then ``learners`` learners.

    The same arguments always give the same list. Every account uses :data:`DEMO_PASSWORD`; emails look
    like ``amara.okafor@demo.skillbridge.africa`` and are unique, as are GitHub usernames.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not security
    emails: set[str] = set()
    githubs: set[str] = set()
    people = [(Role.MENTOR, city) for city in _cities_for(rng, mentors)]
    people += [(Role.LEARNER, city) for city in _cities_for(rng, learners)]
    registrations = []
    for role, city in people:
        is_mentor = role is Role.MENTOR
        culture = CULTURES[_weighted(rng, city.cultures)]
        first, last = rng.choice(culture.first_names), rng.choice(culture.last_names)
        local_part = _unique(f"{_ascii_slug(first, '-')}.{_ascii_slug(last, '-')}", emails)
        track, skills = _skills(rng, is_mentor)
        hours = rng.randint(2, 10) if is_mentor else rng.randint(3, 20)
        github = _github_username(rng, first, last, githubs) if rng.random() < 0.85 else None
        if is_mentor:
            years = rng.randint(3, 15)
            a, b = skills[0], skills[1]
            bio: str | None = (
                f"{track.title} with {years} years of experience, mostly {a} and {b}. "
                f"Based in {city.name}; happy to help with {rng.choice(_MENTOR_OFFERS)}."
            )
        else:
            bio = (
                f"Learning {skills[0]} and {skills[1]} to {rng.choice(_LEARNER_GOALS)}." if rng.random() < 0.7 else None
            )
        profile = ProfileInput(
            display_name=f"{first} {last}",
            skills=skills,
            location=LocationInput(
                lat=round(city.lat + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 5),
                lon=round(city.lon + rng.uniform(-JITTER_DEGREES, JITTER_DEGREES), 5),
                city=city.name,
                country=city.country,
            ),
            timezone=city.timezone,
            hours_per_week=hours,
            weekly_slots=_availability(rng, city.timezone, hours),
            languages=_languages(rng, city, culture),
            github_username=github,
            bio=bio,
            mentor_capacity=rng.randint(1, 5) if is_mentor else None,
        )
        registrations.append(
            Registration(email=f"{local_part}@{DEMO_EMAIL_DOMAIN}", password=DEMO_PASSWORD, role=role, profile=profile)
        )
    return registrations
