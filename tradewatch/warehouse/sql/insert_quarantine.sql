insert into ops.quarantine by name
select
    $source as source,
    $sha256 as sha256,
    incoming.row_index,
    incoming.check_name,
    incoming.column_name,
    incoming.failure_case,
    incoming.reason,
    incoming.original::json as original,
    incoming.period,
    $exchange_id as exchange_id,
    $run_id as run_id,
    now() as quarantined_at
from scratch.incoming_quarantine as incoming
where not exists (
    select 1
    from ops.quarantine as kept
    where kept.sha256 = $sha256
        and kept.row_index = incoming.row_index
        and kept.check_name = incoming.check_name
)
