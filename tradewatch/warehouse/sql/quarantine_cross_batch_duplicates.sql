-- A key that two batches both carry: every such row is quarantined, as within one batch.
insert into scratch.incoming_quarantine
select
    row_index,
    '(key)' as column_name,
    'multiple_fields_uniqueness' as check_name,
    null as failure_case,
    'duplicate of another row with the same key: '
    || 'source, reporter_code, partner_code, hs_code, flow, period' as reason,
    period,
    to_json(struct_pack(
        source, reporter_code, partner_code, hs_code, flow, period,
        net_weight_kg, quantity, quantity_unit, value_usd
    )) as original
from scratch.incoming_rows
qualify count(*) over (
    partition by source, reporter_code, partner_code, hs_code, flow, period
) > 1;
delete from scratch.incoming_rows
where row_index in (
    select row_index from scratch.incoming_quarantine where check_name = 'multiple_fields_uniqueness'
);
