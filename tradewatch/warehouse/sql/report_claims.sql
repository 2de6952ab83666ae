-- What the news said: each claim of the month's articles (published in the month, or stating a
-- figure for it), its sentence, the customs figure and the verdict.
select
    c.article_id,
    a.title,
    c.outlet,
    c.published_at,
    c.canonical_url,
    c.claim_no,
    c.sentence,
    c.stated,
    c.kind,
    c.measure,
    c.basis,
    c.verdict,
    coalesce(c.unclear_reason, c.no_data_reason) as why,
    c.customs_figure,
    c.period,
    c.period_end
from claim_checks as c
join news_articles as a using (article_id)
where (cast(c.published_at as date) between $month and $month_end)
    or ($month between c.period and coalesce(c.period_end, c.period))
order by c.published_at, c.article_id, c.claim_no
