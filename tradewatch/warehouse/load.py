"""Write to the warehouse: exchanges and bodies, then each payload's rows in one transaction."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from ..schemas import TRADE_KEY, ValidationResult
from . import bodies as bodies_store
from .bodies import pack, store_root, write_packed
from .db import Warehouse, WarehouseError, run_sql, sql, transaction, try_lock
from .query import quoted

VALUE_COLUMNS = ["net_weight_kg", "quantity", "quantity_unit", "value_usd"]


class ExchangeLike(Protocol):
    exchange_id: str
    source: str
    method: str
    url: str
    status: int | None
    error: str | None
    attempt: int
    request_headers: dict
    response_headers: dict
    body: bytes
    fetched_at: dt.datetime
    elapsed_ms: float


@dataclass
class MonthLoad:
    """What loading one source's month did; also its row in ``ops.runs``."""

    source: str
    period: dt.date | None
    status: str
    rows_fetched: int = 0
    rows_valid: int = 0
    rows_new: int = 0
    rows_quarantined: int = 0
    series_expected: int | None = None
    series_found: int | None = None
    series_keys: list[str] | None = None
    series_loaded: list[str] | None = None
    exchange_id: str | None = None
    message: str | None = None
    # Quarantined rows by reason ("net weight must be ..." -> 3); not in the ledger table.
    reasons: dict[str, int] | None = None


def _with_reasons(loads: list[MonthLoad], found: list[tuple]) -> list[MonthLoad]:
    """Each load's quarantine reasons from (period, reason, rows) rows; rows of a month no load
    names go to the load without a month."""
    months = {load.period for load in loads if load.period is not None}
    for load in loads:
        load.reasons = {
            reason: rows
            for period, reason, rows in found
            if (period == load.period if load.period is not None else period not in months)
        } or None
    return loads


@dataclass(frozen=True)
class Document:
    """A published document the rows come from (a release page): a vintage is added only for
    values this document has not given before, so re-reading an older document after a newer
    one revised it never makes it the latest again."""

    url: str
    published_at: dt.date | None = None


@dataclass(frozen=True)
class MonthsAs:
    """Months recorded with a status of their own (published together, say), not by counting."""

    status: str
    series_loaded: Sequence[str]
    message: str


@dataclass(frozen=True)
class RunIds:
    """Which run writes: tradewatch's run id, and Prefect's flow run id (None outside a flow)."""

    run_id: str
    flow_run_id: str | None = None


@dataclass(frozen=True)
class Loading:
    """What is being loaded, by which run, from which exchange: the values a payload's load,
    its ledger rows and its failures all carry. ``months`` None: every month the payload holds."""

    source: str
    run: RunIds
    months: Sequence[dt.date] | None
    series_keys: Sequence[str] = ()
    exchange_id: str | None = None


# A source's own writes, run inside the load's transaction with its parameters.
SourceWrites = Callable[[duckdb.DuckDBPyConnection, dict], None]


def record_exchanges(
    con: duckdb.DuckDBPyConnection, exchanges: Iterable[ExchangeLike], run_id: str
) -> int:
    """Store exchanges and their bodies (each distinct body once) in one transaction."""
    rows, bodies = [], {}
    for e in exchanges:
        digest = None
        if e.status is not None:
            digest = getattr(e, "sha256", None) or hashlib.sha256(e.body).hexdigest()
            bodies.setdefault(digest, (e.body, e.fetched_at))
        rows.append(
            {
                "exchange_id": e.exchange_id,
                "run_id": run_id,
                "source": e.source,
                "method": e.method,
                "url": e.url,
                "status": e.status,
                "error": e.error,
                "attempt": e.attempt,
                "request_headers": json.dumps(e.request_headers),
                "response_headers": json.dumps(e.response_headers),
                "sha256": digest,
                "size_bytes": len(e.body) if digest else None,
                "fetched_at": e.fetched_at,
                "elapsed_ms": e.elapsed_ms,
            }
        )
    if not rows:
        return 0
    frame = pd.DataFrame(rows)
    frame["status"] = frame["status"].astype("Int64")
    frame["size_bytes"] = frame["size_bytes"].astype("Int64")
    con.register("incoming_exchanges", frame)
    try:
        with transaction(con):
            # Bodies go in as parameters: copied through a DataFrame's object column, a large
            # body costs seconds per hundred megabytes.
            known = {
                row[0]
                for row in con.execute(
                    "select sha256 from raw.http_bodies where list_contains(?, sha256)",
                    [list(bodies)],
                ).fetchall()
            }
            root = store_root(con)
            for digest, (body, fetched_at) in bodies.items():
                if digest in known:  # never hand a stored body to DuckDB, or compress it, again
                    continue
                stored_as = None
                if len(body) > bodies_store.INLINE_MAX and root is not None:
                    # The file is on disk before the row that names it commits.
                    stored_as = write_packed(root, digest, pack(body))
                run_sql(
                    con,
                    "insert_body",
                    {
                        "sha256": digest,
                        "body": None if stored_as else body,
                        "size_bytes": len(body),
                        "stored_as": stored_as,
                        "at": fetched_at,
                    },
                )
            con.execute(sql("insert_exchanges"))
    finally:
        con.unregister("incoming_exchanges")
    return len(rows)


def load_payload(
    con: duckdb.DuckDBPyConnection,
    loading: Loading,
    checked: ValidationResult,
    *,
    document: Document | None = None,
    writes: SourceWrites | None = None,
    months_as: MonthsAs | None = None,
) -> list[MonthLoad]:
    """Load one payload's validated rows and quarantine in one transaction, a ledger row a month.

    Rows already loaded with the same values change nothing; a changed value adds a vintage
    (from a ``document``: only values it has not given before). ``writes`` adds a source's own
    tables inside the same transaction; ``months_as`` records the months with that status.
    """
    return load_payload_batches(
        con, loading, [checked], document=document, writes=writes, months_as=months_as
    )


def load_payload_batches(
    con: duckdb.DuckDBPyConnection,
    loading: Loading,
    batches: Iterable[ValidationResult | StagedFile],
    *,
    document: Document | None = None,
    writes: SourceWrites | None = None,
    months_as: MonthsAs | None = None,
    commit_batches: bool = False,
) -> list[MonthLoad]:
    """``load_payload`` for a payload validated a batch at a time (streaming).

    ``loading.months`` None: a ledger row for every month the payload holds. Each batch's rows
    and quarantine are staged in scratch tables as they come (a ``StagedFile``'s rows are in
    its Parquet file already: only its quarantine is); rows whose key repeats across batches
    are quarantined as duplicates, as pandera does within one; then the same set-based vintage
    insert, reading them all through ``staged_rows``. With ``commit_batches`` each batch is
    committed on its own so that DuckDB can write it out and memory holds one batch; the
    warehouse's own tables still change only in the one transaction that reads the staged rows
    whole. Otherwise all of it is one transaction.
    """

    def step():
        return transaction(con) if commit_batches else nullcontext()

    con.execute(sql("create_incoming"))
    try:
        with nullcontext() if commit_batches else transaction(con):
            staged, files = 0, []
            for checked in batches:
                with step():
                    if isinstance(checked, StagedFile):  # a worker wrote its rows
                        _stage_quarantine(con, checked.quarantine)
                        files.append(checked)
                    else:
                        _stage_batch(con, checked)
                staged += 1
            with step():
                _create_staged_rows(con, files)
                # looked up once the batches are staged: a file kept while they were read is
                # recorded as they end
                params = _exchange_params(con, loading, document)
                # the whole load's keys, in one query: each one left in staged_rows is unique
                keys_unique = staged > 1
                if keys_unique and con.execute(sql("repeated_keys")).fetchall():
                    con.execute(sql("quarantine_cross_batch_duplicates"))
                if writes is not None:
                    writes(con, params)
                return _load_staged(con, loading, params, months_as, keys_unique)
    finally:
        con.execute(sql("drop_incoming"))


def _exchange_params(
    con: duckdb.DuckDBPyConnection, loading: Loading, document: Document | None
) -> dict:
    found = _exchange_of(con, loading.exchange_id)
    if found is None:
        raise ValueError(f"exchange {loading.exchange_id} is not recorded in raw.http_responses")
    sha256, fetched_at = found
    return {
        "exchange_id": loading.exchange_id,
        "sha256": sha256,
        "fetched_at": fetched_at,
        "run_id": loading.run.run_id,
        "release_url": document.url if document else None,
        "published_at": document.published_at if document else None,
    }


def _load_staged(
    con: duckdb.DuckDBPyConnection,
    loading: Loading,
    params: dict,
    months_as: MonthsAs | None,
    keys_unique: bool = False,
) -> list[MonthLoad]:
    """The staged rows into the warehouse: vintages, quarantine, ledger (caller's transaction).

    ``keys_unique``: no key repeats among the staged rows, checked over all of them. Into months
    that held no vintage before, each staged row then gives at most one vintage of a key no
    other row has (its joins find nothing to match), so the duplicate_vintages data test could
    find nothing there and is not run; where the months held vintages it always is."""
    months = loading.months
    if months is None:  # every month the payload holds
        months = [row[0] for row in con.execute(sql("incoming_months")).fetchall()]
    before = _exchange_vintages(con, loading.exchange_id, months)
    first, last = con.execute("select min(period), max(period) from staged_rows").fetchall()[0]
    proven = keys_unique and first is not None and not _months_hold_vintages(con, first, last)
    if _insert_vintages(con, params) and first is not None and not proven:
        _check_vintages_unique(con, first, last)
    run_sql(con, "insert_quarantine", {**params, "source": loading.source})
    loads = _month_loads(con, loading, months, before)
    if months_as is not None:
        for load in loads:
            load.status, load.series_loaded = months_as.status, sorted(months_as.series_loaded)
            load.series_found = len(load.series_loaded)
            load.message = months_as.message
    _insert_ledger(con, loads, loading.run)
    return loads


def _as_arrow(frame: pd.DataFrame):
    """The frame as an Arrow table when pyarrow is installed: DuckDB scans it in half the time
    of the DataFrame (its text columns are Arrow already, so nothing is copied)."""
    try:
        import pyarrow
    except ImportError:
        return frame
    return pyarrow.Table.from_pandas(frame, preserve_index=False)


def _insert_vintages(con: duckdb.DuckDBPyConnection, params: dict) -> int:
    """The staged rows that change a series' latest values, as its next vintages: how many."""
    return run_sql(con, "insert_vintages", params).fetchall()[0][0]


def _exchange_vintages(
    con: duckdb.DuckDBPyConnection, exchange_id: str, months: Sequence[dt.date]
) -> dict[dt.date, int]:
    """The vintages an exchange has given each month so far (none, unless loaded before)."""
    if not months:
        return {}
    found = run_sql(con, "exchange_vintages", {"exchange_id": exchange_id, "months": list(months)})
    return dict(found.fetchall())


def _months_hold_vintages(con: duckdb.DuckDBPyConnection, first, last) -> bool:
    """Whether any vintage of any series is for a month from ``first`` to ``last``."""
    return run_sql(con, "months_hold_vintages", {"first": first, "last": last}).fetchall()[0][0]


def _check_vintages_unique(con: duckdb.DuckDBPyConnection, first, last) -> None:
    """The duplicate_vintages data test over the months just loaded; any row rolls back."""
    offending = run_sql(con, "duplicate_vintages", {"first": first, "last": last}).fetchall()
    if offending:
        raise WarehouseError(f"duplicate vintages would be written: {offending[:3]}")


def _staged_columns(valid: pd.DataFrame) -> pd.DataFrame:
    """The columns a batch's valid rows are staged with, ``row_index`` the frame's index.

    Periods stay datetime64 here (the SQL casts them): a column of Python dates costs a
    second per million rows on the way in."""
    staged = valid[[*TRADE_KEY, *VALUE_COLUMNS]].copy(deep=False)
    staged["row_index"] = staged.index.astype("int64")
    return staged


def _stage_batch(con: duckdb.DuckDBPyConnection, checked: ValidationResult) -> None:
    con.register("batch_rows", _as_arrow(_staged_columns(checked.valid)))
    try:
        con.execute(sql("stage_batch"))
    finally:
        con.unregister("batch_rows")
    _stage_quarantine(con, checked.quarantine)


def _stage_quarantine(con: duckdb.DuckDBPyConnection, found: pd.DataFrame) -> None:
    if found.empty:
        return
    quarantine = found.copy()
    quarantine["period"] = pd.to_datetime(quarantine["period"])
    con.register("batch_quarantine", quarantine)
    try:
        con.execute(sql("stage_quarantine"))
    finally:
        con.unregister("batch_quarantine")


@dataclass(frozen=True)
class StagedFile:
    """A batch whose valid rows a worker process wrote to a Parquet file (``stage_parquet``),
    numbered from the batch's first record, which is record ``offset`` of the payload; and its
    quarantine, numbered as the payload's."""

    path: str
    quarantine: pd.DataFrame
    offset: int = 0

    def shifted(self, offset: int) -> StagedFile:
        quarantine = self.quarantine.copy()
        if len(quarantine):
            quarantine["row_index"] = quarantine["row_index"] + offset
        return StagedFile(self.path, quarantine, self.offset + offset)


def stage_parquet(folder: Path, number: int, checked: ValidationResult) -> StagedFile:
    """A worker's batch staged without the warehouse: its valid rows written to
    ``folder/rows-<number>.parquet`` (uncompressed: read once, then deleted), so that the
    process holding the warehouse only reads them, in the one query that loads them."""
    import pyarrow
    import pyarrow.parquet

    path = folder / f"rows-{number:06d}.parquet"
    table = _as_arrow(_staged_columns(checked.valid))
    # a dictionary for the texts only and no statistics: a third of the default's time
    texts = [
        name
        for name, kind in zip(table.column_names, table.schema.types, strict=True)
        if pyarrow.types.is_string(kind) or pyarrow.types.is_large_string(kind)
    ]
    pyarrow.parquet.write_table(
        table, path, compression="none", use_dictionary=texts, write_statistics=False
    )
    return StagedFile(str(path), checked.quarantine)


# Each load's staging folder holds this file, locked by the load while it runs (its workers
# share the lock; they end with it): a folder whose lock can be taken is a killed load's.
STAGING_OWNER = ".owner"
# A folder without the file is a load's that has not locked it yet, or is older than the file
# (tradewatch before it): removed once this old.
UNOWNED_STAGING_SECONDS = 3600


@contextmanager
def staging_folder(warehouse: Warehouse) -> Iterator[Path | None]:
    """A folder of one load's own under ``<warehouse>.staging`` (under the data path for a lake)
    for its workers' Parquet files, removed with them when the load ends; None where the path
    holds a character DuckDB reads as a file pattern (``*?[``): the rows are then staged in the
    warehouse. The folders of loads killed outright (kill -9) are removed first: on a lake,
    where no run lock says which loads still run, each load locks its folder's owner file."""
    import pyarrow.parquet  # noqa: F401 - here, once, not in every forked worker

    parent = warehouse.beside(".staging")
    if glob.has_magic(str(parent)):
        yield None
        return
    parent.mkdir(parents=True, exist_ok=True)
    remove_abandoned_staging(parent)
    folder = Path(tempfile.mkdtemp(dir=parent, prefix="load-"))
    try:
        with open(folder / STAGING_OWNER, "w", encoding="utf-8") as owner:
            if not try_lock(owner):
                raise WarehouseError(f"cannot lock {owner.name}, just made: {folder}")
            yield folder
    finally:
        # scratch files of this load only; the rows are in the warehouse or rolled back
        shutil.rmtree(folder, ignore_errors=True)


def remove_abandoned_staging(parent: Path) -> list[Path]:
    """Remove the staging folders under ``parent`` that no running load owns: those whose owner
    file's lock can be taken (its load ended without removing it), and those with no owner file
    older than ``UNOWNED_STAGING_SECONDS``. The folders removed."""
    removed = []
    for folder in sorted(parent.glob("load-*")):
        if not folder.is_dir():
            continue
        try:
            owner = open(folder / STAGING_OWNER, "r+", encoding="utf-8")
        except PermissionError:
            continue  # another user's load: not this one's to judge
        except FileNotFoundError:
            try:
                age = time.time() - folder.stat().st_mtime
            except FileNotFoundError:
                continue  # removed meanwhile by its load or another sweep
            if age > UNOWNED_STAGING_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
            continue
        with owner:
            if try_lock(owner):  # no load holds it: its rows are scratch nobody reads
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def _create_staged_rows(con: duckdb.DuckDBPyConnection, files: Sequence[StagedFile]) -> None:
    """``staged_rows``: the rows staged in ``scratch.incoming_rows`` and those in ``files``,
    their row numbers the payload's, less any quarantined as a duplicate across batches (a
    temporary view: it names files of this load only)."""
    rows = "select * from scratch.incoming_rows"
    if files:
        named = [(quoted(f.path), int(f.offset)) for f in files]
        paths = ", ".join(path for path, _ in named)
        offsets = ", ".join(f"({path}, {offset})" for path, offset in named)
        rows += (
            " union all by name select staged.* exclude (filename) replace ("
            "cast(staged.period as date) as period,"
            " cast(staged.reporter_code as integer) as reporter_code,"
            " cast(staged.partner_code as integer) as partner_code,"
            " staged.row_index + files.row_offset as row_index)"
            f" from read_parquet([{paths}], filename = true) as staged"
            f" join (values {offsets}) as files (filename, row_offset)"
            " on staged.filename = files.filename"
        )
    con.execute(sql("create_staged_rows").replace("{rows}", rows))


def record_if_unchanged(con: duckdb.DuckDBPyConnection, loading: Loading) -> list[MonthLoad] | None:
    """When every month's latest load came from these very bytes, say so in the ledger and
    return the rows; otherwise return None and change nothing.

    Same bytes, same rows: parsing, validating and loading them again cannot change the
    warehouse, so a re-run of an unchanged month costs one lookup.
    """
    found = _exchange_of(con, loading.exchange_id)
    if found is None:
        return None
    sha256, source, months = found[0], loading.source, list(loading.months or ())
    result = run_sql(con, "latest_loads", {"source": source, "periods": months})
    columns = [d[0] for d in result.description]
    latest = {row[0]: dict(zip(columns, row, strict=True)) for row in result.fetchall()}
    reusable = ("loaded", "partial", "not_published", "combined")
    if any(
        m not in latest or latest[m]["sha256"] != sha256 or latest[m]["status"] not in reusable
        for m in months
    ):
        return None
    loads = [
        MonthLoad(
            source,
            m,
            latest[m]["status"],
            rows_fetched=latest[m]["rows_fetched"],
            rows_valid=latest[m]["rows_valid"],
            rows_new=0,
            rows_quarantined=latest[m]["rows_quarantined"],
            series_expected=latest[m]["series_expected"],
            series_found=latest[m]["series_found"],
            series_keys=latest[m]["series_keys"],
            series_loaded=latest[m]["series_loaded"],
            exchange_id=loading.exchange_id,
            message=f"unchanged since the last load (sha256 {sha256[:12]})",
        )
        for m in months
    ]
    _with_reasons(
        loads, run_sql(con, "stored_reasons", {"source": source, "sha256": sha256}).fetchall()
    )
    with transaction(con):
        _insert_ledger(con, loads, loading.run)
    return loads


def record_failure(
    con: duckdb.DuckDBPyConnection, loading: Loading, message: str, status: str = "failed"
) -> list[MonthLoad]:
    """Ledger rows for months not loaded (``failed`` or ``not_published``), and why."""
    keys = list(loading.series_keys) or None
    loads = [
        MonthLoad(
            loading.source,
            m,
            status,
            exchange_id=loading.exchange_id,
            message=message,
            series_keys=keys,
            series_expected=len(keys) if keys else None,
        )
        for m in loading.months or ()
    ]
    with transaction(con):
        _insert_ledger(con, loads, loading.run)
    return loads


def record_ledger(con: duckdb.DuckDBPyConnection, loads: Sequence[MonthLoad], run: RunIds) -> None:
    """Ledger rows for loads done elsewhere (news), in one transaction."""
    with transaction(con):
        _insert_ledger(con, list(loads), run)


def _month_loads(
    con: duckdb.DuckDBPyConnection,
    loading: Loading,
    months: Sequence[dt.date],
    before: dict[dt.date, int],
) -> list[MonthLoad]:
    """A ledger row per month, counted from the staged rows, quarantine and new vintages (the
    exchange's vintages now, less those it had ``before``)."""
    source, exchange_id = loading.source, loading.exchange_id
    series_keys = list(loading.series_keys)
    counts = {
        row[0]: row[1:]
        for row in run_sql(
            con, "incoming_counts", {"series_keys": series_keys, "months": list(months)}
        ).fetchall()
    }
    after = _exchange_vintages(con, exchange_id, months)
    loads = []
    for month in months:
        valid, bad, watched = counts.get(month, (0, 0, []))
        new = after.get(month, 0) - before.get(month, 0)
        load = MonthLoad(
            source,
            month,
            status="loaded",
            rows_fetched=valid + bad,
            rows_valid=valid,
            rows_new=new,
            rows_quarantined=bad,
            series_expected=len(series_keys),
            series_keys=series_keys,
            series_loaded=sorted(watched or []),
            exchange_id=exchange_id,
        )
        load.series_found = len(load.series_loaded)
        if load.rows_fetched == 0:
            load.status, load.message = "not_published", "no data published for this month yet"
        elif load.rows_valid == 0:
            load.status, load.message = "failed", f"all {bad} rows quarantined"
        elif load.series_found < len(series_keys):
            load.status = "partial"
            load.message = f"{load.series_found} of {len(series_keys)} series published"
        loads.append(load)
    # Rejected rows whose month is unreadable or was not asked for still show in the ledger.
    (stray,) = run_sql(con, "incoming_stray", {"months": list(months)}).fetchall()[0]
    if stray:
        loads.append(
            MonthLoad(
                source,
                None,
                "failed",
                rows_fetched=stray,
                rows_quarantined=stray,
                exchange_id=exchange_id,
                message=f"{stray} rows quarantined outside the requested months",
            )
        )
    return _with_reasons(loads, run_sql(con, "incoming_reasons").fetchall())


def _exchange_of(con: duckdb.DuckDBPyConnection, exchange_id: str | None) -> tuple | None:
    """The sha256 and fetch time of a recorded exchange's body, or None."""
    found = run_sql(con, "exchange_of", {"exchange_id": exchange_id}).fetchall()
    return found[0] if found and found[0][0] is not None else None


def _insert_ledger(con: duckdb.DuckDBPyConnection, loads: list[MonthLoad], run: RunIds) -> None:
    if not loads:  # a payload holding no month: nothing to record
        return
    rows = [asdict(load) for load in loads]
    for row in rows:
        row.pop("reasons")  # in ops.quarantine, row by row
    frame = pd.DataFrame(rows).astype({"series_keys": object, "series_loaded": object})
    frame.insert(0, "flow_run_id", run.flow_run_id)
    frame.insert(0, "run_id", run.run_id)
    for column in ("series_expected", "series_found"):
        frame[column] = frame[column].astype("Int64")
    # Registered inside the caller's transaction: DuckDB keeps the view until the connection
    # closes even when the transaction rolls back, so it is dropped here only on success.
    con.register("incoming_runs", frame)
    con.execute(sql("insert_run"))
    con.unregister("incoming_runs")


def record_kept_file(
    con: duckdb.DuckDBPyConnection,
    kept: tuple,
    exchange_id: str,
    *,
    source: str,
    url: str,
    run_id: str,
) -> str:
    """Record a payload on disk that ``keep_file`` kept (its sha256, size and place) as
    exchange ``exchange_id``."""
    sha256, size, stored_as = kept
    with transaction(con):
        run_sql(
            con,
            "insert_body",
            {
                "sha256": sha256,
                "body": None,
                "size_bytes": size,
                "stored_as": stored_as,
                "at": dt.datetime.now(dt.UTC),
            },
        )
        run_sql(
            con,
            "insert_file_exchange",
            {
                "exchange_id": exchange_id,
                "run_id": run_id,
                "source": source,
                "url": url,
                "sha256": sha256,
                "size_bytes": size,
            },
        )
    return exchange_id
