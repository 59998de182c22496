"""Human names for catalog ids (siteplan.labels)."""

import yaml

from siteplan import labels
from siteplan.labels import design_name, rack_name


def test_bundled_ids_have_short_names():
    assert design_name("direct_to_chip") == "Direct-to-chip liquid"
    assert design_name("air_economizer") == "Air with economiser"
    assert rack_name("gb200_nvl72") == "GB200 NVL72"
    assert rack_name("hgx_h100") == "H100 (HGX)"
    assert rack_name("vera_rubin_nvl144") == "Vera Rubin NVL144"


def test_every_bundled_catalog_id_is_named():
    from pathlib import Path

    cat = yaml.safe_load((Path(__file__).parents[1] / "data" / "catalog.yaml").read_text())
    assert set(cat["cooling_designs"]) <= set(labels.DESIGN_NAMES)
    assert set(cat["rack_types"]) <= set(labels.RACK_NAMES)


def test_unknown_ids_are_tidied():
    assert design_name("warm_water_loop") == "Warm water loop"
    assert rack_name("mi300x_rack") == "MI300X rack"
    assert rack_name("custom-rack") == "Custom rack"
    assert design_name("") == ""
