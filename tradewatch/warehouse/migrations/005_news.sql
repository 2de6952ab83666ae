-- News reports: what discovery found, every version of every article, the figures each
-- version states, and the pages that were refused with the reason.
create table news_discoveries (
    run_id varchar not null,
    month date not null,
    via varchar not null,            -- gdelt | feed
    found_in varchar not null,       -- the GDELT request or feed URL
    url varchar not null,
    title varchar,
    seen_at timestamptz,
    article_id varchar,              -- null when the page was refused
    version integer,
    exchange_id varchar,
    discovered_at timestamptz not null
);

create table news_article_versions (
    article_id varchar not null,     -- first 16 hex digits of sha256(canonical_url)
    version integer not null,
    canonical_url varchar not null,
    url varchar not null,
    title varchar,
    outlet varchar,
    author varchar,
    published_at timestamptz not null,
    published_from varchar not null,
    language varchar,
    text varchar not null,
    text_sha256 varchar not null,
    exchange_id varchar,
    run_id varchar not null,
    loaded_at timestamptz not null,
    primary key (article_id, version)
);

create table news_claims (
    article_id varchar not null,
    version integer not null,
    claim_no integer not null,
    kind varchar not null,           -- quantity | value | percent
    measure varchar not null,        -- weight | value
    sentence_no integer not null,
    sentence varchar not null,
    stated varchar not null,
    commodity varchar,
    hs_code varchar,
    reporter_code integer,
    partner_code integer,
    flow varchar not null,
    period date,
    period_end date,
    per_month boolean not null,
    direction varchar,
    qualifier varchar,
    amount double,                   -- kg, USD or signed percent, as stated
    low double,
    high double,
    tolerance double not null,       -- half a unit of the stated precision
    basis varchar,
    basis_period date,
    basis_period_end date,
    primary key (article_id, version, claim_no)
);

create table news_rejects (
    run_id varchar not null,
    month date,
    url varchar not null,
    reason varchar not null,
    exchange_id varchar,
    rejected_at timestamptz not null
);
