//! Writing imported prompts: all of them in one transaction, so an import
//! that fails part-way leaves nothing behind.

use uuid::Uuid;

use super::labels::UPSERT;
use super::rows::{tags_json, VersionJson};
use super::versions::insert;
use super::{name_taken, INSERT};
use crate::prompts::transfer::ImportedPrompt;
use crate::prompts::PromptError;
use crate::store::db::in_transaction;
use crate::store::sql::Sql;
use crate::store::{now, Store, StoreError, BUSY_PAUSE, BUSY_RETRIES};

static NAME_IN_USE: Sql =
    Sql::new("SELECT id FROM prompts WHERE lower(name) = lower(?) AND deleted_at IS NULL");

/// What an import did with each prompt: its new id, or `None` when it was
/// skipped because its name was taken.
pub type Imported = Vec<(String, Option<Uuid>)>;

impl Store {
    /// Creates the prompts. A name already in use fails the whole import
    /// with `NameTaken`, unless `skip_taken`, which leaves that prompt out.
    pub async fn import_prompts(
        &self,
        prompts: &[ImportedPrompt],
        skip_taken: bool,
    ) -> Result<Imported, StoreError> {
        let at = now();
        let mut encoded = Vec::with_capacity(prompts.len());
        for prompt in prompts {
            let id = Uuid::now_v7();
            let json = prompt
                .versions
                .iter()
                .map(|v| VersionJson::of(id, &v.content))
                .collect::<Result<Vec<_>, _>>()?;
            encoded.push((id, prompt, json));
        }
        // The body reads (is the name taken?) before it writes: on SQLite
        // another writer in between makes it busy at once, so it runs
        // again, as a start does (`Store::connect_with`).
        let mut retries = 0;
        loop {
            let result = in_transaction!(&self.db, |conn, q| -> StoreError {
                let mut done = Vec::with_capacity(encoded.len());
                for (id, prompt, json) in &encoded {
                    let taken: Option<(String,)> = q
                        .query_as(&NAME_IN_USE)
                        .bind(&prompt.name)
                        .fetch_optional(&mut *conn)
                        .await?;
                    if taken.is_some() {
                        if skip_taken {
                            done.push((prompt.name.clone(), None));
                            continue;
                        }
                        return Err(PromptError::NameTaken(prompt.name.clone()).into());
                    }
                    q.query(&INSERT)
                        .bind(id.to_string())
                        .bind(&prompt.name)
                        .bind(&prompt.description)
                        .bind(tags_json(&prompt.tags))
                        .bind(&at)
                        .bind(&at)
                        .execute(&mut *conn)
                        .await
                        .map_err(|e| name_taken(e, &prompt.name))?;
                    for (number, (version, json)) in (1_i64..).zip(prompt.versions.iter().zip(json))
                    {
                        let created = version.created_at.as_deref().unwrap_or(&at);
                        let lifecycle = version.lifecycle.as_str();
                        insert!(
                            conn,
                            q,
                            id,
                            number,
                            &version.content,
                            json,
                            lifecycle,
                            created
                        );
                    }
                    for (label, number) in &prompt.labels {
                        q.query(&UPSERT)
                            .bind(id.to_string())
                            .bind(label)
                            .bind(i64::from(*number))
                            .bind(&at)
                            .execute(&mut *conn)
                            .await?;
                    }
                    done.push((prompt.name.clone(), Some(*id)));
                }
                Ok(done)
            });
            match result {
                Err(e) if e.is_busy() && retries < BUSY_RETRIES => {
                    retries += 1;
                    tokio::time::sleep(BUSY_PAUSE * retries).await;
                }
                result => return result,
            }
        }
    }
}
