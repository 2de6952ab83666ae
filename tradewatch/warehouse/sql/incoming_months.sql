-- The months a staged payload holds, valid or rejected.
select period from staged_rows
union
select period from scratch.incoming_quarantine where period is not null
order by period
