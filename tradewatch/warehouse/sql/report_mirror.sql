-- The month's mirror statistics, named: each pair's two sides in US dollars, their ratio and
-- band, whether the ratio is outside it, and the mirror_gap alert that stands for it, if any.
select
    m.*,
    coalesce(i.name, cast(m.importer_code as varchar)) as importer,
    coalesce(e.name, cast(m.exporter_code as varchar)) as exporter,
    coalesce(c.short_name, if(m.hs_code = 'TOTAL', 'All goods', 'HS ' || m.hs_code)) as goods,
    m.history_months >= 6 and (m.ratio < m.band_low or m.ratio > m.band_high) as outside,
    (
        select string_agg(a.status, ', ')
        from alerts as a
        where a.kind = 'mirror_gap'
            and a.source = m.import_source || '~' || m.export_source
            and a.reporter_code = m.importer_code
            and a.partner_code = m.exporter_code
            and a.hs_code = m.hs_code
            and a.period = m.period
    ) as gap_alert
from mirror_flows as m
left join ref.countries as i on i.code = m.importer_code
left join ref.countries as e on e.code = m.exporter_code
left join commodities as c on c.hs_code = m.hs_code
where m.period = $month
order by importer, exporter, m.hs_code, m.import_source, m.export_source
