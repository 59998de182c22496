"""Candidate sites in the belts where AI and cloud campuses are actually built.

The general rule of :mod:`siteplan.databuild.sites` keeps parcels away from towns and cities, which
removes the suburban and industrial belts that host most large campuses (Loudoun County, Memphis,
Abilene). Each region therefore also gets a candidate in each belt of ``CAMPUS_TOWNS``: a GeoNames
town (population >= 15,000) at or next to a publicly announced campus, and the reason it is listed.

Placement (``place_campus_sites``): the nearest retained substation of the region's states with
voltage >= ``MIN_SITE_KV`` and headroom >= ``MIN_HEADROOM_MW`` within ``CAMPUS_MAX_KM`` of the town
sets the parcel's size (IT MW by its voltage, as for the other sites). The parcel lies in the town's
belt, ``CAMPUS_TOWN_KM`` from the town centre on the bearing towards that substation (farther
along it when needed to keep the substation within ``CAMPUS_LINE_MAX_KM``; the interconnect options
then price the line to it); when the substation is within ``CAMPUS_TOWN_KM +
CAMPUS_OFFSET_KM`` of the town, ``CAMPUS_OFFSET_KM`` from the substation towards the town, or away
from it when that would be within ``CAMPUS_MIN_TOWN_KM`` of the centre (dense centres stay
excluded). Always inside the region's states and ``CAMPUS_SPACING_KM`` from other campus parcels.
Land cost: the rule of the other sites times ``CAMPUS_LAND_FACTOR`` (location class "campus belt":
entitled, serviced data-center land trades at a premium over surrounding farmland; an assumption).
"""

from __future__ import annotations

#: region -> [(GeoNames town, state, the campus it stands for)]; announcements as reported publicly
CAMPUS_TOWNS: dict[str, list[tuple[str, str, str]]] = {
    "texas": [
        ("Abilene", "TX", "OpenAI/Oracle/Crusoe 'Stargate' campus, ~1.2 GW (Crusoe, 2025)"),
        ("Midlothian", "TX", "Google Midlothian campus (2019-); Red Oak campuses 10 km east"),
        ("Temple", "TX", "Meta Temple data center (announced 2022)"),
    ],
    "northern_virginia": [
        ("Ashburn", "VA", "Loudoun County 'Data Center Alley'"),
        ("Manassas", "VA", "Prince William County campuses (PW Digital Gateway)"),
    ],
    "ohio": [
        ("Gahanna", "OH", "New Albany / Licking County campuses (Meta, Google, AWS), 10 km north-east"),
        ("Hilliard", "OH", "AWS Hilliard/Dublin data centers"),
    ],
    "georgia": [
        ("Douglasville", "GA", "Google Douglas County campus (Atlanta's western suburbs)"),
        ("Fayetteville", "GA", "QTS Fayetteville campus"),
    ],
    "tennessee": [
        ("Memphis", "TN", "xAI Colossus (2024-), mobile turbines then grid and batteries"),
    ],
    "arizona": [
        ("Mesa", "AZ", "Mesa campuses (Meta, Apple, Google)"),
        ("Goodyear", "AZ", "West Valley campuses (Microsoft, Goodyear)"),
    ],
    "pacific_northwest": [
        ("The Dalles", "OR", "Google The Dalles (2006-)"),
        ("Hillsboro", "OR", "Hillsboro data-center cluster"),
        ("Moses Lake", "WA", "Grant County campuses (Quincy, 35 km west: Microsoft, Sabey)"),
    ],
    "iowa": [
        ("Council Bluffs", "IA", "Google Council Bluffs (2009-)"),
        ("Altoona", "IA", "Meta Altoona (2014-)"),
        ("West Des Moines", "IA", "Microsoft West Des Moines"),
    ],
    "oklahoma": [
        ("Claremore", "OK", "Google MidAmerica Industrial Park at Pryor, 30 km north-east"),
    ],
}
CAMPUS_MAX_KM = 40.0
CAMPUS_TOWN_KM = 5.0
CAMPUS_LINE_MAX_KM = 25.0  # within the scenarios' interconnect max_distance_km (30 km)
CAMPUS_OFFSET_KM = 3.0
CAMPUS_MIN_TOWN_KM = 2.0
CAMPUS_SPACING_KM = 3.0
CAMPUS_LAND_FACTOR = 2.0
