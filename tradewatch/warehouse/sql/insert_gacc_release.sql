insert into gacc_releases
select
    $release_url, $sha256, $exchange_id, $publication, $table_kind, $title, $year, $month,
    $combined, $published_at, $currency, $unit, now()
where not exists (
    select 1 from gacc_releases where url = $release_url and sha256 = $sha256
)
