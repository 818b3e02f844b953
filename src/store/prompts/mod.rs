//! The Prompt Hub's tables: prompts, versions and labels.
//!
//! Every change to a prompt, its versions or its labels first moves the
//! prompt's `updated_at` ([`lock_prompt!`]). That one statement also takes
//! the prompt's row lock (PostgreSQL) or the database's write lock
//! (SQLite), so changes to one prompt happen one after the other: two saves
//! at once get versions n and n+1, never the same number, and a lifecycle
//! or label rule checked in a transaction still holds at its commit.
//!
//! The methods take input the engine has already checked
//! (`crate::prompts::validate`); the rules that depend on stored state (a
//! name taken, a lifecycle move, a label on an archived version) are
//! checked here, inside the transaction.

mod import;
mod labels;
mod rows;
mod versions;

use uuid::Uuid;

pub use import::Imported;

use self::rows::{prompt_columns, tags_json, PromptRow, VersionJson};
use super::db::{in_transaction, read_transaction};
use super::sql::{contains_pattern, Sql};
use super::{now, Store, StoreError};
use crate::prompts::{NewPrompt, Prompt, PromptDetail, PromptError, PromptPatch};

static TOUCH: Sql =
    Sql::new("UPDATE prompts SET updated_at = ? WHERE id = ? AND deleted_at IS NULL");
static INSERT: Sql = Sql::new(
    "INSERT INTO prompts (id, name, description, tags, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?)",
);
static GET: Sql = Sql::new(concat!(
    "SELECT ",
    prompt_columns!(),
    " FROM prompts p WHERE p.id = ? AND p.deleted_at IS NULL"
));
static FIND: Sql = Sql::new(concat!(
    "SELECT ",
    prompt_columns!(),
    " FROM prompts p WHERE p.deleted_at IS NULL AND (? = ''
        OR lower(p.name) LIKE ? ESCAPE '\\'
        OR lower(p.description) LIKE ? ESCAPE '\\'
        OR lower(p.tags) LIKE ? ESCAPE '\\')
      ORDER BY p.updated_at DESC, p.id DESC"
));
static UPDATE: Sql = Sql::new(
    "UPDATE prompts SET name = COALESCE(?, name), description = COALESCE(?, description),
         tags = COALESCE(?, tags)
     WHERE id = ? AND deleted_at IS NULL",
);
static DELETE: Sql =
    Sql::new("UPDATE prompts SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
static COUNT_EVER: Sql = Sql::new("SELECT COUNT(*) FROM prompts");

/// Moves the prompt's `updated_at` to `$at`, taking its lock (see the
/// module's doc), or ends the body with `PromptNotFound`.
macro_rules! lock_prompt {
    ($conn:ident, $q:ident, $id:expr, $at:expr) => {{
        let id: uuid::Uuid = $id;
        let touched = $q
            .query(&$crate::store::prompts::TOUCH)
            .bind($at)
            .bind(id.to_string())
            .execute(&mut *$conn)
            .await?
            .rows_affected();
        if touched == 0 {
            return Err($crate::prompts::PromptError::PromptNotFound(id).into());
        }
    }};
}

pub(super) use lock_prompt;

/// A unique-index violation as the name it concerns; any other error as is.
fn name_taken(e: sqlx::Error, name: &str) -> StoreError {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            PromptError::NameTaken(name.to_owned()).into()
        }
        e => StoreError::from(e),
    }
}

impl Store {
    /// Creates a prompt, with its first version when `new.version` is given.
    pub async fn create_prompt(&self, new: &NewPrompt) -> Result<PromptDetail, StoreError> {
        let id = Uuid::now_v7();
        let at = now();
        let tags = tags_json(&new.tags);
        let first = new
            .version
            .as_ref()
            .map(|content| Ok::<_, StoreError>((content, VersionJson::of(id, content)?)))
            .transpose()?;
        let (prompt, versions) = in_transaction!(&self.db, |conn, q| -> StoreError {
            q.query(&INSERT)
                .bind(id.to_string())
                .bind(&new.name)
                .bind(&new.description)
                .bind(&tags)
                .bind(&at)
                .bind(&at)
                .execute(&mut *conn)
                .await
                .map_err(|e| name_taken(e, &new.name))?;
            let mut versions = Vec::new();
            if let Some((content, json)) = &first {
                versions::insert!(conn, q, id, 1_i64, content, json, "draft", &at);
                versions.push(versions::read!(conn, q, id, 1_i64)?);
            }
            let row: PromptRow = q
                .query_as(&GET)
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await?;
            Ok((row, versions))
        })?;
        Ok(PromptDetail {
            prompt: prompt.into_prompt()?,
            versions,
            labels: Vec::new(),
        })
    }

    /// The prompt, unless it does not exist or was deleted.
    pub async fn prompt(&self, id: Uuid) -> Result<Prompt, StoreError> {
        let row: Option<PromptRow> = read_transaction!(&self.db, |conn, q| {
            q.query_as(&GET)
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await
        })?;
        row.ok_or(PromptError::PromptNotFound(id))?.into_prompt()
    }

    /// The prompts in use whose name, description or tags contain `text`
    /// (any case; all of them for an empty `text`), most recently changed
    /// first.
    pub async fn find_prompts(&self, text: &str) -> Result<Vec<Prompt>, StoreError> {
        let pattern = contains_pattern(text);
        let rows: Vec<PromptRow> = read_transaction!(&self.db, |conn, q| {
            q.query_as(&FIND)
                .bind(text)
                .bind(&pattern)
                .bind(&pattern)
                .bind(&pattern)
                .fetch_all(&mut *conn)
                .await
        })?;
        rows.into_iter().map(PromptRow::into_prompt).collect()
    }

    /// Changes the given fields of a prompt (tags already normalised).
    pub async fn update_prompt(&self, id: Uuid, patch: &PromptPatch) -> Result<Prompt, StoreError> {
        let at = now();
        let tags = patch.tags.as_deref().map(tags_json);
        let name = patch.name.clone().unwrap_or_default();
        let row: PromptRow = in_transaction!(&self.db, |conn, q| -> StoreError {
            lock_prompt!(conn, q, id, &at);
            q.query(&UPDATE)
                .bind(&patch.name)
                .bind(&patch.description)
                .bind(&tags)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await
                .map_err(|e| name_taken(e, &name))?;
            Ok(q.query_as(&GET)
                .bind(id.to_string())
                .fetch_one(&mut *conn)
                .await?)
        })?;
        row.into_prompt()
    }

    /// Deletes a prompt: it disappears from every call and its name is free
    /// again; its rows stay in the database.
    pub async fn delete_prompt(&self, id: Uuid) -> Result<(), StoreError> {
        let at = now();
        in_transaction!(&self.db, |conn, q| -> StoreError {
            lock_prompt!(conn, q, id, &at);
            q.query(&DELETE)
                .bind(&at)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await?;
            Ok(())
        })
    }

    /// How many prompts were ever created, deleted ones included.
    pub async fn count_prompts_ever(&self) -> Result<u64, StoreError> {
        let (count,): (i64,) = read_transaction!(&self.db, |conn, q| {
            q.query_as(&COUNT_EVER).fetch_one(&mut *conn).await
        })?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The prompt with its versions and labels.
    pub async fn prompt_detail(&self, id: Uuid) -> Result<PromptDetail, StoreError> {
        let (prompt, versions, labels) = read_transaction!(&self.db, |conn, q| -> StoreError {
            let prompt: Option<PromptRow> = q
                .query_as(&GET)
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await?;
            let prompt = prompt.ok_or(PromptError::PromptNotFound(id))?;
            let versions: Vec<rows::VersionRow> = q
                .query_as(&versions::LIST)
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            let labels: Vec<rows::LabelRow> = q
                .query_as(&labels::LIST)
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?;
            Ok((prompt, versions, labels))
        })?;
        Ok(PromptDetail {
            prompt: prompt.into_prompt()?,
            versions: versions
                .into_iter()
                .map(rows::VersionRow::into_version)
                .collect::<Result<_, _>>()?,
            labels: labels
                .into_iter()
                .map(rows::LabelRow::into_label)
                .collect::<Result<_, _>>()?,
        })
    }
}
