-- One validated batch: its rows and its quarantine, appended to the staging tables.
insert into scratch.incoming_rows by name
select * replace (cast(period as date) as period) from batch_rows;
insert into scratch.incoming_quarantine by name
select * replace (cast(period as date) as period) from batch_quarantine;
