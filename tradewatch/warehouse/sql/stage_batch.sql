-- One validated batch: its rows and its quarantine, appended to the staging tables.
insert into incoming_rows by name
select * replace (cast(period as date) as period) from batch_rows;
insert into incoming_quarantine by name
select * replace (cast(period as date) as period) from batch_quarantine;
