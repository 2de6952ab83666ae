-- The key hashes that repeat among the staged rows (almost always none): one number a row
-- grouped, far cheaper than the keys themselves. Two keys may share a hash, so a hit only
-- sends the load to quarantine_cross_batch_duplicates, which compares the keys.
select hash(source, reporter_code, partner_code, hs_code, flow, period) as key_hash
from staged_rows
group by key_hash
having count(*) > 1
