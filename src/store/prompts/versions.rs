//! Prompt versions: saved once, numbered per prompt, never edited except
//! for their lifecycle.

use uuid::Uuid;

use super::lock_prompt;
use super::rows::{version_columns, VersionJson, VersionRow};
use crate::prompts::{Lifecycle, PromptError, PromptVersion, VersionContent};
use crate::store::db::{in_transaction, read_transaction};
use crate::store::sql::Sql;
use crate::store::{now, Store, StoreError};

pub(super) static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    version_columns!(),
    " FROM prompt_versions v WHERE v.prompt_id = ? ORDER BY v.version"
));
pub(super) static GET: Sql = Sql::new(concat!(
    "SELECT ",
    version_columns!(),
    " FROM prompt_versions v WHERE v.prompt_id = ? AND v.version = ?"
));
pub(super) static INSERT: Sql = Sql::new(
    "INSERT INTO prompt_versions (prompt_id, version, user_template, system_template, examples,
         model, params, variable_defaults, message, lifecycle, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
);
static NEXT: Sql =
    Sql::new("SELECT COALESCE(MAX(version), 0) + 1 FROM prompt_versions WHERE prompt_id = ?");
static SET_LIFECYCLE: Sql =
    Sql::new("UPDATE prompt_versions SET lifecycle = ? WHERE prompt_id = ? AND version = ?");
static LABELS_OF: Sql =
    Sql::new("SELECT name FROM prompt_labels WHERE prompt_id = ? AND version = ? ORDER BY name");
pub(super) static PROMPT_LIVE: Sql =
    Sql::new("SELECT id FROM prompts WHERE id = ? AND deleted_at IS NULL");

/// Inserts version `$number` of prompt `$id` (a body statement: `?` ends
/// the body on failure).
macro_rules! insert {
    ($conn:ident, $q:ident, $id:expr, $number:expr, $content:expr, $json:expr, $lifecycle:expr, $at:expr) => {{
        let content: &$crate::prompts::VersionContent = $content;
        let json: &$crate::store::prompts::rows::VersionJson = $json;
        $q.query(&$crate::store::prompts::versions::INSERT)
            .bind($id.to_string())
            .bind($number)
            .bind(&content.template)
            .bind(&content.system)
            .bind(&json.examples)
            .bind(&content.model)
            .bind(&json.params)
            .bind(&json.defaults)
            .bind(&content.message)
            .bind($lifecycle)
            .bind($at)
            .execute(&mut *$conn)
            .await?;
    }};
}

/// Reads version `$number` of prompt `$id`: `Result<PromptVersion, _>`,
/// `VersionNotFound` when there is none.
macro_rules! read {
    ($conn:ident, $q:ident, $id:expr, $number:expr) => {{
        let id: uuid::Uuid = $id;
        let number: i64 = $number;
        let row: Option<$crate::store::prompts::rows::VersionRow> = $q
            .query_as(&$crate::store::prompts::versions::GET)
            .bind(id.to_string())
            .bind(number)
            .fetch_optional(&mut *$conn)
            .await?;
        match row {
            Some(row) => row.into_version(),
            None => Err($crate::prompts::PromptError::VersionNotFound {
                prompt: id,
                version: u32::try_from(number).unwrap_or(u32::MAX),
            }
            .into()),
        }
    }};
}

/// Ends the body with `PromptNotFound` unless prompt `$id` is in use.
macro_rules! ensure_live {
    ($conn:ident, $q:ident, $id:expr) => {{
        let id: uuid::Uuid = $id;
        let live: Option<(String,)> = $q
            .query_as(&$crate::store::prompts::versions::PROMPT_LIVE)
            .bind(id.to_string())
            .fetch_optional(&mut *$conn)
            .await?;
        if live.is_none() {
            return Err($crate::prompts::PromptError::PromptNotFound(id).into());
        }
    }};
}

pub(super) use {ensure_live, insert, read};

impl Store {
    /// Saves `content` as the prompt's next version, a draft.
    pub async fn save_version(
        &self,
        id: Uuid,
        content: &VersionContent,
    ) -> Result<PromptVersion, StoreError> {
        let json = VersionJson::of(id, content)?;
        let at = now();
        in_transaction!(&self.db, |conn, q| -> StoreError {
            lock_prompt!(conn, q, id, &at);
            let (next,): (i64,) = q
                .query_as(&NEXT)
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await?;
            insert!(
                conn,
                q,
                id,
                next,
                content,
                &json,
                Lifecycle::Draft.as_str(),
                &at
            );
            read!(conn, q, id, next)
        })
    }

    /// Every version of the prompt, oldest first.
    pub async fn versions(&self, id: Uuid) -> Result<Vec<PromptVersion>, StoreError> {
        let rows: Vec<VersionRow> = read_transaction!(&self.db, |conn, q| -> StoreError {
            ensure_live!(conn, q, id);
            Ok(q.query_as(&LIST)
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?)
        })?;
        rows.into_iter().map(VersionRow::into_version).collect()
    }

    /// Version `number` of the prompt.
    pub async fn version(&self, id: Uuid, number: u32) -> Result<PromptVersion, StoreError> {
        read_transaction!(&self.db, |conn, q| -> StoreError {
            ensure_live!(conn, q, id);
            read!(conn, q, id, i64::from(number))
        })
    }

    /// Moves a version to `to`, if [`Lifecycle::can_move_to`] allows it. A
    /// version that labels name cannot be archived.
    pub async fn set_lifecycle(
        &self,
        id: Uuid,
        number: u32,
        to: Lifecycle,
    ) -> Result<PromptVersion, StoreError> {
        let at = now();
        in_transaction!(&self.db, |conn, q| -> StoreError {
            lock_prompt!(conn, q, id, &at);
            let mut version = read!(conn, q, id, i64::from(number))?;
            if !version.lifecycle.can_move_to(to) {
                return Err(PromptError::lifecycle(number, version.lifecycle, to).into());
            }
            if version.lifecycle == to {
                return Ok(version);
            }
            if to == Lifecycle::Archived {
                let labels: Vec<(String,)> = q
                    .query_as(&LABELS_OF)
                    .bind(id.to_string())
                    .bind(i64::from(number))
                    .fetch_all(&mut *conn)
                    .await?;
                if !labels.is_empty() {
                    let names: Vec<String> = labels.into_iter().map(|(n,)| n).collect();
                    return Err(PromptError::ArchiveLabelled {
                        version: number,
                        labels: names.join(", "),
                    }
                    .into());
                }
            }
            q.query(&SET_LIFECYCLE)
                .bind(to.as_str())
                .bind(id.to_string())
                .bind(i64::from(number))
                .execute(&mut *conn)
                .await?;
            version.lifecycle = to;
            Ok(version)
        })
    }
}
