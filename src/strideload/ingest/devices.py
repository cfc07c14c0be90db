"""What recorded a file, and which sensor its elevation comes from.

Ascent depends on the sensor: a barometric altimeter gives a quiet profile whose small real
rollers should count, while GPS elevation is noisy, and a few watches without a barometer
(Forerunner 735XT, 630, 225 ...) filter it until it looks barometric, so that a barometric
hysteresis over-counts it by 15-22 %. The device decides first (:func:`elevation_sensor`,
from the FIT ``file_id``/``device_info`` product, the TCX ``Creator`` or the GPX
``creator``); only for devices not in these tables does the signal's noise decide
(:func:`strideload.ingest.terrain.profile`).

:data:`GARMIN_PRODUCTS` names the Garmin product ids that fitparse's profile (2019) does not
know, so a Forerunner 255 reads ``garmin fr255`` rather than ``garmin 3992``.
"""

from __future__ import annotations

import re
import unicodedata

#: Garmin ``file_id.product`` ids -> model, for models newer than fitparse's profile (FIT SDK names).
GARMIN_PRODUCTS: dict[int, str] = {
    2158: "fr735xt", 2503: "fr35", 2700: "vivoactive3", 2713: "edge_1030", 2859: "descent", 2886: "fr645",
    2888: "fr645m", 2891: "fr30", 2900: "fenix5s_plus", 2909: "edge_130", 2988: "vivoactive3m_w",
    3011: "edge_explore", 3066: "vivoactive3m_l", 3076: "fr245", 3077: "fr245_music", 3095: "edge_1030_bontrager",
    3110: "fenix5_plus", 3111: "fenix5x_plus", 3112: "edge_520_plus", 3113: "fr945", 3121: "edge_530",
    3122: "edge_830", 3224: "vivoactive4_small", 3225: "vivoactive4_large", 3226: "venu", 3246: "marq_driver",
    3247: "marq_aviator", 3248: "marq_captain", 3249: "marq_commander", 3250: "marq_expedition",
    3251: "marq_athlete", 3258: "descent_mk2", 3282: "fr45", 3287: "fenix6_s_sport", 3288: "fenix6_s",
    3289: "fenix6_sport", 3290: "fenix6", 3291: "fenix6x", 3466: "instinct_solar", 3542: "descent_mk2s",
    3558: "edge_130_plus", 3570: "edge_1030_plus", 3589: "fr745", 3596: "venusq_music", 3599: "venusq_music_v2",
    3600: "venusq", 3624: "marq_adventurer", 3638: "enduro", 3652: "fr945_lte", 3703: "venu2", 3704: "venu2s",
    3739: "marq_golfer", 3843: "edge_1040", 3851: "venu2_plus", 3869: "fr55", 3888: "instinct_2",
    3889: "instinct_2s", 3905: "fenix7s", 3906: "fenix7", 3907: "fenix7x", 3943: "epix_gen2", 3990: "fr255_music",
    3991: "fr255_small_music", 3992: "fr255", 3993: "fr255_small", 4024: "fr955", 4061: "edge_540", 4062: "edge_840",
    4105: "marq_gen2", 4115: "venusq2", 4116: "venusq2music", 4124: "marq_gen2_aviator", 4135: "tactix7",
    4155: "instinct_crossover", 4169: "edge_explore2", 4222: "descent_mk3", 4223: "descent_mk3i",
    4257: "fr265_large", 4258: "fr265_small", 4260: "venu3", 4261: "venu3s", 4312: "epix_gen2_pro_42",
    4313: "epix_gen2_pro_47", 4314: "epix_gen2_pro_51", 4315: "fr965", 4341: "enduro2", 4374: "fenix7s_pro_solar",
    4375: "fenix7_pro_solar", 4376: "fenix7x_pro_solar", 4394: "instinct_2x", 4426: "vivoactive5", 4432: "fr165",
    4433: "fr165_music", 4440: "edge_1050", 4472: "marq_gen2_commander", 4532: "fenix8_solar",
    4533: "fenix8_solar_large", 4534: "fenix8_small", 4536: "fenix8", 4575: "enduro3", 4583: "instinct_e_40mm",
    4584: "instinct_e_45mm", 4585: "instinct3_solar_45mm", 4586: "instinct3_amoled_45mm",
    4587: "instinct3_amoled_50mm", 4595: "fenix7_pro_solar_no_wifi", 4603: "venu_x1", 4625: "vivoactive6",
    4631: "fenix8_pro", 4633: "edge_550", 4634: "edge_850", 4643: "venu4", 4644: "venu4s", 4666: "fenix_e",
    4678: "instinct_crossover_amoled", 4759: "instinct3_solar_50mm", 4775: "tactix8_amoled", 4776: "tactix8_solar",
    4814: "fr170_music", 4815: "fr170", 4916: "fr70_2026",
}

#: Models without a barometer (or phone apps): their elevation is GPS, however smooth it looks.
#: Patterns match :func:`model_key` (lower case, letters and digits only, "forerunner" -> "fr").
GPS_ONLY = re.compile("|".join((
    r"fr(10|15|25|30|35|45|55|60|70|110|205|210|220|225|230|235|245|305|310xt|405|405cx|410|610|620|630|735xt)(?!\d)",
    r"vivoactive(?![0-9]|hr)", r"venusq",
    r"polar(m200|m400|m430|a3\d\d|ignite|unite|vantagem|pacer(?!pro))",
    r"ambit3(sport|run)", r"ambit2[sr]", r"spartantrainer", r"suunto[35](?!\d)",
    r"tomtom(?!.*adventurer)",
    r"iphone|android|runkeeper|runtastic|nikerun|nikeplus|endomondo|mapmy|strava\d",
)))

#: Models with a barometric altimeter.
BAROMETRIC = re.compile("|".join((
    r"fenix|epix|tactix|quatix|descent|enduro|instinct|marq",
    r"fr(165|255|265|570|645|745|910xt|920xt|935|945|955|965|970)(?!\d)",
    r"vivoactive(3|4|5|6|hr)", r"venu",
    r"edge(?!(20|25|200|205)(?!\d))", r"oregon|gpsmap|montana|etrex(30|32)",
    r"ambit3(peak|vertical)|ambit(?![0-9])|ambit2(?![sr])|traverse|spartan(ultra|sportwristhr)",
    r"suunto(9|7|vertical|race)", r"polar(v800|v650|vantagev|gritx|pacerpro|m460)",
    r"coros", r"wahoo|elemnt",
)))

#: Apps known to replace recorded elevation with a digital elevation model.
DEM = re.compile(r"komoot")


def model_key(device: str) -> str:
    """``"Garmin Forerunner 735XT"``, ``"garmin fr735xt"`` -> ``"garminfr735xt"``; ``"fēnix 3"`` -> ``"fenix3"``."""
    text = unicodedata.normalize("NFKD", device).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]", "", text.replace("forerunner", "fr"))


def elevation_sensor(device: str | None) -> str | None:
    """``"barometric"``, ``"gps"`` or ``"dem"`` when the device is known to the tables, else None."""
    if not device:
        return None
    key = model_key(device)
    if GPS_ONLY.search(key):
        return "gps"
    if BAROMETRIC.search(key):
        return "barometric"
    if DEM.search(key):
        return "dem"
    return None


def garmin_model(product: object) -> object:
    """A Garmin product as a model name where :data:`GARMIN_PRODUCTS` knows its id, else unchanged."""
    return GARMIN_PRODUCTS.get(product, product) if isinstance(product, int) else product
