"""``python -m reliability`` (``make reliability``): run the suite, print the table, exit 1 on a failure.

    --phases faults,access,ramp   which parts to run (default: all three)
    --keep                        leave the instance running at the end (for a look; stop it with --stop)
    --stop                        stop an instance left by --keep, unmount, and exit

The table and the raw figures are written to var/reliability/results/ as well.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from reliability import access, ramp, sizing, verify
from reliability.client import Client
from reliability.config import SuiteConfig
from reliability.faults import Faults
from reliability.instance import SuiteInstance, log
from reliability.ledger import Ledger
from reliability.load import LoadGenerator
from reliability.report import Row, render_table
from reliability.workload import Workload

PHASES = ("faults", "access", "ramp")
WARM_UP_S = 15.0
DRAIN_S = 90.0


def client_for(suite: SuiteConfig) -> Client:
    return Client(host="127.0.0.1", port=suite.https_port, ca_file=suite.instance_dir / "tls" / "ca.pem")


def run_faults(instance: SuiteInstance, client: Client, seed: dict) -> list[Row]:
    suite = instance.suite
    ledger = Ledger()
    load = LoadGenerator(
        client=client,
        workload=Workload(client),
        tokens=seed["tokens"],
        ledger=ledger,
        submitters=suite.submitters,
        deciders=suite.deciders,
    )
    database_before = sizing.database_bytes(instance)
    load.start()
    time.sleep(WARM_UP_S)
    faults = Faults(instance, ledger)
    try:
        fault_log = faults.run(rounds=suite.fault_rounds)
    finally:
        log(f"draining: repeating what was sent until acknowledged (at most {DRAIN_S:.0f} s)")
        load.drain(DRAIN_S)
    log(f"waiting for the workers to catch up (at most {suite.catch_up_s:.0f} s)")
    caught_up = verify.wait_for_catch_up(instance, seconds=suite.catch_up_s)
    rows = [Row("faults", phase, note) for phase, _began, _ended, note in fault_log.events]
    rows += verify.submissions(instance, ledger)
    rows += verify.files_verify(instance)
    rows += verify.documents(instance, ledger, caught_up)
    rows += verify.jobs(instance, fault_log)
    rows += verify.answers(ledger, fault_log)
    rows += verify.chains(instance)
    rows += sizing.measure(instance, database_before=database_before)
    for what, count in ledger.unexpected.most_common(10):
        log(f"unexpected: {count} × {what}")
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--phases", default=",".join(PHASES))
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--stop", action="store_true")
    args = parser.parse_args(argv)
    phases = [p.strip() for p in args.phases.split(",") if p.strip()]
    unknown = set(phases) - set(PHASES)
    if unknown:
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    suite = SuiteConfig()
    instance = SuiteInstance(suite)
    if args.stop:
        instance.teardown()
        return 0
    began = time.monotonic()
    rows: list[Row] = []
    try:
        instance.prepare()
        instance.start()
        seed = json.loads(instance.python("reliability.seed").stdout)
        client = client_for(suite)
        if "faults" in phases:
            rows += run_faults(instance, client, seed)
        if "access" in phases:
            rows += access.run(instance, client, seed)
        if "ramp" in phases:
            rows += ramp.run(instance, client, seed)
    except BaseException:
        print(render_table(rows))
        raise
    finally:
        if not args.keep:
            instance.teardown()
    rows.append(
        Row(
            "suite",
            "duration",
            f"{(time.monotonic() - began) / 60:.1f} min",
            "< 30 min",
            time.monotonic() - began < 1800,
        )
    )
    table = render_table(rows)
    print(table)
    suite.results_dir.mkdir(parents=True, exist_ok=True)
    Path(suite.results_dir / "last-run.md").write_text(table + "\n", encoding="utf-8")
    failed = [row for row in rows if not row.ok]
    log(
        "PASS"
        if not failed
        else f"FAIL: {len(failed)} figure(s): " + "; ".join(f"{r.figure} = {r.value}" for r in failed)
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
