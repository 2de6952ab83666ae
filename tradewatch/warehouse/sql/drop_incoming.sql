drop table if exists scratch.incoming_rows;
drop table if exists scratch.incoming_quarantine;
drop table if exists scratch.staged_vintages;
