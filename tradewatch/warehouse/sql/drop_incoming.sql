drop view if exists staged_rows;
drop table if exists scratch.incoming_rows;
drop table if exists scratch.incoming_quarantine;
