-- Turns judged against the season and the series' own noise (README "Reversal alerts"):
--   ops.reversal_settings: the rule ('seasonal', the default, or 'simple'), the band's width in
--     robust standard deviations of the series' past surprises, and how many past surprises a
--     series needs before the seasonal rule judges it (with fewer the simple rule does, and the
--     alert says so);
--   ref.combined_months: reporters that publish January and February as one figure (China's
--     customs): their two months are judged as one period;
--   alerts: the rule that raised each alert, the move expected for its calendar month, the band
--     and the history they came from.
alter table ops.reversal_settings add column rule varchar;
alter table ops.reversal_settings add column band_k double;
alter table ops.reversal_settings add column min_history_months integer;
update ops.reversal_settings set rule = 'seasonal', band_k = 2.25, min_history_months = 12
where reporter_code is null;

create table ref.combined_months (
    reporter_code integer not null,
    note varchar not null
);
insert into ref.combined_months values
    (156, 'China''s customs publishes January and February together (the Lunar New Year moves)');

alter table alerts add column rule varchar;
alter table alerts add column expected_pct double;
alter table alerts add column band_pct double;
alter table alerts add column history_months integer;
