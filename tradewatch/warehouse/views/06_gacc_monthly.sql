-- GACC month figures as published, plus months derived from two cumulative figures where the
-- month itself was never published (derived = true). The January-February combined figure is a
-- two-month period: it is never split, so January and February never appear here.
create or replace view gacc_monthly as
with figures as (
    select * from gacc_figures where hs_code is not null and partner_code is not null
),

latest_release as (
    -- For each figure, the release published last wins (the bulletin revises the preliminary).
    select figures.*, releases.release_date
    from figures
    inner join gacc_releases as releases
        on figures.url = releases.url and figures.sha256 = releases.sha256
    qualify row_number() over (
        partition by figures.hs_code, figures.partner_code, figures.flow, figures.measure,
            figures.period_kind, figures.period_start, figures.period_end
        order by releases.release_date desc
    ) = 1
),

published as (
    select
        hs_code, partner_code, flow, measure, period_end as period, value, unit,
        false as derived, url
    from latest_release
    where period_kind = 'month'
),

cumulative as (
    select * from latest_release where period_kind = 'cumulative'
),

derived as (
    select
        this.hs_code, this.partner_code, this.flow, this.measure,
        this.period_end as period,
        this.value - before.value as value,
        this.unit,
        true as derived,
        this.url
    from cumulative as this
    inner join cumulative as before
        on this.hs_code = before.hs_code
        and this.partner_code = before.partner_code
        and this.flow = before.flow
        and this.measure = before.measure
        and this.unit = before.unit
        and this.period_start = before.period_start
        and before.period_end = cast(this.period_end - interval 1 month as date)
    where month(this.period_end) > 2
        and not exists (
            select 1 from published
            where published.hs_code = this.hs_code
                and published.partner_code = this.partner_code
                and published.flow = this.flow
                and published.measure = this.measure
                and published.period = this.period_end
        )
)

select * from published
union all
select * from derived
