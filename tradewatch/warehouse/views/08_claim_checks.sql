-- Every claim of every article's latest version beside the customs figure for the same series
-- and month(s): China's customs (GACC) where it has the series, else Comtrade. Each claim is
-- checked on its own basis: a month's figure against the month, a sum or year-to-date total
-- against the sum of its months ("a month": their average), a percent change against the claimed
-- month(s) over the basis month(s) — the previous month, a year earlier or a named month. The
-- verdict allows half a unit of the stated precision (and the qualifier's bounds: "more than",
-- "about", "between"). A claim whose reading the extractor could not pin down (no month, no
-- commodity, a change whose basis the report leaves unsaid, a month assumed from the
-- publication date) is 'unclear' with why, never 'disagrees'; 'no data' says what is missing.
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
    from trade_monthly
    qualify row_number() over (
        partition by reporter_code, partner_code, hs_code, flow, period
        order by case source when 'gacc' then 0 else 1 end
    ) = 1
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

measured as (
    select
        claim_months.article_id,
        claim_months.version,
        claim_months.claim_no,
        claim_months.part,
        count(*) as months,
        count(customs.period) as months_found,
        sum(
            case claims.measure when 'value' then customs.value_usd else customs.net_weight_kg end
        ) as total,
        string_agg(distinct customs.source, ', ') as sources
    from claim_months
    inner join claims using (article_id, version, claim_no)
    left join customs
        on customs.reporter_code = coalesce(claims.reporter_code, 156)
        and customs.partner_code = claims.partner_code
        and customs.hs_code = claims.hs_code
        and customs.flow = claims.flow
        and customs.period = claim_months.month
    group by all
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
        basis.total as basis_total
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
            when commodity is null then 'the report does not say which commodity'
            when partner_code is null then 'the report does not say which partner country'
        end as unread_reason,
        case
            when flow = 'T' then 'trade both ways: customs imports and exports are loaded apart'
            when currency = 'CNY' then 'stated in yuan; the customs values are in US dollars'
            when hs_code is null then 'no customs series for ' || commodity
            when coalesce(months_found, 0) < months
                then 'customs data missing for ' || (months - coalesce(months_found, 0))
                || ' of ' || months || ' months'
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
    period_source
from verdicts
