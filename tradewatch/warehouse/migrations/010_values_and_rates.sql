-- Money as published, and the rates to read it in US dollars beside it (never in its place).
--   trade_values: the value a source published for a series' month in a currency other than US
--     dollars (Comext: euro), written with that load; a later load of the month adds a row
--     (the trade_values_usd view reads the latest).
--   ref.fx_rates: monthly average reference rates as units of a currency per euro (the ECB's
--     quotation), every load a row with the exchange it came from (fx_monthly: the latest).
create table trade_values (
    source varchar not null,
    reporter_code integer not null,
    partner_code integer not null,
    hs_code varchar not null,
    flow varchar not null,
    period date not null,
    currency varchar not null,
    value double not null,
    exchange_id varchar not null,
    loaded_at timestamptz not null
);

create table ref.fx_rates (
    period date not null,
    currency varchar not null,
    per_eur double not null,
    source varchar not null,
    exchange_id varchar not null,
    loaded_at timestamptz not null
);
