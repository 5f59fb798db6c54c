"""Runs bench/peers/srl_duckdb.sql with DuckDB on a warehouse's events (for bench/srl.sh).

    python3 bench/peers/srl_duckdb.py WAREHOUSE_EVENTS_DIR OUT.parquet [MEMORY_LIMIT]
"""

import os
import sys
import tempfile
import time

import duckdb


def main(events: str, out: str, memory_limit: str = "4GB") -> None:
    t0 = time.perf_counter()
    sql = open(os.path.join(os.path.dirname(__file__), "srl_duckdb.sql")).read()
    sql = sql.replace("${EVENTS}", events).replace("${OUT}", out)
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    # Spill to the system's temporary folder (the default, .tmp, would be the current folder).
    spill = tempfile.mkdtemp(prefix="duckdb-spill-")
    con.execute(f"SET temp_directory = '{spill}'")
    # Fail rather than fill the disk (at 100M events and 4GB it spilled over 40 GB).
    con.execute("SET max_temp_directory_size = '20GiB'")
    con.execute(sql)
    n = con.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()[0]
    print(f"duckdb {duckdb.__version__}: {n} pupil-years in {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main(*sys.argv[1:])
