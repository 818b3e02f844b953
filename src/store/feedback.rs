//! Feedback: the user's thumbs up or down on a run, with an optional
//! comment. At most one per run; setting it again replaces it, clearing it
//! removes it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::db::{in_transaction, read_transaction};
use super::sql::{Built, Param, Sql};
use super::{now, Store, StoreError};
use crate::outcome::Rating;

/// The stored form of a rating. The column predates the names `like` and
/// `dislike` and keeps its `up`/`down` (its CHECK constraint says so).
fn stored(rating: Rating) -> &'static str {
    match rating {
        Rating::Like => "up",
        Rating::Dislike => "down",
    }
}

/// Parses the stored form written by [`stored`].
pub(super) fn parse_stored(s: &str) -> Option<Rating> {
    match s {
        "up" => Some(Rating::Like),
        "down" => Some(Rating::Dislike),
        _ => None,
    }
}

/// The feedback on one run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    pub run_id: Uuid,
    pub rating: Rating,
    pub comment: Option<String>,
    /// RFC 3339 time the run was first rated.
    pub created_at: String,
    /// RFC 3339 time of the latest change.
    pub updated_at: String,
}

static UPSERT: Sql = Sql::new(
    "INSERT INTO feedback (run_id, rating, comment, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (run_id) DO UPDATE
     SET rating = excluded.rating, comment = excluded.comment, updated_at = excluded.updated_at
     RETURNING run_id, rating, comment, created_at, updated_at",
);
static GET: Sql = Sql::new(
    "SELECT run_id, rating, comment, created_at, updated_at FROM feedback WHERE run_id = ?",
);
static DELETE: Sql = Sql::new("DELETE FROM feedback WHERE run_id = ?");

#[derive(sqlx::FromRow)]
struct FeedbackRow {
    run_id: String,
    rating: String,
    comment: Option<String>,
    created_at: String,
    updated_at: String,
}

impl Store {
    /// Rates a run, or changes its rating and comment (`None` clears the
    /// comment). The first rating's time is kept as `created_at`.
    pub async fn set_feedback(
        &self,
        run_id: Uuid,
        rating: Rating,
        comment: Option<&str>,
    ) -> Result<Feedback, StoreError> {
        let id = run_id.to_string();
        let at = now();
        let row: FeedbackRow = in_transaction!(&self.db, |conn, q| {
            q.query_as(&UPSERT)
                .bind(&id)
                .bind(stored(rating))
                .bind(comment)
                .bind(&at)
                .bind(&at)
                .fetch_one(&mut *conn)
                .await
        })
        .map_err(|e| match e {
            sqlx::Error::Database(db) if db.is_foreign_key_violation() => {
                StoreError::RunNotFound(run_id)
            }
            e => StoreError::Database(e),
        })?;
        row.into_feedback()
    }

    /// The feedback on a run, if it has any.
    pub async fn feedback(&self, run_id: Uuid) -> Result<Option<Feedback>, StoreError> {
        let row: Option<FeedbackRow> = read_transaction!(&self.db, |conn, q| {
            q.query_as(&GET)
                .bind(run_id.to_string())
                .fetch_optional(&mut *conn)
                .await
        })?;
        row.map(FeedbackRow::into_feedback).transpose()
    }

    /// The rating of each of `run_ids` that has one, in one statement per
    /// 500 ids.
    pub async fn ratings(&self, run_ids: &[Uuid]) -> Result<HashMap<Uuid, Rating>, StoreError> {
        let statements: Vec<Built> = run_ids
            .chunks(500)
            .map(|chunk| {
                let mut sql = Built::default();
                sql.push("SELECT run_id, rating FROM feedback WHERE run_id IN ")
                    .push_list(chunk.iter().map(|id| Param::Text(id.to_string())));
                sql
            })
            .collect();
        if statements.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(String, String)> = read_transaction!(&self.db, |conn, q| {
            let mut rows = Vec::new();
            for sql in &statements {
                rows.extend(
                    q.built_as::<(String, String)>(sql)
                        .fetch_all(&mut *conn)
                        .await?,
                );
            }
            Ok(rows)
        })?;
        rows.into_iter()
            .map(|(id, rating)| {
                let corrupt = |reason: String| StoreError::Corrupt {
                    id: id.clone(),
                    reason: format!("feedback: {reason}"),
                };
                Ok((
                    Uuid::parse_str(&id).map_err(|e| corrupt(e.to_string()))?,
                    parse_stored(&rating).ok_or_else(|| corrupt(format!("rating {rating}")))?,
                ))
            })
            .collect()
    }

    /// Removes the feedback on a run. Returns whether there was any.
    pub async fn clear_feedback(&self, run_id: Uuid) -> Result<bool, StoreError> {
        let removed = in_transaction!(&self.db, |conn, q| {
            q.query(&DELETE)
                .bind(run_id.to_string())
                .execute(&mut *conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(removed > 0)
    }
}

impl FeedbackRow {
    fn into_feedback(self) -> Result<Feedback, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: self.run_id.clone(),
            reason: format!("feedback: {reason}"),
        };
        Ok(Feedback {
            run_id: Uuid::parse_str(&self.run_id).map_err(|e| corrupt(e.to_string()))?,
            rating: parse_stored(&self.rating)
                .ok_or_else(|| corrupt(format!("rating {}", self.rating)))?,
            comment: self.comment,
            created_at: self.created_at,
            updated_at: self.updated_at,
        })
    }
}
