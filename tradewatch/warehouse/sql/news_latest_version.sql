select version, text_sha256
from news_article_versions
where article_id = $article_id
order by version desc
limit 1
