-- The staged new vintages (stage_vintages.sql) into the table, in one set.
insert into trade_vintages by name
select * from scratch.staged_vintages
