//! Conversations: the playground's chats, kept on the server so they can be
//! listed, reopened and continued from any browser.
//!
//! A conversation is written by the turns that name it, in the transaction
//! that stores the turn's run ([`record_turn!`]). The request is the truth:
//! the stored messages become the request's messages plus the reply, so an
//! edited or regenerated turn replaces whatever followed the changed
//! message. Rows before the first change are left as they are, and keep the
//! run ids (and so the ratings) of the replies they hold.
//!
//! Deleting only sets `deleted_at`; a deleted conversation is never listed,
//! read, renamed or written again (a turn that names one is refused by the
//! engine before it runs; one that raced the delete stores its run only).

use std::collections::HashMap;

use uuid::Uuid;

use super::db::{in_transaction, read_transaction};
use super::feedback::parse_stored;
use super::run_row::{run_head_columns, RunHeadRow};
use super::sql::{contains_pattern, Built, Param, Sql};
use super::{now, storable, Store, StoreError};
use crate::chat::{Message, Role};
use crate::conversations::{Conversation, ConversationMessage, ConversationSummary, ReplyOutcome};
use crate::outcome::RunStatus;
use crate::query::Page;
use crate::runs::RunRecord;

/// The most characters of a title made from the first user message.
pub const TITLE_CHARS: usize = 60;
/// The title of a conversation whose first message has no text.
pub const UNTITLED: &str = "New conversation";
/// Rows per INSERT: 5 values each.
const ROWS_PER_INSERT: usize = 500;

/// The columns of a [`SummaryRow`], from `conversations c`.
macro_rules! summary_columns {
    () => {
        "c.id, c.title, c.created_at, c.updated_at, c.model, c.session_id,
         (SELECT COUNT(*) FROM conversation_messages m WHERE m.conversation_id = c.id)
             AS message_count"
    };
}

/// Creates the conversation or moves it to this turn; a title the user
/// chose stays. Changes nothing (0 rows) when the conversation was deleted.
pub(super) static UPSERT: Sql = Sql::new(
    "INSERT INTO conversations (id, title, title_key, title_set_by_user, created_at, updated_at,
         session_id, model)
     VALUES (?, ?, ?, 0, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET
         title = CASE WHEN conversations.title_set_by_user = 1 THEN conversations.title
                      ELSE excluded.title END,
         title_key = CASE WHEN conversations.title_set_by_user = 1 THEN conversations.title_key
                          ELSE excluded.title_key END,
         updated_at = excluded.updated_at,
         session_id = COALESCE(excluded.session_id, conversations.session_id),
         model = excluded.model
     WHERE conversations.deleted_at IS NULL",
);
pub(super) static STORED_MESSAGES: Sql = Sql::new(
    "SELECT position, message FROM conversation_messages
     WHERE conversation_id = ? ORDER BY position",
);
pub(super) static DELETE_FROM: Sql =
    Sql::new("DELETE FROM conversation_messages WHERE conversation_id = ? AND position >= ?");
static LIST: Sql = Sql::new(concat!(
    "SELECT ",
    summary_columns!(),
    " FROM conversations c
     WHERE c.deleted_at IS NULL AND (? = '' OR c.title_key LIKE ? ESCAPE '\\')
     ORDER BY c.updated_at DESC, c.id DESC
     LIMIT ? OFFSET ?"
));
static SUMMARY: Sql = Sql::new(concat!(
    "SELECT ",
    summary_columns!(),
    " FROM conversations c WHERE c.id = ? AND c.deleted_at IS NULL"
));
static MESSAGES: Sql = Sql::new(
    "SELECT m.message, m.run_id, f.rating
     FROM conversation_messages m LEFT JOIN feedback f ON f.run_id = m.run_id
     WHERE m.conversation_id = ? ORDER BY m.position",
);
/// The runs behind a conversation's replies: how each ended, to show again.
static REPLY_RUNS: Sql = Sql::new(concat!(
    "SELECT ",
    run_head_columns!(),
    " FROM conversation_messages m JOIN runs r ON r.id = m.run_id
     LEFT JOIN feedback f ON f.run_id = r.id
     WHERE m.conversation_id = ?"
));
static LAST_RUN: Sql = Sql::new(
    "SELECT id FROM runs WHERE conversation_id = ? ORDER BY created_at DESC, id DESC LIMIT 1",
);
static RENAME: Sql = Sql::new(
    "UPDATE conversations SET title = ?, title_key = ?, title_set_by_user = 1, updated_at = ?
     WHERE id = ? AND deleted_at IS NULL",
);
static DELETE: Sql =
    Sql::new("UPDATE conversations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL");
static DELETED_AT: Sql = Sql::new("SELECT deleted_at FROM conversations WHERE id = ?");

#[derive(sqlx::FromRow)]
struct SummaryRow {
    id: String,
    title: String,
    created_at: String,
    updated_at: String,
    model: Option<String>,
    session_id: Option<String>,
    message_count: i64,
}

#[derive(sqlx::FromRow)]
struct MessageRow {
    message: String,
    run_id: Option<String>,
    rating: Option<String>,
}

/// One message as a turn writes it.
struct NewMessage {
    role: Role,
    json: String,
    run_id: Option<String>,
}

/// What a finished turn writes to its conversation, prepared before the
/// transaction.
pub(super) struct Turn {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) title_key: String,
    pub(super) at: String,
    pub(super) session_id: Option<String>,
    pub(super) model: String,
    /// The request's messages, then the reply (if the turn has one).
    messages: Vec<NewMessage>,
    /// How many of `messages` come from the request.
    asked: usize,
}

impl Turn {
    /// The conversation write of `run`, if the run names a conversation.
    pub(super) fn of(run: &RunRecord) -> Result<Option<Self>, StoreError> {
        let Some(conversation) = run.conversation_id else {
            return Ok(None);
        };
        let json = |m: &Message| {
            serde_json::to_string(m).map_err(|e| StoreError::Unencodable {
                id: run.id.to_string(),
                reason: format!("message JSON: {e}"),
            })
        };
        let mut messages = run
            .messages
            .iter()
            .map(|m| {
                Ok(NewMessage {
                    role: m.role,
                    json: json(m)?,
                    run_id: None,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let asked = messages.len();
        if let Some(reply) = reply_message(run) {
            messages.push(NewMessage {
                role: Role::Assistant,
                json: json(&reply)?,
                run_id: Some(run.id.to_string()),
            });
        }
        let title = default_title(&run.messages);
        Ok(Some(Self {
            id: conversation.to_string(),
            title_key: title.to_lowercase(),
            title,
            at: now(),
            session_id: run.session_id.clone(),
            model: run.model.clone(),
            messages,
            asked,
        }))
    }

    /// How many leading stored messages the turn leaves as they are: those
    /// the request repeats unchanged, at the same positions.
    pub(super) fn unchanged(&self, stored: &[(i64, String)]) -> usize {
        self.messages[..self.asked]
            .iter()
            .zip(stored)
            .enumerate()
            .take_while(|(i, (new, (position, json)))| {
                usize::try_from(*position).is_ok_and(|p| p == *i) && new.json == *json
            })
            .count()
    }

    /// The INSERTs of the messages from position `from` on.
    pub(super) fn inserts(&self, from: usize) -> Vec<Built> {
        let rows: Vec<(usize, &NewMessage)> = self.messages.iter().enumerate().skip(from).collect();
        rows.chunks(ROWS_PER_INSERT)
            .map(|chunk| {
                let mut sql = Built::default();
                sql.push(
                    "INSERT INTO conversation_messages \
                     (conversation_id, position, role, message, run_id) VALUES ",
                );
                for (i, (position, message)) in chunk.iter().enumerate() {
                    if i > 0 {
                        sql.push(", ");
                    }
                    sql.push_list([
                        Param::Text(self.id.clone()),
                        Param::Int(i64::try_from(*position).unwrap_or(i64::MAX)),
                        Param::Text(message.role.as_str().to_owned()),
                        Param::Text(message.json.clone()),
                        Param::OptText(message.run_id.clone()),
                    ]);
                }
                sql
            })
            .collect()
    }
}

/// The reply as the conversation's next message: its text (made storable)
/// and tool calls. A turn still running adds none yet, nor does a failed or
/// stopped one that produced nothing; the user's message stays, to be sent
/// again.
fn reply_message(run: &RunRecord) -> Option<Message> {
    if run.status == RunStatus::Running {
        return None;
    }
    if run.status != RunStatus::Ok && run.reply.is_empty() && run.tool_calls.is_empty() {
        return None;
    }
    let mut calls = run.tool_calls.clone();
    for call in &mut calls {
        call.id = storable(&call.id).into_owned();
        call.name = storable(&call.name).into_owned();
        call.arguments = storable(&call.arguments).into_owned();
    }
    Some(Message {
        tool_calls: calls,
        ..Message::new(Role::Assistant, storable(&run.reply).into_owned())
    })
}

/// A conversation's title until the user names it: the first line with text
/// of its first user message, cut to [`TITLE_CHARS`] characters.
pub fn default_title(messages: &[Message]) -> String {
    let line = messages
        .iter()
        .find(|m| m.role == Role::User && m.tool_result.is_none())
        .and_then(|m| m.content.lines().map(str::trim).find(|l| !l.is_empty()));
    let Some(line) = line else {
        return UNTITLED.to_owned();
    };
    let line = storable(line);
    if line.chars().count() <= TITLE_CHARS {
        return line.into_owned();
    }
    let cut: String = line.chars().take(TITLE_CHARS - 1).collect();
    format!("{}…", cut.trim_end())
}

/// Writes a turn's conversation in the transaction that stores its run (see
/// the module's doc). `$turn` is a [`Turn`]; the body's error type is
/// `sqlx::Error`.
macro_rules! record_turn {
    ($conn:ident, $q:ident, $turn:expr) => {{
        let turn: &$crate::store::conversations::Turn = $turn;
        let live = $q
            .query(&$crate::store::conversations::UPSERT)
            .bind(&turn.id)
            .bind(&turn.title)
            .bind(&turn.title_key)
            .bind(&turn.at)
            .bind(&turn.at)
            .bind(&turn.session_id)
            .bind(&turn.model)
            .execute(&mut *$conn)
            .await?
            .rows_affected()
            > 0;
        if live {
            let stored: Vec<(i64, String)> = $q
                .query_as(&$crate::store::conversations::STORED_MESSAGES)
                .bind(&turn.id)
                .fetch_all(&mut *$conn)
                .await?;
            let keep = turn.unchanged(&stored);
            $q.query(&$crate::store::conversations::DELETE_FROM)
                .bind(&turn.id)
                .bind(i64::try_from(keep).unwrap_or(i64::MAX))
                .execute(&mut *$conn)
                .await?;
            for sql in turn.inserts(keep) {
                $q.built(&sql).execute(&mut *$conn).await?;
            }
        }
    }};
}

pub(super) use record_turn;

impl SummaryRow {
    fn into_summary(self) -> Result<ConversationSummary, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: self.id.clone(),
            reason: format!("conversation: {reason}"),
        };
        Ok(ConversationSummary {
            id: Uuid::parse_str(&self.id).map_err(|e| corrupt(e.to_string()))?,
            message_count: u32::try_from(self.message_count)
                .map_err(|e| corrupt(format!("message count: {e}")))?,
            title: self.title,
            created_at: self.created_at,
            updated_at: self.updated_at,
            model: self.model,
            session_id: self.session_id,
        })
    }
}

impl MessageRow {
    /// The message, with the outcome of its run among `outcomes` (the
    /// conversation's reply runs, by id).
    fn into_message(
        self,
        conversation: Uuid,
        outcomes: &HashMap<Uuid, ReplyOutcome>,
    ) -> Result<ConversationMessage, StoreError> {
        let corrupt = |reason: String| StoreError::Corrupt {
            id: conversation.to_string(),
            reason: format!("conversation message: {reason}"),
        };
        let run_id = self
            .run_id
            .map(|id| Uuid::parse_str(&id))
            .transpose()
            .map_err(|e| corrupt(e.to_string()))?;
        Ok(ConversationMessage {
            message: serde_json::from_str(&self.message).map_err(|e| corrupt(e.to_string()))?,
            outcome: run_id.and_then(|r| outcomes.get(&r).cloned()),
            run_id,
            feedback: self
                .rating
                .map(|r| parse_stored(&r).ok_or_else(|| corrupt(format!("rating {r}"))))
                .transpose()?,
        })
    }
}

impl Store {
    /// The conversations in use whose title contains `text` (any case; all
    /// when empty), the most recently updated first.
    pub async fn list_conversations(
        &self,
        text: &str,
        page: Page,
    ) -> Result<Vec<ConversationSummary>, StoreError> {
        let pattern = contains_pattern(text);
        let rows: Vec<SummaryRow> = read_transaction!(&self.db, |conn, q| {
            q.query_as(&LIST)
                .bind(text)
                .bind(&pattern)
                .bind(i64::from(page.limit()))
                .bind(i64::from(page.offset()))
                .fetch_all(&mut *conn)
                .await
        })?;
        rows.into_iter().map(SummaryRow::into_summary).collect()
    }

    /// A conversation in use, with its messages, their runs' ratings and
    /// its last run.
    pub async fn get_conversation(&self, id: Uuid) -> Result<Option<Conversation>, StoreError> {
        let key = id.to_string();
        let found = read_transaction!(&self.db, |conn, q| {
            let Some(summary) = q
                .query_as::<SummaryRow>(&SUMMARY)
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await?
            else {
                return Ok(None);
            };
            let messages: Vec<MessageRow> = q
                .query_as(&MESSAGES)
                .bind(&key)
                .fetch_all(&mut *conn)
                .await?;
            let runs: Vec<RunHeadRow> = q
                .query_as(&REPLY_RUNS)
                .bind(&key)
                .fetch_all(&mut *conn)
                .await?;
            let last: Option<(String,)> = q
                .query_as(&LAST_RUN)
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await?;
            Ok(Some((summary, messages, runs, last)))
        })?;
        let Some((summary, messages, runs, last)) = found else {
            return Ok(None);
        };
        let outcomes = runs
            .into_iter()
            .map(|row| {
                let run = row.decode(String::new())?;
                Ok((run.id, ReplyOutcome::of(&run)))
            })
            .collect::<Result<HashMap<_, _>, StoreError>>()?;
        let messages = messages
            .into_iter()
            .map(|m| m.into_message(id, &outcomes))
            .collect::<Result<_, _>>()?;
        Ok(Some(Conversation {
            summary: summary.into_summary()?,
            messages,
            last_run_id: last
                .map(|(run,)| Uuid::parse_str(&run))
                .transpose()
                .map_err(|e| StoreError::Corrupt {
                    id: key.clone(),
                    reason: format!("last run: {e}"),
                })?,
        }))
    }

    /// Names a conversation (`title` already checked); later turns keep the
    /// name. `None` when there is no such conversation in use.
    pub async fn rename_conversation(
        &self,
        id: Uuid,
        title: &str,
    ) -> Result<Option<ConversationSummary>, StoreError> {
        let key = id.to_string();
        let title = storable(title);
        let title_key = title.to_lowercase();
        let at = now();
        let row = in_transaction!(&self.db, |conn, q| {
            let renamed = q
                .query(&RENAME)
                .bind(title.as_ref())
                .bind(&title_key)
                .bind(&at)
                .bind(&key)
                .execute(&mut *conn)
                .await?
                .rows_affected();
            if renamed == 0 {
                return Ok(None);
            }
            q.query_as::<SummaryRow>(&SUMMARY)
                .bind(&key)
                .fetch_optional(&mut *conn)
                .await
        })?;
        row.map(SummaryRow::into_summary).transpose()
    }

    /// Deletes a conversation (see the module's doc). Returns whether there
    /// was one in use.
    pub async fn delete_conversation(&self, id: Uuid) -> Result<bool, StoreError> {
        let at = now();
        let deleted = in_transaction!(&self.db, |conn, q| {
            q.query(&DELETE)
                .bind(&at)
                .bind(id.to_string())
                .execute(&mut *conn)
                .await
                .map(|done| done.rows_affected())
        })?;
        Ok(deleted > 0)
    }

    /// Whether conversation `id` was deleted (false when it never existed:
    /// a turn creates it).
    pub async fn conversation_deleted(&self, id: Uuid) -> Result<bool, StoreError> {
        let row: Option<(Option<String>,)> = read_transaction!(&self.db, |conn, q| {
            q.query_as(&DELETED_AT)
                .bind(id.to_string())
                .fetch_optional(&mut *conn)
                .await
        })?;
        Ok(matches!(row, Some((Some(_),))))
    }
}

#[cfg(test)]
mod tests {
    use super::{default_title, TITLE_CHARS, UNTITLED};
    use crate::chat::{Message, Role};

    #[test]
    fn the_title_is_the_first_line_of_the_first_user_message() {
        let messages = [
            Message::new(Role::System, "Be brief."),
            Message::new(Role::User, "\n  What is Rust?  \nAnd why?"),
            Message::new(Role::User, "later"),
        ];
        assert_eq!(default_title(&messages), "What is Rust?");
        assert_eq!(default_title(&[]), UNTITLED);
        assert_eq!(default_title(&[Message::new(Role::User, " \n ")]), UNTITLED);
        let long = "é".repeat(100);
        let title = default_title(&[Message::new(Role::User, long)]);
        assert_eq!(title.chars().count(), TITLE_CHARS);
        assert!(title.ends_with('…'));
        assert_eq!(
            default_title(&[Message::new(Role::User, "a\0b")]),
            "a\u{FFFD}b"
        );
    }
}
