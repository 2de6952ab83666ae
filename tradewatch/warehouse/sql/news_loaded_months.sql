select distinct period
from ops.runs
where source = 'news' and status = 'loaded' and period between $start and $end
