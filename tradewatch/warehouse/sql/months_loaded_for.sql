-- Whether any run recorded the month (loaded, or found unpublished or unavailable).
select count(*) > 0 from ops.runs where period = $month
