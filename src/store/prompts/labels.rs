//! Labels: a movable name ("production") for one version of a prompt.

use uuid::Uuid;

use super::lock_prompt;
use super::rows::{version_columns, LabelRow, VersionRow};
use super::versions::{ensure_live, read};
use crate::prompts::{Label, Lifecycle, PromptError, PromptVersion};
use crate::store::db::{in_transaction, read_transaction};
use crate::store::sql::Sql;
use crate::store::{now, Store, StoreError};

pub(super) static LIST: Sql = Sql::new(
    "SELECT prompt_id, name, version, updated_at FROM prompt_labels
     WHERE prompt_id = ? ORDER BY name",
);
pub(super) static UPSERT: Sql = Sql::new(
    "INSERT INTO prompt_labels (prompt_id, name, version, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (prompt_id, name) DO UPDATE
     SET version = excluded.version, updated_at = excluded.updated_at
     RETURNING prompt_id, name, version, updated_at",
);
static DELETE: Sql = Sql::new("DELETE FROM prompt_labels WHERE prompt_id = ? AND name = ?");
static VERSION_BY_LABEL: Sql = Sql::new(concat!(
    "SELECT ",
    version_columns!(),
    " FROM prompt_versions v JOIN prompt_labels l
        ON l.prompt_id = v.prompt_id AND l.version = v.version
      WHERE l.prompt_id = ? AND l.name = ?"
));

impl Store {
    /// Points label `name` at version `number`, creating the label or
    /// moving it. An archived version cannot be labelled.
    pub async fn set_label(&self, id: Uuid, name: &str, number: u32) -> Result<Label, StoreError> {
        let at = now();
        let row: LabelRow = in_transaction!(&self.db, |conn, q| -> StoreError {
            lock_prompt!(conn, q, id, &at);
            let version = read!(conn, q, id, i64::from(number))?;
            if version.lifecycle == Lifecycle::Archived {
                return Err(PromptError::LabelOnArchived { version: number }.into());
            }
            Ok(q.query_as(&UPSERT)
                .bind(id.to_string())
                .bind(name)
                .bind(i64::from(number))
                .bind(&at)
                .fetch_one(&mut *conn)
                .await?)
        })?;
        row.into_label()
    }

    /// Removes label `name` from the prompt.
    pub async fn delete_label(&self, id: Uuid, name: &str) -> Result<(), StoreError> {
        let at = now();
        in_transaction!(&self.db, |conn, q| -> StoreError {
            lock_prompt!(conn, q, id, &at);
            let deleted = q
                .query(&DELETE)
                .bind(id.to_string())
                .bind(name)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if deleted == 0 {
                return Err(PromptError::LabelNotFound {
                    prompt: id,
                    label: name.to_owned(),
                }
                .into());
            }
            Ok(())
        })
    }

    /// The prompt's labels, by name.
    pub async fn labels(&self, id: Uuid) -> Result<Vec<Label>, StoreError> {
        let rows: Vec<LabelRow> = read_transaction!(&self.db, |conn, q| -> StoreError {
            ensure_live!(conn, q, id);
            Ok(q.query_as(&LIST)
                .bind(id.to_string())
                .fetch_all(&mut *conn)
                .await?)
        })?;
        rows.into_iter().map(LabelRow::into_label).collect()
    }

    /// The version that label `name` points at.
    pub async fn labelled_version(
        &self,
        id: Uuid,
        name: &str,
    ) -> Result<PromptVersion, StoreError> {
        let row: Option<VersionRow> = read_transaction!(&self.db, |conn, q| -> StoreError {
            ensure_live!(conn, q, id);
            Ok(q.query_as(&VERSION_BY_LABEL)
                .bind(id.to_string())
                .bind(name)
                .fetch_optional(&mut *conn)
                .await?)
        })?;
        row.ok_or_else(|| PromptError::LabelNotFound {
            prompt: id,
            label: name.to_owned(),
        })?
        .into_version()
    }
}
