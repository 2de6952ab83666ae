-- The rows a payload staged, as its load reads them: {rows} is scratch.incoming_rows with the
-- Parquet files its worker processes wrote, if any (load.py). A row quarantined as a duplicate
-- of another batch's is left out. A temporary view: it names files of this load only.
create or replace temp view staged_rows as
select *
from ({rows}) as staged
where not exists (
    select 1
    from scratch.incoming_quarantine as quarantined
    where quarantined.check_name = 'multiple_fields_uniqueness'
        and quarantined.row_index = staged.row_index
);
