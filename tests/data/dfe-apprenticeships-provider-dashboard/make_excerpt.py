"""Cut the test excerpt of the dashboard's Parquet files (run from the repository root)."""

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

SOURCE = "src/skillsgap/data/dfe-apprenticeships-provider-dashboard/"
TARGET = "tests/data/dfe-apprenticeships-provider-dashboard/"
YEARS = ["2024/25", "2025/26 (Aug to Apr)"]  # the latest full year (modelled) and the part year
PROVIDERS = ["10002061", "10020971", "10056801", "10005126", "10060571", "10021539", "10007469"]


def of_providers(table):
    mask = None
    for ukprn in PROVIDERS:
        hit = pc.match_substring(table["provider_name"], f"({ukprn})")
        mask = hit if mask is None else pc.or_(mask, hit)
    return mask


for name in (
    "subjects_and_standards_0.parquet",
    "provider_breakdowns_0.parquet",
    "lad_map_data_0.parquet",
):
    table = pq.read_table(SOURCE + name)
    mask = of_providers(table)
    if name.startswith("subjects"):  # one standard listed under two sector subject areas
        gas = pc.and_(
            pc.match_substring(table["provider_name"], "(10000915)"),
            pc.equal(table["std_fwk_name"], "Dual Fuel Smart Meter Installer"),
        )
        mask = pc.or_(mask, gas)
    mask = pc.and_(mask, pc.is_in(table["year"], value_set=pa.array(YEARS)))
    pq.write_table(table.filter(mask), TARGET + name)
    print(name, table.filter(mask).num_rows)
