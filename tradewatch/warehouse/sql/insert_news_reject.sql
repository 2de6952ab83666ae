insert into news_rejects
values ($run_id, $month, $url, $reason, $exchange_id, now())
