insert into news_article_versions by name
select *, $article_id as article_id, $version as version, $exchange_id as exchange_id,
    $run_id as run_id, now() as loaded_at
from incoming_article
