-- The logistics exchange (工业物流群): truck offers (车源), cargo requests (货源), their matches,
-- and the guided conversations in progress. Dates a user picks (departure, ready, latest) are
-- calendar days in the park's time zone, stored as YYYY-MM-DD text and named *_date; moments are
-- UTC ISO text named *_at. Cities are stored normalised (常州市 -> 常州) so equality matches.

CREATE TABLE truck_offers (
    id              INTEGER PRIMARY KEY,
    owner_id        INTEGER NOT NULL,
    enterprise_id   INTEGER REFERENCES enterprises(id) ON DELETE SET NULL,
    origin          TEXT NOT NULL,
    destination     TEXT NOT NULL,
    via             TEXT NOT NULL DEFAULT '',
    depart_date     TEXT NOT NULL,
    vehicle         TEXT NOT NULL CHECK (vehicle IN ('box', 'rail', 'flat', 'cold')),
    length          TEXT,
    capacity_tonnes REAL NOT NULL CHECK (capacity_tonnes > 0),
    capacity_m3     REAL,
    spare_tonnes    REAL NOT NULL CHECK (spare_tonnes >= 0),
    spare_m3        REAL,
    price_note      TEXT,
    contact         TEXT,
    status          TEXT NOT NULL DEFAULT 'open' CHECK (status IN
                    ('open', 'partially_filled', 'full', 'departed', 'expired', 'withdrawn')),
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX truck_offers_owner ON truck_offers(owner_id, status);
CREATE INDEX truck_offers_status_date ON truck_offers(status, depart_date);
CREATE INDEX truck_offers_created ON truck_offers(created_at);

-- Every city a truck unloads in (its destination and each city on the way), one row each, with
-- the departure copied in: the matcher finds trucks for a cargo with one index range scan.
CREATE TABLE truck_stops (
    offer_id    INTEGER NOT NULL REFERENCES truck_offers(id) ON DELETE CASCADE,
    city        TEXT NOT NULL,
    depart_date TEXT NOT NULL,
    PRIMARY KEY (offer_id, city)
);
CREATE INDEX truck_stops_city_date ON truck_stops(city, depart_date);

CREATE TABLE cargo_requests (
    id            INTEGER PRIMARY KEY,
    owner_id      INTEGER NOT NULL,
    enterprise_id INTEGER REFERENCES enterprises(id) ON DELETE SET NULL,
    origin        TEXT NOT NULL,
    destination   TEXT NOT NULL,
    ready_date    TEXT NOT NULL,
    latest_date   TEXT NOT NULL,
    cargo_name    TEXT NOT NULL,
    tonnes        REAL NOT NULL CHECK (tonnes > 0),
    m3            REAL,
    pieces        INTEGER,
    cold          INTEGER NOT NULL DEFAULT 0 CHECK (cold IN (0, 1)),
    price_note    TEXT,
    contact       TEXT,
    status        TEXT NOT NULL DEFAULT 'open' CHECK (status IN
                  ('open', 'matched', 'shipped', 'expired', 'withdrawn')),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (latest_date >= ready_date)
);
CREATE INDEX cargo_requests_owner ON cargo_requests(owner_id, status);
-- The matcher's path for a new truck: open cargo to one city whose window starts by departure.
CREATE INDEX cargo_requests_match ON cargo_requests(destination, status, ready_date);
CREATE INDEX cargo_requests_status_latest ON cargo_requests(status, latest_date);
CREATE INDEX cargo_requests_created ON cargo_requests(created_at);

-- One row per (truck, cargo) pair ever proposed; each side answers accept or decline.
CREATE TABLE logistics_matches (
    id           INTEGER PRIMARY KEY,
    offer_id     INTEGER NOT NULL REFERENCES truck_offers(id),
    request_id   INTEGER NOT NULL REFERENCES cargo_requests(id),
    status       TEXT NOT NULL DEFAULT 'proposed' CHECK (status IN
                 ('proposed', 'accepted', 'declined', 'void', 'completed')),
    truck_answer TEXT CHECK (truck_answer IN ('accept', 'decline')),
    cargo_answer TEXT CHECK (cargo_answer IN ('accept', 'decline')),
    proposed_at  TEXT NOT NULL,
    accepted_at  TEXT,
    completed_at TEXT,
    updated_at   TEXT NOT NULL,
    UNIQUE (offer_id, request_id)
);
CREATE INDEX logistics_matches_request ON logistics_matches(request_id, status);
CREATE INDEX logistics_matches_offer ON logistics_matches(offer_id, status);
CREATE INDEX logistics_matches_proposed ON logistics_matches(proposed_at);
CREATE INDEX logistics_matches_accepted ON logistics_matches(accepted_at);
CREATE INDEX logistics_matches_completed ON logistics_matches(completed_at);

-- The guided /truck and /cargo conversation of a user, one at a time, kept across restarts.
CREATE TABLE logistics_drafts (
    user_id    INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('truck', 'cargo')),
    step       TEXT NOT NULL,
    data       TEXT NOT NULL DEFAULT '{}',
    updated_at TEXT NOT NULL
);
