drop table if exists incoming_rows;
drop table if exists incoming_quarantine;
drop table if exists staged_vintages;
