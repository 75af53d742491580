"""The store's tables, as the numbered migrations that made them; `PRAGMA user_version` counts
the ones a database has seen."""

from __future__ import annotations

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE inbox (
        update_id INTEGER PRIMARY KEY,
        payload TEXT NOT NULL,
        received_at TEXT NOT NULL
    );
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    );
    INSERT INTO state VALUES ('last_processed_update', 0);
    CREATE TABLE users (
        user_id INTEGER PRIMARY KEY,
        chat_id INTEGER NOT NULL,
        language TEXT NOT NULL DEFAULT 'en',
        reminders INTEGER NOT NULL DEFAULT 1,
        created_at TEXT NOT NULL
    );
    CREATE TABLE subscriptions (
        user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
        committee TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (user_id, committee)
    );
    CREATE TABLE sessions_seen (
        session_id TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        record TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        user_id INTEGER REFERENCES users ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        payload TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending'
            CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'uncertain')),
        attempts INTEGER NOT NULL DEFAULT 0,
        not_before TEXT NOT NULL,
        error TEXT,
        created_at TEXT NOT NULL,
        sent_at TEXT
    );
    CREATE INDEX outbox_due ON outbox (not_before, id) WHERE state = 'pending';
    CREATE TABLE poll_messages (
        poll_id TEXT NOT NULL,
        user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE,
        chat_id INTEGER NOT NULL,
        message_id INTEGER NOT NULL,
        telegram_poll_id TEXT,
        stopped INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (poll_id, user_id)
    );
    CREATE INDEX poll_messages_telegram ON poll_messages (telegram_poll_id);
    CREATE TABLE answers (
        poll_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        options TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        answered_at TEXT NOT NULL,
        PRIMARY KEY (poll_id, voter)
    );
    CREATE TABLE polls (
        poll_id TEXT PRIMARY KEY,
        opened_at TEXT,
        closed_at TEXT,
        published_at TEXT,
        publish_attempts INTEGER NOT NULL DEFAULT 0,
        publish_error TEXT
    );
    CREATE TABLE drafts (
        user_id INTEGER PRIMARY KEY,
        committee TEXT NOT NULL,
        text TEXT
    );
    """,
    # 2: the respondent's language (the one breakdown results offer), comments, publishing
    """
    ALTER TABLE answers ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
    CREATE TABLE comments (
        poll_id TEXT NOT NULL,
        voter TEXT NOT NULL,
        text TEXT NOT NULL,
        update_id INTEGER NOT NULL,
        PRIMARY KEY (poll_id, voter)
    );
    ALTER TABLE polls ADD COLUMN publish_after TEXT;
    ALTER TABLE polls ADD COLUMN published_url TEXT;
    """,
    # 3: replies before bulk messages; a Telegram poll id learnt late still finds its poll
    """
    ALTER TABLE outbox ADD COLUMN priority INTEGER NOT NULL DEFAULT 1;
    DROP INDEX outbox_due;
    CREATE INDEX outbox_pending ON outbox (priority, id) WHERE state = 'pending';
    CREATE TABLE poll_aliases (
        telegram_poll_id TEXT PRIMARY KEY,
        poll_id TEXT NOT NULL
    );
    """,
    # 4: members' roles from one-time invitations, and "you said, we did" (issue 12)
    """
    CREATE TABLE invitations (
        token_hash TEXT PRIMARY KEY,
        committee TEXT NOT NULL,
        role TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        redeemed_at TEXT
    );
    CREATE TABLE roles (
        voter TEXT NOT NULL,
        committee TEXT NOT NULL,
        role TEXT NOT NULL,
        since TEXT NOT NULL,
        PRIMARY KEY (voter, committee)
    );
    ALTER TABLE answers ADD COLUMN role TEXT;
    ALTER TABLE users ADD COLUMN results_news INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE users ADD COLUMN recommendation_news INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE polls ADD COLUMN results_told_at TEXT;
    CREATE TABLE recommendations_seen (
        recommendation_id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        overdue INTEGER NOT NULL
    );
    INSERT INTO state VALUES ('results_news_since', CAST(strftime('%s', 'now') AS INTEGER))
    """,
    # 5: the private chats given the editors' menu, so that it is taken back from an editor
    # no longer in CIVICLOOP_ADMINS
    """
    CREATE TABLE editor_menus (
        chat_id INTEGER PRIMARY KEY
    )
    """,
]
