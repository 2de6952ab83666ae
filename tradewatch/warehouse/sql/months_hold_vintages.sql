-- Whether the warehouse holds any vintage for a month from $first to $last (before a load's
-- insert: where none, the load's unique keys cannot make a duplicate vintage there).
select exists (
    select 1
    from trade_vintages
    where period between $first and $last
) as held
