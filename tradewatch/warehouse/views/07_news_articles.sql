-- One row per article (canonical URL): its latest version, and how many versions were seen.
create or replace view news_articles as
with versions as (
    select * from news_article_versions
),

latest as (
    select
        *,
        count(*) over (partition by article_id) as versions
    from versions
    qualify row_number() over (partition by article_id order by version desc) = 1
)

select
    article_id,
    canonical_url,
    title,
    outlet,
    author,
    published_at,
    published_from,
    language,
    text,
    text_sha256,
    version,
    versions,
    url,
    exchange_id,
    loaded_at
from latest
