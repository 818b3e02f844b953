//! Sessions: a playground tab's run of work, known by the id the browser
//! sends with each request (`ChatRequest::session_id`).

use serde::{Deserialize, Serialize};

use super::db::{in_transaction, read_transaction};
use super::sql::Sql;
use super::{now, Store, StoreError};

/// When a session began and when it was last seen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Session {
    pub id: String,
    /// RFC 3339 time of the first touch.
    pub created_at: String,
    /// RFC 3339 time of the latest touch.
    pub last_seen_at: String,
}

static TOUCH: Sql = Sql::new(
    "INSERT INTO sessions (id, created_at, last_seen_at) VALUES (?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET last_seen_at = CASE
         WHEN excluded.last_seen_at > sessions.last_seen_at THEN excluded.last_seen_at
         ELSE sessions.last_seen_at END
     RETURNING id, created_at, last_seen_at",
);

static GET: Sql = Sql::new("SELECT id, created_at, last_seen_at FROM sessions WHERE id = ?");

impl Store {
    /// The session `id`, if it was ever touched.
    pub async fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let session = read_transaction!(&self.db, |conn, q| {
            q.query_as(&GET).bind(id).fetch_optional(&mut *conn).await
        })?;
        Ok(session)
    }

    /// Records that session `id` is in use now: creates it on first sight,
    /// otherwise moves its `last_seen_at` forward (never back, should two
    /// touches commit out of order). One statement, so two requests of a new
    /// session at once cannot both try to create it.
    pub async fn touch_session(&self, id: &str) -> Result<Session, StoreError> {
        let at = now();
        let session = in_transaction!(&self.db, |conn, q| {
            q.query_as(&TOUCH)
                .bind(id)
                .bind(&at)
                .bind(&at)
                .fetch_one(&mut *conn)
                .await
        })?;
        Ok(session)
    }
}
