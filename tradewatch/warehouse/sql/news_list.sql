-- Articles published in a month, with how many figures they state and how those check out.
with articles as (
    select * from news_articles
    where published_at >= $start and published_at < $end
),

checks as (
    select
        article_id,
        count(*) as claims,
        count(*) filter (where verdict = 'agrees') as agrees,
        count(*) filter (where verdict = 'disagrees') as disagrees,
        count(*) filter (where verdict = 'no data') as no_data
    from claim_checks
    group by article_id
)

select
    cast(articles.published_at as date) as published,
    articles.outlet,
    articles.title,
    coalesce(checks.claims, 0) as claims,
    coalesce(checks.agrees, 0) as agrees,
    coalesce(checks.disagrees, 0) as disagrees,
    coalesce(checks.no_data, 0) as no_data,
    articles.version,
    articles.canonical_url
from articles
left join checks using (article_id)
order by articles.published_at, articles.canonical_url
