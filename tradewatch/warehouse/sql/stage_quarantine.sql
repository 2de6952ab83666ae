-- One validated batch's quarantine, appended to the staging table.
insert into scratch.incoming_quarantine by name
select * replace (cast(period as date) as period) from batch_quarantine;
