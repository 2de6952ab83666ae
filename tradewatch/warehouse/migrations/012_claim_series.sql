-- Claims name their series: the flow is import, export, total trade or a balance, or unknown
-- (null) where the report does not say; a balance says its side (surplus: exports - imports,
-- deficit: imports - exports); the unit the amount is in (kg, bbl/d, m3, a currency, %), and a
-- value's currency may be any the report states (JPY, EUR, KRW, GBP, INR, CNY, USD).
alter table news_claims alter column flow drop not null;
alter table news_claims add column balance varchar;
alter table news_claims add column unit varchar;
