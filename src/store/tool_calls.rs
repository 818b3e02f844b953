//! The tool-call audit: one row per tool call a model made, written with its
//! run, so "which runs called `delete_file`, and with what" is a query.

use uuid::Uuid;

use super::db::read_transaction;
use super::sql::{Built, Param, Sql};
use super::{storable, Store, StoreError};
use crate::chat::ToolCall;
use crate::runs::RunRecord;
use crate::runs::ToolCallAudit;

/// Rows per INSERT: 8 values each, well under both backends' limits on
/// bound values.
const ROWS_PER_INSERT: usize = 500;

/// A run's calls in order (also read by `get_run`).
pub(super) static OF_RUN: Sql = Sql::new(
    "SELECT run_id, idx, call_id, name, arguments, arguments_valid, signature, created_at
     FROM tool_calls WHERE run_id = ? ORDER BY idx",
);

#[derive(sqlx::FromRow)]
pub(super) struct ToolCallRow {
    run_id: String,
    idx: i64,
    call_id: String,
    name: String,
    arguments: String,
    arguments_valid: i64,
    signature: Option<String>,
    created_at: String,
}

/// Whether a model's arguments are what a tool can take: a JSON object.
fn arguments_valid(arguments: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(arguments).is_ok_and(|v| v.is_object())
}

/// The INSERTs of a run's tool calls (none without calls), to run in the
/// transaction that stores the run. Text from the model is made storable.
pub(super) fn inserts(run: &RunRecord) -> Vec<Built> {
    let id = run.id.to_string();
    let mut statements = Vec::new();
    for (chunk_index, chunk) in run.tool_calls.chunks(ROWS_PER_INSERT).enumerate() {
        let mut sql = Built::default();
        sql.push(
            "INSERT INTO tool_calls (run_id, idx, call_id, name, arguments, arguments_valid, \
             signature, created_at) VALUES ",
        );
        for (i, call) in chunk.iter().enumerate() {
            let idx = chunk_index * ROWS_PER_INSERT + i;
            if i > 0 {
                sql.push(", ");
            }
            sql.push_list([
                Param::Text(id.clone()),
                Param::Int(i64::try_from(idx).unwrap_or(i64::MAX)),
                Param::Text(storable(&call.id).into_owned()),
                Param::Text(storable(&call.name).into_owned()),
                Param::Text(storable(&call.arguments).into_owned()),
                Param::Int(i64::from(arguments_valid(&call.arguments))),
                Param::OptText(call.signature.as_deref().map(|s| storable(s).into_owned())),
                Param::Text(run.created_at.clone()),
            ]);
        }
        sql.push(" ON CONFLICT (run_id, idx) DO NOTHING");
        statements.push(sql);
    }
    statements
}

impl ToolCallRow {
    fn corrupt(&self, reason: String) -> StoreError {
        StoreError::Corrupt {
            id: self.run_id.clone(),
            reason: format!("tool call {}: {reason}", self.idx),
        }
    }

    pub(super) fn into_call(self) -> ToolCall {
        ToolCall {
            id: self.call_id,
            name: self.name,
            arguments: self.arguments,
            signature: self.signature,
        }
    }

    fn into_audit(self) -> Result<ToolCallAudit, StoreError> {
        let run_id = Uuid::parse_str(&self.run_id).map_err(|e| self.corrupt(e.to_string()))?;
        let index = u32::try_from(self.idx).map_err(|e| self.corrupt(e.to_string()))?;
        Ok(ToolCallAudit {
            run_id,
            index,
            call_id: self.call_id,
            name: self.name,
            arguments: self.arguments,
            arguments_valid: self.arguments_valid != 0,
            created_at: self.created_at,
        })
    }
}

impl Store {
    /// The tool calls run `run_id` made, in order; empty for a run that made
    /// none or does not exist.
    pub async fn tool_calls(&self, run_id: Uuid) -> Result<Vec<ToolCallAudit>, StoreError> {
        let rows: Vec<ToolCallRow> = read_transaction!(&self.db, |conn, q| {
            q.query_as(&OF_RUN)
                .bind(run_id.to_string())
                .fetch_all(&mut *conn)
                .await
        })?;
        rows.into_iter().map(ToolCallRow::into_audit).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::arguments_valid;

    #[test]
    fn only_a_json_object_is_valid_arguments() {
        assert!(arguments_valid("{\"city\": \"Paris\"}"));
        assert!(arguments_valid("{}"));
        assert!(!arguments_valid("[1]"));
        assert!(!arguments_valid("{\"city\": "));
        assert!(!arguments_valid(""));
    }
}
