drop table if exists scratch.incoming_rows;
drop table if exists scratch.incoming_quarantine;
