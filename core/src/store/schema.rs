//! Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
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
];
