//! The history's store (conversations, run search and figures, tool-call
//! audit, the NUL policy) on SQLite, on PostgreSQL and through PgBouncer
//! in transaction pooling mode: the same cases on each backend.
//!
//! Test names are `<backend>::<case>`; see tests/store.rs for the servers
//! the PostgreSQL and PgBouncer cases need.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[macro_use]
#[path = "support/store_db.rs"]
mod store_db;

use store_db::Backend;

on_every_backend!(
    runs_carry_their_conversation_prompt_tool_calls_and_rating,
    a_turn_writes_its_conversation_and_the_request_is_the_truth,
    conversations_are_listed_searched_renamed_and_deleted,
    a_deleted_conversation_is_never_written_again,
    run_search_filters_sorts_and_pages,
    run_stats_over_the_filters,
    run_stats_plot_only_the_newest_points,
    nul_from_a_model_is_stored_as_the_replacement_character,
    ratings_of_many_runs_at_once,
    a_run_is_stored_from_its_start_and_a_lost_one_is_interrupted,
);

mod cases {
    use std::time::Duration;

    use pep::chat::{GenerationParams, Message, Role, ToolCall};

    use pep::outcome::PromptRef;
    use pep::outcome::{FinishReason, Usage};
    use pep::outcome::{RunMetrics, RunStatus};
    use pep::query::{Page, RunSearch};
    use pep::runs::RunRecord;
    use pep::runs::{RunQuery, RunSort, SortOrder};
    use pep::store::{Rating, Store};
    use uuid::Uuid;

    /// A run search as the engine checks it.
    fn checked(q: &RunQuery) -> RunSearch {
        RunSearch::parse(q).unwrap()
    }

    fn page_of(limit: u32, offset: u32) -> Page {
        Page::parse(Some(limit), offset).unwrap()
    }

    use crate::store_db::{Backend, TestDb};

    fn run(at: &str, messages: Vec<Message>, reply: &str) -> RunRecord {
        RunRecord {
            id: Uuid::now_v7(),
            created_at: at.into(),
            session_id: Some("s1".into()),
            model: "local/x".into(),
            provider: "local".into(),
            params: GenerationParams::default(),
            messages,
            reply: reply.into(),
            status: RunStatus::Ok,
            finish_reason: FinishReason::Stop,
            error: None,
            usage: Usage {
                input_tokens: 10,
                output_tokens: 5,
                reasoning_tokens: 0,
                cached_tokens: 0,
            },
            metrics: RunMetrics {
                ttft_ms: Some(10.0),
                latency_ms: 100.0,
                tokens_per_second: Some(50.0),
                cost_usd: 0.001,
            },
            trace_id: None,
            validation: None,
            conversation_id: None,
            prompt: None,
            tool_calls: Vec::new(),
            feedback: None,
        }
    }

    fn user(text: &str) -> Message {
        Message::new(Role::User, text)
    }

    fn assistant(text: &str) -> Message {
        Message::new(Role::Assistant, text)
    }

    fn call(id: &str, name: &str, arguments: &str) -> ToolCall {
        ToolCall {
            id: id.into(),
            name: name.into(),
            arguments: arguments.into(),
            signature: None,
        }
    }

    /// A turn of `conversation`.
    fn turn(conversation: Uuid, messages: Vec<Message>, reply: &str) -> RunRecord {
        let mut r = run(&now(), messages, reply);
        r.conversation_id = Some(conversation);
        r
    }

    fn now() -> String {
        chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }

    /// Times have millisecond resolution: a later change must be later.
    async fn tick() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    pub async fn runs_carry_their_conversation_prompt_tool_calls_and_rating(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let conversation = Uuid::now_v7();
        let mut r = turn(conversation, vec![user("Weather in Paris?")], "");
        r.prompt = Some(PromptRef {
            prompt_id: Uuid::now_v7(),
            version: 3,
        });
        r.tool_calls = vec![
            call("call_1", "get_weather", "{\"city\": \"Paris\"}"),
            ToolCall {
                signature: Some("sig?$1".into()),
                ..call("", "get_time", "not json")
            },
        ];
        store.insert_run(&r).await.unwrap();
        // A retried write adds nothing.
        store.insert_run(&r).await.unwrap();
        assert_eq!(store.get_run(r.id).await.unwrap(), Some(r.clone()));

        let audit = store.tool_calls(r.id).await.unwrap();
        assert_eq!(audit.len(), 2);
        assert_eq!(
            (
                audit[0].index,
                audit[0].name.as_str(),
                audit[0].arguments_valid
            ),
            (0, "get_weather", true)
        );
        assert_eq!(
            (
                audit[1].index,
                audit[1].call_id.as_str(),
                audit[1].arguments_valid
            ),
            (1, "", false)
        );
        assert!(audit
            .iter()
            .all(|a| a.run_id == r.id && a.created_at == r.created_at));
        assert!(store.tool_calls(Uuid::now_v7()).await.unwrap().is_empty());

        store
            .set_feedback(r.id, Rating::Dislike, None)
            .await
            .unwrap();
        let read = store.get_run(r.id).await.unwrap().unwrap();
        assert_eq!(read.feedback, Some(Rating::Dislike));
        assert_eq!(read.conversation_id, Some(conversation));
        assert_eq!(read.prompt, r.prompt);
        let c = store.get_conversation(conversation).await.unwrap().unwrap();
        assert_eq!(c.summary.message_count, 2, "the retry wrote no second copy");
        assert_eq!(c.messages[1].message.tool_calls, r.tool_calls);
        store.close().await;
    }

    pub async fn a_turn_writes_its_conversation_and_the_request_is_the_truth(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let id = Uuid::now_v7();
        let system = Message::new(Role::System, "Be brief.");

        // First turn: created, titled from the first user message's first line.
        let first = turn(
            id,
            vec![system.clone(), user("\n Plan a trip\nto Lyon")],
            "Sure.",
        );
        store.insert_run(&first).await.unwrap();
        let c = store.get_conversation(id).await.unwrap().unwrap();
        assert_eq!(c.summary.title, "Plan a trip");
        assert_eq!(c.summary.message_count, 3);
        assert_eq!(c.summary.model.as_deref(), Some("local/x"));
        assert_eq!(c.summary.session_id.as_deref(), Some("s1"));
        assert_eq!(c.summary.created_at, c.summary.updated_at);
        assert_eq!(c.last_run_id, Some(first.id));
        let runs: Vec<_> = c.messages.iter().map(|m| m.run_id).collect();
        assert_eq!(runs, vec![None, None, Some(first.id)]);
        assert_eq!(c.messages[2].message, assistant("Sure."));

        // The next turn repeats the conversation: earlier rows keep their run
        // and its rating.
        store
            .set_feedback(first.id, Rating::Like, None)
            .await
            .unwrap();
        tick().await;
        let history = vec![
            system.clone(),
            user("\n Plan a trip\nto Lyon"),
            assistant("Sure."),
            user("By train?"),
        ];
        let mut second = turn(id, history.clone(), "Yes, 2 hours.");
        second.model = "local/y".into();
        second.session_id = None;
        store.insert_run(&second).await.unwrap();
        let c = store.get_conversation(id).await.unwrap().unwrap();
        assert_eq!(c.summary.message_count, 5);
        assert!(c.summary.updated_at > c.summary.created_at);
        assert_eq!(c.summary.model.as_deref(), Some("local/y"));
        assert_eq!(
            c.summary.session_id.as_deref(),
            Some("s1"),
            "kept without a new one"
        );
        assert_eq!(c.messages[2].run_id, Some(first.id));
        assert_eq!(c.messages[2].feedback, Some(Rating::Like));
        assert_eq!(c.messages[4].run_id, Some(second.id));
        assert_eq!(c.messages[4].feedback, None);
        assert_eq!(c.last_run_id, Some(second.id));
        // Each reply comes back with how its run ended and its figures.
        let outcome = c.messages[2].outcome.clone().unwrap();
        assert_eq!(
            (outcome.status, outcome.usage, outcome.metrics),
            (first.status, first.usage, first.metrics)
        );
        assert!(c.messages[3].outcome.is_none(), "a user message has none");

        // Regenerate: the same request again replaces the last reply. This
        // one is stopped part way: the reopened reply says so.
        tick().await;
        let mut again = turn(id, history.clone(), "Yes, about 2 hours by TGV.");
        again.status = RunStatus::Cancelled;
        again.finish_reason = FinishReason::Cancelled;
        again.trace_id = Some("0af7651916cd43dd8448eb211c80319c".into());
        store.insert_run(&again).await.unwrap();
        let c = store.get_conversation(id).await.unwrap().unwrap();
        assert_eq!(c.summary.message_count, 5);
        let outcome = c.messages[4].outcome.clone().unwrap();
        assert_eq!(outcome.status, RunStatus::Cancelled);
        assert_eq!(outcome.trace_id, again.trace_id);
        assert_eq!(c.messages[4].run_id, Some(again.id));
        assert_eq!(c.messages[4].message.content, "Yes, about 2 hours by TGV.");
        assert_eq!(c.messages[2].run_id, Some(first.id));

        // Edit the first message: everything after it is replaced, the
        // title follows (the user never named it).
        tick().await;
        let edited = turn(id, vec![system.clone(), user("Plan a trip to Nice")], "OK.");
        store.insert_run(&edited).await.unwrap();
        let c = store.get_conversation(id).await.unwrap().unwrap();
        assert_eq!(c.summary.title, "Plan a trip to Nice");
        assert_eq!(c.summary.message_count, 3);
        assert_eq!(
            c.messages.iter().map(|m| m.run_id).collect::<Vec<_>>(),
            vec![None, None, Some(edited.id)]
        );

        // A failed turn that produced nothing keeps the user's message only.
        tick().await;
        let mut failed = turn(
            id,
            vec![
                system,
                user("Plan a trip to Nice"),
                assistant("OK."),
                user("Hotels?"),
            ],
            "",
        );
        failed.status = RunStatus::Failed;
        failed.finish_reason = FinishReason::Error;
        failed.error = Some("rate limited".into());
        store.insert_run(&failed).await.unwrap();
        let c = store.get_conversation(id).await.unwrap().unwrap();
        assert_eq!(c.summary.message_count, 4);
        assert_eq!(c.messages[3].message, user("Hotels?"));
        assert_eq!(c.messages[2].run_id, Some(edited.id));
        assert_eq!(c.last_run_id, Some(failed.id));
        store.close().await;
    }

    async fn conversation(store: &Store, first_message: &str) -> Uuid {
        let id = Uuid::now_v7();
        store
            .insert_run(&turn(id, vec![user(first_message)], "reply"))
            .await
            .unwrap();
        tick().await;
        id
    }

    pub async fn conversations_are_listed_searched_renamed_and_deleted(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        assert!(store
            .list_conversations("", page_of(10, 0))
            .await
            .unwrap()
            .is_empty());
        let lyon = conversation(&store, "Trip to LYON").await;
        let rust = conversation(&store, "Learning Rust: 100% _fun_").await;
        let soup = conversation(&store, "Été soup recipes").await;
        let ids = |list: Vec<pep::conversations::ConversationSummary>| -> Vec<Uuid> {
            list.into_iter().map(|c| c.id).collect()
        };
        assert_eq!(
            ids(store.list_conversations("", page_of(10, 0)).await.unwrap()),
            vec![soup, rust, lyon]
        );
        assert_eq!(
            ids(store.list_conversations("", page_of(2, 1)).await.unwrap()),
            vec![rust, lyon]
        );
        assert_eq!(
            ids(store.list_conversations("", page_of(10, 3)).await.unwrap()),
            Vec::<Uuid>::new()
        );
        // Any case, Unicode too; LIKE's wildcards are plain characters.
        assert_eq!(
            ids(store
                .list_conversations("lyon", page_of(10, 0))
                .await
                .unwrap()),
            vec![lyon]
        );
        assert_eq!(
            ids(store
                .list_conversations("ÉTÉ", page_of(10, 0))
                .await
                .unwrap()),
            vec![soup]
        );
        assert_eq!(
            ids(store
                .list_conversations("100%", page_of(10, 0))
                .await
                .unwrap()),
            vec![rust]
        );
        assert_eq!(
            ids(store
                .list_conversations("_fun_", page_of(10, 0))
                .await
                .unwrap()),
            vec![rust]
        );
        assert_eq!(
            ids(store
                .list_conversations("0%_", page_of(10, 0))
                .await
                .unwrap()),
            Vec::<Uuid>::new()
        );
        let listed = store
            .list_conversations("lyon", page_of(10, 0))
            .await
            .unwrap();
        assert_eq!(listed[0].message_count, 2);

        // A name the user gave stays through later turns, and moves the
        // conversation to the top.
        let renamed = store
            .rename_conversation(lyon, "Lyon, in May")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(renamed.title, "Lyon, in May");
        assert_eq!(
            ids(store.list_conversations("", page_of(1, 0)).await.unwrap()),
            vec![lyon]
        );
        tick().await;
        store
            .insert_run(&turn(lyon, vec![user("Trip to Paris instead")], "OK"))
            .await
            .unwrap();
        let c = store.get_conversation(lyon).await.unwrap().unwrap();
        assert_eq!(c.summary.title, "Lyon, in May");
        assert_eq!(
            ids(store
                .list_conversations("may", page_of(10, 0))
                .await
                .unwrap()),
            vec![lyon]
        );
        assert!(store
            .rename_conversation(Uuid::now_v7(), "x")
            .await
            .unwrap()
            .is_none());

        // Deleted: gone from every read, its runs stay.
        assert!(store.delete_conversation(rust).await.unwrap());
        assert!(!store.delete_conversation(rust).await.unwrap(), "only once");
        assert!(!store.delete_conversation(Uuid::now_v7()).await.unwrap());
        assert_eq!(
            ids(store.list_conversations("", page_of(10, 0)).await.unwrap()),
            vec![lyon, soup]
        );
        assert_eq!(store.get_conversation(rust).await.unwrap(), None);
        assert_eq!(store.rename_conversation(rust, "x").await.unwrap(), None);
        assert!(store.conversation_deleted(rust).await.unwrap());
        assert!(!store.conversation_deleted(lyon).await.unwrap());
        assert!(!store.conversation_deleted(Uuid::now_v7()).await.unwrap());
        let page = store
            .search_runs(&checked(&RunQuery {
                conversation_id: Some(rust),
                ..RunQuery::default()
            }))
            .await
            .unwrap();
        assert_eq!(page.total, 1);
        store.close().await;
    }

    pub async fn a_deleted_conversation_is_never_written_again(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let id = conversation(&store, "Old chat").await;
        let before = store.list_conversations("", page_of(10, 0)).await.unwrap();
        assert_eq!(before.len(), 1);
        assert!(store.delete_conversation(id).await.unwrap());
        // A turn that raced the delete: its run is stored, the conversation
        // stays deleted and unchanged.
        let late = turn(
            id,
            vec![user("Old chat"), assistant("reply"), user("more")],
            "x",
        );
        store.insert_run(&late).await.unwrap();
        assert_eq!(
            store
                .get_run(late.id)
                .await
                .unwrap()
                .unwrap()
                .conversation_id,
            Some(id)
        );
        assert_eq!(store.get_conversation(id).await.unwrap(), None);
        assert!(store
            .list_conversations("", page_of(10, 0))
            .await
            .unwrap()
            .is_empty());
        assert!(store.conversation_deleted(id).await.unwrap());
        store.close().await;
    }

    /// Six runs with distinct figures, inserted out of order.
    async fn six_runs(store: &Store) -> Vec<RunRecord> {
        let prompt = Uuid::now_v7();
        let conversation = Uuid::now_v7();
        let mut runs = Vec::new();
        for i in 0..6u32 {
            let mut r = run(
                &format!("2026-02-0{}T10:00:00.000Z", i + 1),
                vec![user(&format!("question {i}"))],
                &format!("answer {i}"),
            );
            r.model = if i % 2 == 0 { "local/a" } else { "remote/b" }.into();
            r.status = match i {
                4 => RunStatus::Failed,
                5 => RunStatus::Cancelled,
                _ => RunStatus::Ok,
            };
            r.session_id = Some(if i < 3 { "tab-1" } else { "tab-2" }.into());
            r.conversation_id = (i >= 4).then_some(conversation);
            r.prompt = (i <= 1).then_some(PromptRef {
                prompt_id: prompt,
                version: i + 1,
            });
            r.metrics.latency_ms = f64::from([30, 10, 60, 20, 50, 40][i as usize]);
            r.metrics.ttft_ms =
                [Some(3.0), None, Some(1.0), Some(2.0), None, Some(5.0)][i as usize];
            r.metrics.cost_usd = f64::from([2, 6, 1, 5, 3, 4][i as usize]) / 1000.0;
            r.usage.output_tokens = [7, 1, 9, 3, 2, 8][i as usize];
            runs.push(r);
        }
        for i in [3, 0, 5, 1, 4, 2] {
            store.insert_run(&runs[i]).await.unwrap();
        }
        runs
    }

    /// The page of `q`, as indexes into `runs`, and the total.
    async fn positions(store: &Store, runs: &[RunRecord], q: RunQuery) -> (Vec<usize>, u64) {
        let page = store.search_runs(&checked(&q)).await.unwrap();
        let order = page
            .runs
            .iter()
            .map(|s| runs.iter().position(|r| r.id == s.id).unwrap())
            .collect();
        (order, page.total)
    }

    pub async fn run_search_filters_sorts_and_pages(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let runs = six_runs(&store).await;
        let search = |q: RunQuery| positions(&store, &runs, q);
        // Newest first by default.
        assert_eq!(
            search(RunQuery::default()).await,
            (vec![5, 4, 3, 2, 1, 0], 6)
        );
        // Each filter.
        let q = |f: fn(&mut RunQuery)| {
            let mut q = RunQuery::default();
            f(&mut q);
            q
        };
        assert_eq!(
            search(q(|q| q.model = Some("local/a".into()))).await,
            (vec![4, 2, 0], 3)
        );
        assert_eq!(
            search(q(|q| q.status = Some(RunStatus::Failed))).await,
            (vec![4], 1)
        );
        assert_eq!(
            search(q(|q| q.session_id = Some("tab-2".into()))).await,
            (vec![5, 4, 3], 3)
        );
        assert_eq!(
            search(RunQuery {
                conversation_id: runs[4].conversation_id,
                ..RunQuery::default()
            })
            .await,
            (vec![5, 4], 2)
        );
        let prompt = runs[0].prompt.map(|p| p.prompt_id);
        assert_eq!(
            search(RunQuery {
                prompt_id: prompt,
                ..RunQuery::default()
            })
            .await,
            (vec![1, 0], 2)
        );
        assert_eq!(
            search(RunQuery {
                prompt_id: prompt,
                prompt_version: Some(2),
                ..RunQuery::default()
            })
            .await,
            (vec![1], 1)
        );
        assert_eq!(
            search(RunQuery {
                since: Some("2026-02-02T10:00:00.000Z".into()),
                until: Some("2026-02-04T10:00:00.000Z".into()),
                ..RunQuery::default()
            })
            .await,
            (vec![2, 1], 2),
            "since is inclusive, until exclusive"
        );
        assert_eq!(
            search(q(|q| {
                q.model = Some("remote/b".into());
                q.session_id = Some("tab-2".into());
            }))
            .await,
            (vec![5, 3], 2)
        );
        assert_eq!(
            search(q(|q| q.model = Some("nope".into()))).await,
            (vec![], 0)
        );
        // Each sort, both ways; runs without a TTFT last either way.
        let sorted = |sort, order| RunQuery {
            sort,
            order,
            ..RunQuery::default()
        };
        assert_eq!(
            search(sorted(RunSort::Latency, SortOrder::Asc)).await.0,
            vec![1, 3, 0, 5, 4, 2]
        );
        assert_eq!(
            search(sorted(RunSort::Latency, SortOrder::Desc)).await.0,
            vec![2, 4, 5, 0, 3, 1]
        );
        assert_eq!(
            search(sorted(RunSort::Ttft, SortOrder::Asc)).await.0[..4],
            [2, 3, 0, 5]
        );
        let ttft_desc = search(sorted(RunSort::Ttft, SortOrder::Desc)).await.0;
        assert_eq!(ttft_desc[..4], [5, 0, 3, 2]);
        let mut nulls = ttft_desc[4..].to_vec();
        nulls.sort_unstable();
        assert_eq!(nulls, vec![1, 4]);
        assert_eq!(
            search(sorted(RunSort::Cost, SortOrder::Desc)).await.0,
            vec![1, 3, 5, 4, 0, 2]
        );
        assert_eq!(
            search(sorted(RunSort::Tokens, SortOrder::Asc)).await.0,
            vec![1, 4, 3, 0, 5, 2]
        );
        assert_eq!(
            search(sorted(RunSort::CreatedAt, SortOrder::Asc)).await.0,
            vec![0, 1, 2, 3, 4, 5]
        );
        // Pages: the total is of all matches.
        assert_eq!(
            search(RunQuery {
                limit: Some(2),
                offset: 1,
                ..RunQuery::default()
            })
            .await,
            (vec![4, 3], 6)
        );
        assert_eq!(
            search(RunQuery {
                offset: 10,
                ..RunQuery::default()
            })
            .await,
            (vec![], 6)
        );

        // A summary: the run's figures, a short preview, its rating.
        store
            .set_feedback(runs[2].id, Rating::Like, None)
            .await
            .unwrap();
        let page = store
            .search_runs(&checked(&RunQuery {
                model: Some("local/a".into()),
                ..RunQuery::default()
            }))
            .await
            .unwrap();
        let s = page.runs.iter().find(|s| s.id == runs[2].id).unwrap();
        assert_eq!(s.feedback, Some(Rating::Like));
        assert_eq!(s.preview, "answer 2");
        assert_eq!((s.usage, s.metrics), (runs[2].usage, runs[2].metrics));
        assert_eq!(s.prompt, None);
        assert_eq!(s.created_at, runs[2].created_at);
        let long = run(
            "2026-03-01T00:00:00.000Z",
            vec![user("q")],
            &"é".repeat(500),
        );
        store.insert_run(&long).await.unwrap();
        let page = store
            .search_runs(&checked(&RunQuery::default()))
            .await
            .unwrap();
        assert_eq!(page.runs[0].preview, "é".repeat(160));
        store.close().await;
    }

    pub async fn run_stats_over_the_filters(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let runs = six_runs(&store).await;
        let stats = store
            .run_stats(&checked(&RunQuery::default()))
            .await
            .unwrap();
        assert_eq!(
            (stats.count, stats.ok, stats.failed, stats.cancelled),
            (6, 4, 1, 1)
        );
        // Latencies 10..=60: p50 between 30 and 40, p95 at 95% of the way.
        assert_eq!(stats.latency_p50_ms, Some(35.0));
        assert_eq!(stats.latency_p95_ms, Some(57.5));
        // TTFTs 1, 2, 3, 5 (two runs have none).
        assert_eq!(stats.ttft_p50_ms, Some(2.5));
        assert!((stats.ttft_p95_ms.unwrap() - 4.7).abs() < 1e-9);
        assert_eq!(stats.total_tokens, 6 * 10 + 30);
        assert!((stats.total_cost_usd - 0.021).abs() < 1e-12);
        let points: Vec<Uuid> = stats.points.iter().map(|p| p.id).collect();
        assert_eq!(
            points,
            runs.iter().map(|r| r.id).collect::<Vec<_>>(),
            "oldest first"
        );
        assert_eq!(stats.points[1].ttft_ms, None);
        assert_eq!(stats.points[2].total_tokens, 19);

        let local = store
            .run_stats(&checked(&RunQuery {
                model: Some("local/a".into()),
                // Ignored by the figures.
                sort: RunSort::Cost,
                limit: Some(1),
                offset: 2,
                ..RunQuery::default()
            }))
            .await
            .unwrap();
        assert_eq!((local.count, local.ok, local.failed), (3, 2, 1));
        assert_eq!(local.latency_p50_ms, Some(50.0));
        assert_eq!(local.points.len(), 3);

        let none = store
            .run_stats(&checked(&RunQuery {
                model: Some("nope".into()),
                ..RunQuery::default()
            }))
            .await
            .unwrap();
        assert_eq!(none, pep::runs::RunStats::default());
        store.close().await;
    }

    pub async fn run_stats_plot_only_the_newest_points(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let cap = pep::store::MAX_POINTS as usize;
        let mut ids = Vec::with_capacity(cap + 5);
        for i in 0..cap + 5 {
            let at = format!(
                "2026-01-01T{:02}:{:02}:{:02}Z",
                i / 3600,
                (i / 60) % 60,
                i % 60
            );
            let r = run(&at, vec![user("q")], "a");
            ids.push(r.id);
            store.insert_run(&r).await.unwrap();
        }
        let stats = store
            .run_stats(&checked(&RunQuery::default()))
            .await
            .unwrap();
        // Every run counts in the figures; the plot gets the newest `cap`,
        // oldest first.
        assert_eq!(stats.count, (cap + 5) as u64);
        assert_eq!(stats.points.len(), cap);
        let points: Vec<Uuid> = stats.points.iter().map(|p| p.id).collect();
        assert_eq!(points, ids[5..]);
        store.close().await;
    }

    pub async fn nul_from_a_model_is_stored_as_the_replacement_character(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let id = Uuid::now_v7();
        let mut r = turn(id, vec![user("say \u{1}")], "a\0b");
        r.error = Some("odd\0".into());
        r.tool_calls = vec![call("c\0", "f\0", "{\"x\": \"\0\"}")];
        store.insert_run(&r).await.unwrap();
        let read = store.get_run(r.id).await.unwrap().unwrap();
        assert_eq!(read.reply, "a\u{FFFD}b");
        assert_eq!(read.error.as_deref(), Some("odd\u{FFFD}"));
        assert_eq!(read.tool_calls[0].id, "c\u{FFFD}");
        assert_eq!(read.tool_calls[0].name, "f\u{FFFD}");
        assert_eq!(read.tool_calls[0].arguments, "{\"x\": \"\u{FFFD}\"}");
        // JSON columns keep U+0000 escaped, on both backends.
        let mut with_nul = r.clone();
        with_nul.id = Uuid::now_v7();
        with_nul.conversation_id = None;
        with_nul.messages = vec![user("nul \0 in JSON")];
        store.insert_run(&with_nul).await.unwrap();
        let read = store.get_run(with_nul.id).await.unwrap().unwrap();
        assert_eq!(read.messages, with_nul.messages);
        let audit = store.tool_calls(r.id).await.unwrap();
        assert_eq!(audit[0].arguments, "{\"x\": \"\u{FFFD}\"}");
        let c = store.get_conversation(id).await.unwrap().unwrap();
        assert_eq!(c.messages[1].message.content, "a\u{FFFD}b");
        let page = store
            .search_runs(&checked(&RunQuery::default()))
            .await
            .unwrap();
        assert!(page.runs.iter().any(|s| s.preview == "a\u{FFFD}b"));
        store.close().await;
    }

    pub async fn ratings_of_many_runs_at_once(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        assert!(store.ratings(&[]).await.unwrap().is_empty());
        let mut ids = Vec::new();
        for i in 0..7 {
            let r = run(&now(), vec![user("q")], "a");
            store.insert_run(&r).await.unwrap();
            match i % 3 {
                0 => {
                    store.set_feedback(r.id, Rating::Like, None).await.unwrap();
                }
                1 => {
                    store
                        .set_feedback(r.id, Rating::Dislike, None)
                        .await
                        .unwrap();
                }
                _ => {}
            }
            ids.push(r.id);
        }
        ids.push(Uuid::now_v7());
        let ratings = store.ratings(&ids).await.unwrap();
        assert_eq!(ratings.len(), 5);
        assert_eq!(ratings.get(&ids[0]), Some(&Rating::Like));
        assert_eq!(ratings.get(&ids[1]), Some(&Rating::Dislike));
        assert_eq!(ratings.get(&ids[2]), None);
        store.close().await;
    }

    /// A run's row from its start to its end: running with the user's
    /// message in its conversation, checkpointed, ended; and one whose
    /// heartbeat stopped, interrupted with what had arrived.
    pub async fn a_run_is_stored_from_its_start_and_a_lost_one_is_interrupted(backend: Backend) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let conversation = Uuid::now_v7();
        let asked = vec![user("Tell me a story")];
        let starting = |reply: &str| {
            let mut r = turn(conversation, asked.clone(), reply);
            r.status = RunStatus::Running;
            r.finish_reason = FinishReason::Interrupted;
            r.usage = Usage::default();
            r
        };

        // A run that ends: started, checkpointed, written whole.
        let live = starting("");
        store.begin_run(&live).await.unwrap();
        store.begin_run(&live).await.unwrap(); // a retried start adds nothing
        let read = store.get_run(live.id).await.unwrap().unwrap();
        assert_eq!(
            (read.status, read.finish_reason),
            (RunStatus::Running, FinishReason::Interrupted)
        );
        let c = store.get_conversation(conversation).await.unwrap().unwrap();
        let messages: Vec<_> = c.messages.iter().map(|m| m.message.clone()).collect();
        assert_eq!(messages, asked, "the user's message is kept from the start");
        assert!(store
            .checkpoint_run(live.id, "Once upon", 2, 40.0)
            .await
            .unwrap());
        let read = store.get_run(live.id).await.unwrap().unwrap();
        assert_eq!(
            (read.reply.as_str(), read.usage.output_tokens),
            ("Once upon", 2)
        );
        assert_eq!(read.metrics.latency_ms, 40.0);
        let mut ended = turn(conversation, asked.clone(), "Once upon a time.");
        ended.id = live.id;
        ended.created_at = live.created_at.clone();
        store.insert_run(&ended).await.unwrap();
        assert_eq!(store.get_run(live.id).await.unwrap(), Some(ended.clone()));
        let c = store.get_conversation(conversation).await.unwrap().unwrap();
        assert_eq!(c.summary.message_count, 2);
        assert_eq!(c.messages[1].message, assistant("Once upon a time."));
        assert_eq!(c.messages[1].run_id, Some(live.id));
        // An ended run is never written again: not by a late checkpoint,
        // not by a start, not by the sweep.
        assert!(!store.checkpoint_run(live.id, "late", 9, 1.0).await.unwrap());
        let mut again = starting("");
        again.id = live.id;
        store.begin_run(&again).await.unwrap();
        assert_eq!(store.get_run(live.id).await.unwrap(), Some(ended.clone()));
        let far_future = "9999-01-01T00:00:00.000Z";

        // A run whose process died: the sweep marks it, keeping its text.
        let lost = starting("");
        store.begin_run(&lost).await.unwrap();
        store
            .checkpoint_run(lost.id, "Half a", 2, 10.0)
            .await
            .unwrap();
        let long_ago = "2000-01-01T00:00:00.000Z";
        assert_eq!(
            store.interrupt_stale_runs(long_ago).await.unwrap(),
            0,
            "a fresh heartbeat is not stale"
        );
        let mut gone = starting("");
        gone.conversation_id = None;
        store.begin_run(&gone).await.unwrap();
        assert_eq!(store.interrupt_stale_runs(far_future).await.unwrap(), 2);
        let read = store.get_run(lost.id).await.unwrap().unwrap();
        assert_eq!(
            (read.status, read.finish_reason, read.reply.as_str()),
            (RunStatus::Interrupted, FinishReason::Interrupted, "Half a")
        );
        assert_eq!(read.error.as_deref(), Some(pep::store::INTERRUPTED));
        assert_eq!(store.get_run(live.id).await.unwrap(), Some(ended));
        assert_eq!(store.interrupt_stale_runs(far_future).await.unwrap(), 0);

        // Its true end, arriving late (a spooled record), still wins.
        let mut late = turn(conversation, asked.clone(), "Half a story.");
        late.id = lost.id;
        late.created_at = lost.created_at.clone();
        late.status = RunStatus::Cancelled;
        late.finish_reason = FinishReason::Cancelled;
        store.insert_run(&late).await.unwrap();
        assert_eq!(store.get_run(lost.id).await.unwrap(), Some(late));
        let after_late = store.get_conversation(conversation).await.unwrap().unwrap();
        assert_eq!(after_late.messages[1].message, assistant("Half a story."));

        // The record of an older turn, arriving after newer ones (from the
        // spool), is stored but leaves the conversation as they made it.
        let mut older = turn(conversation, vec![user("An older question")], "Old.");
        older.created_at = "2000-01-01T00:00:00.000Z".into();
        store.insert_run(&older).await.unwrap();
        assert_eq!(store.get_run(older.id).await.unwrap(), Some(older));
        let c = store.get_conversation(conversation).await.unwrap().unwrap();
        assert_eq!(c.messages, after_late.messages);

        let stats = store
            .run_stats(&checked(&RunQuery::default()))
            .await
            .unwrap();
        assert_eq!(
            (stats.count, stats.ok, stats.cancelled, stats.interrupted),
            (4, 2, 1, 1)
        );
        store.close().await;
    }
}
