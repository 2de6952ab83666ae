-- The months a staged payload holds, valid or rejected.
select period from incoming_rows
union
select period from incoming_quarantine where period is not null
order by period
