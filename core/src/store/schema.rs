//! Schema migrations, applied in order; on SQLite `PRAGMA user_version` records how many ran.
//! Append new migrations at the end; never edit one that has shipped.

pub const MIGRATIONS: &[&str] = &[
    // 1: workspace metadata and cloud connections with their encrypted secrets.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    );
    CREATE TABLE connections (
        id                 TEXT PRIMARY KEY,
        tag                TEXT NOT NULL,
        provider           TEXT NOT NULL,
        display_name       TEXT NOT NULL,
        description        TEXT,
        status             TEXT NOT NULL,
        scopes             TEXT NOT NULL,          -- JSON array of strings
        account_identifier TEXT,
        metadata           TEXT NOT NULL,          -- JSON object, never a secret
        credentials_rev    INTEGER NOT NULL DEFAULT 0, -- bumped whenever credentials change
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        deleted_at         TEXT
    );
    -- A tag names one live connection; a deleted tag may be created again.
    CREATE UNIQUE INDEX connections_live_tag ON connections(tag) WHERE deleted_at IS NULL;
    CREATE INDEX connections_tag ON connections(tag);
    CREATE TABLE connection_secrets (
        connection_id TEXT NOT NULL REFERENCES connections(id),
        name          TEXT NOT NULL,               -- e.g. atlas_private_key
        ciphertext    BLOB NOT NULL,               -- crypto::Cipher format, bound to id and name
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (connection_id, name)
    );
    "#,
    // 2: workspace secrets, and products with their environments and database components.
    r#"
    CREATE TABLE secrets (
        id              TEXT PRIMARY KEY,
        key             TEXT NOT NULL UNIQUE,      -- UPPER_SNAKE, referenced as $Secret{KEY}
        description     TEXT,
        scope           TEXT,                      -- JSON array of app tags; NULL: every app
        envs            TEXT,                      -- JSON array of environment slugs; NULL: every env
        expires_at      TEXT,
        revoked_at      TEXT,
        ciphertext      BLOB NOT NULL,             -- crypto::Cipher format, bound to id
        owner_component TEXT REFERENCES components(id),   -- set for a secret a component env owns
        owner_env       TEXT REFERENCES environments(id), -- (made by cloud.resources.import)
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        last_rotated_at TEXT NOT NULL
    );
    CREATE INDEX secrets_owner ON secrets(owner_component, owner_env) WHERE owner_component IS NOT NULL;
    CREATE TABLE products (
        id          TEXT PRIMARY KEY,
        tag         TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        description TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE environments (
        id          TEXT PRIMARY KEY,
        product_id  TEXT NOT NULL REFERENCES products(id),
        slug        TEXT NOT NULL,
        name        TEXT NOT NULL,
        description TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (product_id, slug)
    );
    CREATE TABLE components (
        id         TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        tag        TEXT NOT NULL,
        name       TEXT NOT NULL,
        type       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (product_id, tag)
    );
    -- One config per component and environment. The connection URL is either a bare reference
    -- (connection_url_ref, `$Secret{KEY}`, not secret) or sealed (connection_url_sealed: a
    -- literal, or text mixing literals and references), bound to component and environment.
    CREATE TABLE component_envs (
        component_id          TEXT NOT NULL REFERENCES components(id),
        env_id                TEXT NOT NULL REFERENCES environments(id),
        connection_url_ref    TEXT,
        connection_url_sealed BLOB,
        cloud                 TEXT,
        instance              TEXT,
        auth_mode             TEXT,
        database_user         TEXT,                -- the Atlas user cloud.resources.import made
        updated_at            TEXT NOT NULL,
        PRIMARY KEY (component_id, env_id)
    );
    CREATE INDEX component_envs_env ON component_envs(env_id);
    "#,
    // 3: network access: the IP access-list entries each connection added (its "synced_ips"),
    // and one write lock per Atlas project, so syncs of one project run one at a time across
    // threads and processes. `state` is 'intent' from just before a POST until a re-read of the
    // access list confirms the entry ('confirmed') or shows it absent (row deleted).
    r#"
    CREATE TABLE network_synced_ips (
        connection_id TEXT NOT NULL REFERENCES connections(id),
        project_id    TEXT NOT NULL,
        cidr          TEXT NOT NULL,               -- canonical block, e.g. 203.0.113.7/32
        comment       TEXT,
        source        TEXT NOT NULL,               -- custom | ductape_proxy | detected | temporary
        state         TEXT NOT NULL,               -- intent | confirmed
        delete_after  TEXT,                        -- RFC 3339, temporary entries only
        added_at      TEXT NOT NULL,
        PRIMARY KEY (connection_id, cidr)
    );
    CREATE INDEX network_synced_ips_project ON network_synced_ips(project_id, cidr);
    CREATE TABLE network_locks (
        project_id TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,                  -- a random id per sync call
        expires_at INTEGER NOT NULL                -- unix ms; a crashed holder's lease runs out
    );
    "#,
    // 4: ownership. Leases by name (the access list's per-project lock and import's per-target
    // lock) replace network_locks; a component env records the Atlas project and base URL it was
    // imported from, so unlink never deletes a user in another project; access-list records are
    // keyed by project too, so moving a connection to another project orphans nothing.
    r#"
    CREATE TABLE leases (
        name       TEXT PRIMARY KEY,               -- e.g. access_list:<project>, import:<target>
        holder     TEXT NOT NULL,                  -- a random id per holder
        expires_at INTEGER NOT NULL                -- unix ms; a crashed holder's lease runs out
    );
    DROP TABLE network_locks;
    ALTER TABLE component_envs ADD COLUMN project_id TEXT;
    ALTER TABLE component_envs ADD COLUMN atlas_base_url TEXT;
    CREATE TABLE network_synced_ips_v4 (
        connection_id TEXT NOT NULL REFERENCES connections(id),
        project_id    TEXT NOT NULL,
        cidr          TEXT NOT NULL,
        comment       TEXT,
        source        TEXT NOT NULL,
        state         TEXT NOT NULL,
        delete_after  TEXT,
        added_at      TEXT NOT NULL,
        PRIMARY KEY (connection_id, project_id, cidr)
    );
    INSERT INTO network_synced_ips_v4 (connection_id, project_id, cidr, comment, source, state, delete_after, added_at)
        SELECT connection_id, project_id, cidr, comment, source, state, delete_after, added_at
        FROM network_synced_ips ORDER BY rowid;
    DROP TABLE network_synced_ips;
    ALTER TABLE network_synced_ips_v4 RENAME TO network_synced_ips;
    CREATE INDEX network_synced_ips_project ON network_synced_ips(project_id, cidr);
    "#,
];

/// The same schema on PostgreSQL, migration for migration (the `ductape_schema` table records
/// how many ran). Differences, none visible to an operation: `BYTEA` for sealed values,
/// `BIGINT` for integers, and a `rowid` identity column on the tables whose rows the
/// repositories list in insertion order (`ORDER BY rowid`, as SQLite's implicit rowid).
/// Timestamps stay RFC 3339 text, JSON stays text: the same values as SQLite, compared the same.
pub const POSTGRES_MIGRATIONS: &[&str] = &[
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BYTEA NOT NULL
    );
    CREATE TABLE connections (
        rowid              BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id                 TEXT PRIMARY KEY,
        tag                TEXT NOT NULL,
        provider           TEXT NOT NULL,
        display_name       TEXT NOT NULL,
        description        TEXT,
        status             TEXT NOT NULL,
        scopes             TEXT NOT NULL,
        account_identifier TEXT,
        metadata           TEXT NOT NULL,
        credentials_rev    BIGINT NOT NULL DEFAULT 0,
        created_at         TEXT NOT NULL,
        updated_at         TEXT NOT NULL,
        deleted_at         TEXT
    );
    CREATE UNIQUE INDEX connections_live_tag ON connections(tag) WHERE deleted_at IS NULL;
    CREATE INDEX connections_tag ON connections(tag);
    CREATE TABLE connection_secrets (
        rowid         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        connection_id TEXT NOT NULL REFERENCES connections(id),
        name          TEXT NOT NULL,
        ciphertext    BYTEA NOT NULL,
        updated_at    TEXT NOT NULL,
        PRIMARY KEY (connection_id, name)
    );
    "#,
    r#"
    CREATE TABLE products (
        rowid       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id          TEXT PRIMARY KEY,
        tag         TEXT NOT NULL UNIQUE,
        name        TEXT NOT NULL,
        description TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL
    );
    CREATE TABLE environments (
        rowid       BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id          TEXT PRIMARY KEY,
        product_id  TEXT NOT NULL REFERENCES products(id),
        slug        TEXT NOT NULL,
        name        TEXT NOT NULL,
        description TEXT,
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (product_id, slug)
    );
    CREATE TABLE components (
        rowid      BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id         TEXT PRIMARY KEY,
        product_id TEXT NOT NULL REFERENCES products(id),
        tag        TEXT NOT NULL,
        name       TEXT NOT NULL,
        type       TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (product_id, tag)
    );
    CREATE TABLE secrets (
        rowid           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        id              TEXT PRIMARY KEY,
        key             TEXT NOT NULL UNIQUE,
        description     TEXT,
        scope           TEXT,
        envs            TEXT,
        expires_at      TEXT,
        revoked_at      TEXT,
        ciphertext      BYTEA NOT NULL,
        owner_component TEXT REFERENCES components(id),
        owner_env       TEXT REFERENCES environments(id),
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        last_rotated_at TEXT NOT NULL
    );
    CREATE INDEX secrets_owner ON secrets(owner_component, owner_env) WHERE owner_component IS NOT NULL;
    CREATE TABLE component_envs (
        component_id          TEXT NOT NULL REFERENCES components(id),
        env_id                TEXT NOT NULL REFERENCES environments(id),
        connection_url_ref    TEXT,
        connection_url_sealed BYTEA,
        cloud                 TEXT,
        instance              TEXT,
        auth_mode             TEXT,
        database_user         TEXT,
        updated_at            TEXT NOT NULL,
        PRIMARY KEY (component_id, env_id)
    );
    CREATE INDEX component_envs_env ON component_envs(env_id);
    "#,
    r#"
    CREATE TABLE network_synced_ips (
        rowid         BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
        connection_id TEXT NOT NULL REFERENCES connections(id),
        project_id    TEXT NOT NULL,
        cidr          TEXT NOT NULL,
        comment       TEXT,
        source        TEXT NOT NULL,
        state         TEXT NOT NULL,
        delete_after  TEXT,
        added_at      TEXT NOT NULL,
        PRIMARY KEY (connection_id, cidr)
    );
    CREATE INDEX network_synced_ips_project ON network_synced_ips(project_id, cidr);
    CREATE TABLE network_locks (
        project_id TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    "#,
    r#"
    CREATE TABLE leases (
        name       TEXT PRIMARY KEY,
        holder     TEXT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    DROP TABLE network_locks;
    ALTER TABLE component_envs ADD COLUMN project_id TEXT;
    ALTER TABLE component_envs ADD COLUMN atlas_base_url TEXT;
    ALTER TABLE network_synced_ips DROP CONSTRAINT network_synced_ips_pkey;
    ALTER TABLE network_synced_ips ADD PRIMARY KEY (connection_id, project_id, cidr);
    "#,
];
