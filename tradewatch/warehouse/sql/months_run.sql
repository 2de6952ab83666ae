-- The first and last month any run has touched (status's default range).
select min(period), max(period) from ops.runs where period is not null
