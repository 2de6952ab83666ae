-- How a claim was read: the currency a value was stated in (CNY values are kept in CNY, never
-- converted) and where its months came from — the sentence ('text'), earlier sentences or the
-- title ('report'), or the month before publication when the report names none
-- ('publication', an assumption claim_checks never holds against the report).
alter table news_claims add column currency varchar;
alter table news_claims add column period_source varchar;
