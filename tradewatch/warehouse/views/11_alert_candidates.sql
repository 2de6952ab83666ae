-- What alerts are raised from, one row per series (or pair), month and direction:
--   reversals (kind 'reversal'): the reversals view as it is, with the rule that judged each
--     (seasonal or simple), the move expected for its calendar month, the band and the history;
--   mirror gaps (kind 'mirror_gap'): a month of mirror_flows whose ratio leaves its band, for a
--     pair one of whose sides is a watched series that asks for its mirror (``mirror = true``),
--     once the pair has six months of history (the
--     default band of less history is for reading, not alerting). The pair's two sources name
--     it ('census~gacc': imports by the first, exports by the second); the importer is the
--     reporter, the exporter the partner; direction 'mirror_above' or 'mirror_below'; move_pct
--     how far the ratio is from its median, in percent.
create or replace view alert_candidates as
select
    'reversal' as kind,
    source,
    reporter_code,
    partner_code,
    hs_code,
    flow,
    period,
    direction,
    move_pct,
    previous_kg,
    current_kg,
    trend_months,
    low_base,
    theta,
    null::double as ratio,
    null::double as band_low,
    null::double as band_high,
    null::double as import_usd,
    null::double as export_usd,
    rule,
    expected_pct,
    band_pct,
    history_months
from reversals

union all

select
    'mirror_gap' as kind,
    m.import_source || '~' || m.export_source as source,
    m.importer_code as reporter_code,
    m.exporter_code as partner_code,
    m.hs_code,
    'M' as flow,
    m.period,
    if(m.ratio > m.band_high, 'mirror_above', 'mirror_below') as direction,
    100 * (m.ratio / m.median_ratio - 1) as move_pct,
    null::double as previous_kg,
    null::double as current_kg,
    m.history_months as trend_months,
    false as low_base,
    (m.band_high - m.band_low) / 2 / m.median_ratio as theta,
    m.ratio,
    m.band_low,
    m.band_high,
    m.import_usd,
    m.export_usd,
    null::varchar as rule,
    null::double as expected_pct,
    null::double as band_pct,
    null::integer as history_months
from mirror_flows as m
where m.history_months >= 6
    and (m.ratio > m.band_high or m.ratio < m.band_low)
    and exists (
        select 1
        from ops.watched_series as w
        where w.mirror and w.hs_code = m.hs_code
            and (
                (w.flow = 'M' and w.reporter_code = m.importer_code
                    and w.partner_code = m.exporter_code)
                or (w.flow = 'X' and w.reporter_code = m.exporter_code
                    and w.partner_code = m.importer_code)
            )
    );
