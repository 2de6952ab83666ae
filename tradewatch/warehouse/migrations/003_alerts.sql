-- Reversal settings mirrored from the watchlist, and the alerts raised from the reversals view.

-- One row per watched series, plus the default row (all key columns null). The flow rewrites
-- them from tradewatch.toml at every run; these seeds match watchlist.py's defaults so a
-- warehouse that has never run still answers `select * from reversals`.
create table ops.reversal_settings (
    reporter_code integer,
    partner_code integer,
    hs_code varchar,
    flow varchar,
    theta double not null,
    min_trend_months integer not null,
    low_base_kg double not null,
    updated_at timestamptz not null
);
insert into ops.reversal_settings values (null, null, null, null, 0.10, 1, 1000000, now());

create table alerts (
    alert_id varchar primary key,
    source varchar not null,
    reporter_code integer not null,
    partner_code integer not null,
    hs_code varchar not null,
    flow varchar not null,
    period date not null,
    direction varchar not null,
    move_pct double,
    previous_kg double,
    current_kg double,
    trend_months integer,
    low_base boolean not null,
    theta double not null,
    status varchar not null,
    notify boolean not null,
    raised_at timestamptz not null,
    retracted_at timestamptz,
    raised_notified_at timestamptz,
    retracted_notified_at timestamptz,
    delivery_error varchar,
    run_id varchar not null,
    unique (source, reporter_code, partner_code, hs_code, flow, period, direction)
);

-- Every delivery attempt's outcome, per alert, kind (raised or retracted) and channel.
create table ops.alert_deliveries (
    alert_id varchar not null,
    kind varchar not null,
    channel varchar not null,
    attempts integer not null,
    delivered_at timestamptz,
    last_error varchar,
    last_attempt_at timestamptz not null,
    primary key (alert_id, kind, channel)
);
