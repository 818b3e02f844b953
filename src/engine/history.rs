//! The history's engine calls: the run search and its figures, the
//! tool-call audit, and stored conversations. Each checks its input
//! (`query`) and makes one store call; the REST API and the server
//! functions call these.

use uuid::Uuid;

use super::{Engine, EngineError};
use crate::conversations::{Conversation, ConversationSummary};
use crate::query::{self, Page, QueryError, RunSearch};
use crate::runs::{RunPage, RunQuery, RunStats, ToolCallAudit};

impl Engine {
    /// One page of the runs matching `query`, with the total.
    pub async fn search_runs(&self, query: &RunQuery) -> Result<RunPage, EngineError> {
        let search = RunSearch::parse(query)?;
        Ok(self.store.search_runs(&search).await?)
    }

    /// Figures over every run matching `query`'s filters.
    pub async fn run_stats(&self, query: &RunQuery) -> Result<RunStats, EngineError> {
        let search = RunSearch::parse(query)?;
        Ok(self.store.run_stats(&search).await?)
    }

    /// The tool calls of run `id`, in order.
    pub async fn run_tool_calls(&self, id: Uuid) -> Result<Vec<ToolCallAudit>, EngineError> {
        let calls = self.store.tool_calls(id).await?;
        if calls.is_empty() {
            // None made, or no such run: only the second is an error.
            self.run(id).await?;
        }
        Ok(calls)
    }

    /// The conversations whose title contains `text` (all when empty), the
    /// most recently updated first: `limit` of them ([`crate::query::DEFAULT_PAGE`]
    /// when absent) from `offset`.
    pub async fn conversations(
        &self,
        text: &str,
        limit: Option<u32>,
        offset: u32,
    ) -> Result<Vec<ConversationSummary>, EngineError> {
        query::search_text(text)?;
        let page = Page::parse(limit, offset).map_err(QueryError::from)?;
        Ok(self.store.list_conversations(text, page).await?)
    }

    /// A conversation with its messages, to reopen and continue it.
    pub async fn conversation(&self, id: Uuid) -> Result<Conversation, EngineError> {
        self.store
            .get_conversation(id)
            .await?
            .ok_or(EngineError::ConversationNotFound(id))
    }

    /// Names a conversation; later turns keep the name.
    pub async fn rename_conversation(
        &self,
        id: Uuid,
        title: &str,
    ) -> Result<ConversationSummary, EngineError> {
        let title = query::title(title)?;
        self.store
            .rename_conversation(id, &title)
            .await?
            .ok_or(EngineError::ConversationNotFound(id))
    }

    /// Deletes a conversation: it is no longer listed, read or continued;
    /// its runs stay.
    pub async fn delete_conversation(&self, id: Uuid) -> Result<(), EngineError> {
        if self.store.delete_conversation(id).await? {
            Ok(())
        } else {
            Err(EngineError::ConversationNotFound(id))
        }
    }
}

impl From<QueryError> for EngineError {
    fn from(e: QueryError) -> Self {
        EngineError::InvalidQuery(e)
    }
}
