insert into gacc_figures
select
    $release_url as url,
    $sha256 as sha256,
    row_number, column_number, "table" as table_kind, name, hs_code, partner_code, flow,
    measure, period_kind, period_start, period_end, value, unit, published, published_unit
from incoming_figures
where not exists (select 1 from gacc_figures where sha256 = $sha256)
