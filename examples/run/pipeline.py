"""The commands of sales_sqlite.dag: land a day's CSV, load it into SQLite, total a range.

Each step deletes what it is about to write first, so running it twice is harmless.
Set DEMO_FAIL_DATE=YYYY-MM-DD to make that day's CSV "not arrive" (the README's failure).
"""
import csv
import os
import sqlite3
import sys

DIR = os.environ.get("DEMO_DIR", "demo")


def land(day):
    if os.environ.get("DEMO_FAIL_DATE") == day:
        sys.exit(f"no CSV arrived for {day}")
    os.makedirs(os.path.join(DIR, "csv"), exist_ok=True)
    n = int(day[-2:])
    with open(os.path.join(DIR, "csv", f"{day}.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "store", "amount"])
        for store in ("north", "south"):
            w.writerow([day, store, n * (10 if store == "north" else 7)])
    print(f"landed {day}")


def db():
    con = sqlite3.connect(os.path.join(DIR, "sales.db"))
    con.execute("CREATE TABLE IF NOT EXISTS raw_sales (date TEXT, store TEXT, amount INTEGER)")
    con.execute("CREATE TABLE IF NOT EXISTS daily_totals (date TEXT PRIMARY KEY, amount INTEGER)")
    return con


def load(day):
    with open(os.path.join(DIR, "csv", f"{day}.csv"), newline="") as f:
        rows = [(r["date"], r["store"], int(r["amount"])) for r in csv.DictReader(f)]
    with db() as con:
        con.execute("DELETE FROM raw_sales WHERE date = ?", (day,))
        con.executemany("INSERT INTO raw_sales VALUES (?, ?, ?)", rows)
    print(f"loaded {len(rows)} rows for {day}")


def totals(first, last):
    with db() as con:
        con.execute("DELETE FROM daily_totals WHERE date BETWEEN ? AND ?", (first, last))
        con.execute(
            "INSERT INTO daily_totals SELECT date, SUM(amount) FROM raw_sales "
            "WHERE date BETWEEN ? AND ? GROUP BY date",
            (first, last),
        )
    print(f"totals {first}...{last}")


if __name__ == "__main__":
    {"land": land, "load": load, "totals": totals}[sys.argv[1]](*sys.argv[2:])
