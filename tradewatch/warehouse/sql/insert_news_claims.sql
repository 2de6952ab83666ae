insert into news_claims by name
select *, $article_id as article_id, $version as version
from incoming_claims
