-- A key that two batches both carry: every such row is quarantined, as within one batch (and
-- so left out of staged_rows). Run only when repeated_keys finds a hash repeated.
insert into scratch.incoming_quarantine
with repeated as (
    select source, reporter_code, partner_code, hs_code, flow, period
    from staged_rows
    group by source, reporter_code, partner_code, hs_code, flow, period
    having count(*) > 1
)

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
from staged_rows
semi join repeated using (source, reporter_code, partner_code, hs_code, flow, period);
