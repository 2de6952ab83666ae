-- One validated batch's rows, appended to the staging table (its quarantine: stage_quarantine).
insert into scratch.incoming_rows by name
select * replace (cast(period as date) as period) from batch_rows;
