-- Every claim of every article's latest version beside the customs figure for the series it
-- names — its reporter, partner, commodity and flow, never China's imports by default — and its
-- month(s): China's customs (GACC) where it has the series, else any loaded source. Each claim is
-- checked on its own basis: a month's figure against the month, a span (a quarter, a year to
-- date, "January and February combined") against the sum of its months ("a month": their
-- average), a balance against exports minus imports (a deficit: imports minus exports), total
-- trade against both, a percent change against the claimed months over the basis months. A value
-- in another currency is compared with the series as its source published it when that is the
-- currency, else with its dollars at the month's ECB rates (fx_monthly). The verdict allows half
-- a unit of the stated precision (and the qualifier's bounds: "more than", "about", "between").
-- A claim whose reading the extractor could not pin down (no month, no reporter, no flow, no
-- commodity, a change whose basis the report leaves unsaid, a month assumed from the
-- publication date) is 'unclear' with why, never 'disagrees'; 'no data' says what is missing —
-- "not covered" names the reporter no loaded source publishes, and the source that would.
create or replace view claim_checks as
with articles as (
    select * from news_articles
),

claims as (
    select claims.*
    from news_claims as claims
    inner join articles using (article_id, version)
),

customs as (
    select *
    from trade_values_usd
    qualify row_number() over (
        partition by reporter_code, partner_code, hs_code, flow, period
        order by case source when 'gacc' then 0 else 1 end
    ) = 1
),

-- the customs flows a claimed flow is made of, and their signs
claim_flows as (
    select
        claims.article_id,
        claims.version,
        claims.claim_no,
        sides.customs_flow,
        sides.sign * if(claims.balance = 'deficit', -1, 1) as sign
    from claims
    inner join (
        values ('M', 'M', 1), ('X', 'X', 1), ('T', 'M', 1), ('T', 'X', 1), ('B', 'X', 1),
        ('B', 'M', -1)
    ) as sides (claim_flow, customs_flow, sign) on sides.claim_flow = claims.flow
),

claim_months as (
    select article_id, version, claim_no, 'claim' as part, cast(unnest(
        generate_series(period, period_end, interval 1 month)
    ) as date) as month
    from claims
    where period is not null
    union all
    select article_id, version, claim_no, 'basis' as part, cast(unnest(
        generate_series(basis_period, basis_period_end, interval 1 month)
    ) as date) as month
    from claims
    where basis_period is not null
),

customs_rows as (
    select
        claim_months.article_id,
        claim_months.version,
        claim_months.claim_no,
        claim_months.part,
        claim_months.month,
        -- the source has the month's figure in what the claim states (weight or a value)
        customs.period is not null and (
            claims.measure = 'weight' and customs.net_weight_kg is not null
            or claims.measure = 'value' and coalesce(customs.value, customs.value_usd) is not null
        ) as found,
        claim_flows.customs_flow,
        customs.source,
        claim_flows.sign * case
            when claims.measure = 'weight' then customs.net_weight_kg
            when claims.measure <> 'value' then null
            when customs.currency = coalesce(claims.currency, 'USD') then customs.value
            when coalesce(claims.currency, 'USD') = 'USD' then customs.value_usd
            else customs.value_usd / usd.per_eur * if(claims.currency = 'EUR', 1.0, rate.per_eur)
        end as figure
    from claim_months
    inner join claims using (article_id, version, claim_no)
    inner join claim_flows using (article_id, version, claim_no)
    left join customs
        on customs.reporter_code = claims.reporter_code
        and customs.partner_code = claims.partner_code
        and customs.hs_code = claims.hs_code
        and customs.flow = claim_flows.customs_flow
        and customs.period = claim_months.month
    left join fx_monthly as usd on usd.period = claim_months.month and usd.currency = 'USD'
    left join fx_monthly as rate
        on rate.period = claim_months.month and rate.currency = claims.currency
),

measured as (
    select
        article_id,
        version,
        claim_no,
        part,
        count(distinct month) as months,
        count(distinct month) - count(distinct month) filter (where not found) as months_found,
        count(*) filter (where found and figure is null) as unconverted,
        string_agg(
            distinct if(customs_flow = 'X', 'exports', 'imports'), ' and '
        ) filter (where not found) as missing_flows,
        -- a part with a month or flow missing, or unconverted, is "no data" (below), and its
        -- figure is not shown: the sum of what is there is never judged
        sum(figure) as total,
        string_agg(distinct source, ', ') as sources
    from customs_rows
    group by all
),

covered as (
    select distinct reporter_code from customs
),

compared as (
    select
        claims.*,
        articles.canonical_url,
        articles.outlet,
        articles.title,
        articles.published_at,
        claimed.months,
        claimed.months_found,
        claimed.unconverted,
        claimed.missing_flows,
        claimed.sources as customs_source,
        case
            when claims.kind = 'percent'
                then round(100 * (claimed.total / nullif(basis.total, 0) - 1), 2)
            -- "up by 5.8 million tons": the change itself
            when claims.basis like 'change%' then claimed.total - basis.total
            when claims.per_month then claimed.total / claimed.months
            else claimed.total
        end as customs_figure,
        basis.months as basis_months,
        basis.months_found as basis_months_found,
        basis.total as basis_total,
        covered.reporter_code is not null as reporter_covered,
        coalesce(reporters.name, 'code ' || claims.reporter_code) as reporter_name,
        reporters.iso3 as reporter_iso3,
        coalesce(partners.name, 'code ' || claims.partner_code) as partner_name
    from claims
    inner join articles using (article_id, version)
    left join measured as claimed
        on claimed.article_id = claims.article_id
        and claimed.version = claims.version
        and claimed.claim_no = claims.claim_no
        and claimed.part = 'claim'
    left join measured as basis
        on basis.article_id = claims.article_id
        and basis.version = claims.version
        and basis.claim_no = claims.claim_no
        and basis.part = 'basis'
    left join covered on covered.reporter_code = claims.reporter_code
    left join ref.countries as reporters on reporters.code = claims.reporter_code
    left join ref.countries as partners on partners.code = claims.partner_code
),

judged as (
    select
        *,
        -- An unsigned percent ("a 27 percent change") is judged on its size alone.
        case
            when (kind = 'percent' or basis like 'change%') and direction is null
                then abs(customs_figure)
            when basis like 'change%' and direction = 'down' then -customs_figure
            else customs_figure
        end as judged_figure,
        case
            when period is null then 'the report gives no month'
            when reporter_code is null then 'the report does not say whose trade it is'
            when flow is null then 'the report does not say which way the goods went'
            when commodity is null then 'the report does not say which commodity'
            when partner_code is null then 'the report does not say which partner country'
        end as unread_reason,
        case
            when measure = 'volume'
                then 'stated as a volume (' || unit || '); customs tables hold weights and values'
            when hs_code is null then 'no customs series for ' || commodity
            when not reporter_covered
                then 'not covered — reporter ' || reporter_name || ': no loaded source publishes '
                || 'its trade (UN Comtrade does: watch reporter = "'
                || coalesce(reporter_iso3, cast(reporter_code as varchar)) || '")'
            when coalesce(unconverted, 0) > 0
                then 'stated in ' || currency || '; no ' || currency || ' rate loaded for '
                || 'those months (the ECB source loads them)'
            when coalesce(months_found, 0) < months
                then 'customs data missing for ' || (months - coalesce(months_found, 0))
                || ' of ' || months || ' months'
                || if(flow in ('T', 'B'), ' (' || missing_flows || ')', '')
            when (kind = 'percent' or basis like 'change%')
                and coalesce(basis_months_found, 0) < basis_months
                then 'customs data missing for the basis months'
            when kind = 'percent' and coalesce(basis_total, 0) = 0
                then 'the basis is zero: no percent change'
        end as no_data_reason
    from compared
),

verdicts as (
    select
        *,
        coalesce(
            judged_figure >= coalesce(low, judged_figure) - tolerance - 1e-9
            and judged_figure <= coalesce(high, judged_figure) + tolerance + 1e-9,
            false
        ) as within
    from judged
)

select
    article_id,
    version,
    claim_no,
    canonical_url,
    outlet,
    published_at,
    sentence,
    stated,
    kind,
    measure,
    commodity,
    hs_code,
    reporter_code,
    partner_code,
    flow,
    period,
    period_end,
    per_month,
    direction,
    qualifier,
    amount as claimed,
    low as claimed_low,
    high as claimed_high,
    tolerance,
    basis,
    basis_period,
    basis_period_end,
    -- A sum over months some of which are missing is no figure at all.
    case
        when no_data_reason is null and unread_reason is null then customs_figure
    end as customs_figure,
    customs_source,
    case
        when unread_reason is not null then 'unclear'
        when no_data_reason is not null then 'no data'
        when within then 'agrees'
        when basis in ('unstated', 'change unstated') or period_source = 'publication'
            then 'unclear'
        else 'disagrees'
    end as verdict,
    case
        when unread_reason is not null then unread_reason
        when no_data_reason is not null or within then null
        when basis in ('unstated', 'change unstated')
            then 'the report does not say what the change is measured against; '
            || 'against the previous month it does not hold'
        when period_source = 'publication'
            then 'the report names no month; the month before publication was assumed'
    end as unclear_reason,
    no_data_reason,
    currency,
    period_source,
    balance,
    unit,
    -- what it was checked against: the source, the series as the reporter sees it, the months
    case when reporter_code is not null and flow is not null and period is not null then
        coalesce(customs_source || ': ', '') || reporter_name || ' '
        || case flow
            when 'M' then 'imports from ' when 'X' then 'exports to '
            when 'T' then 'trade with ' else 'balance with '
        end || partner_name || ', HS ' || coalesce(hs_code, '?') || ', '
        || strftime(period, '%Y-%m')
        || if(period_end > period, '..' || strftime(period_end, '%Y-%m'), '')
    end as checked_against
from verdicts
