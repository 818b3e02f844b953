//! The Prompt Hub's store on SQLite, on PostgreSQL directly and through
//! PgBouncer in transaction pooling mode: prompts, versions, lifecycle,
//! labels, import/export and the starter prompts.
//!
//! Test names are `<backend>::<case>` (`cargo test --test prompt_store
//! sqlite::`). The PostgreSQL and PgBouncer cases need the servers
//! described in tests/support/store_db.rs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::disallowed_methods
)]

#[macro_use]
#[path = "support/store_db.rs"]
mod store_db;

use store_db::Backend;

on_every_backend!(
    prompts_are_created_found_changed_and_deleted,
    versions_are_numbered_per_prompt_and_read_back_whole,
    lifecycle_moves_are_checked,
    labels_name_one_version_and_move,
    concurrent_saves_get_distinct_numbers,
    import_is_all_or_nothing,
    export_then_import_round_trips,
    imports_beside_other_writers_all_land,
    starters_load_once_on_a_new_database,
);

mod cases {
    use std::path::Path;

    use pep::chat::ResponseFormat;
    use pep::engine::{Hub, HubError};
    use pep::prompts::transfer::{self, Format, OnConflict};
    use pep::prompts::{
        FewShot, Lifecycle, NewPrompt, PromptError, PromptPatch, PromptQuery, VersionContent,
    };
    use pep::store::Store;
    use serde_json::json;
    use uuid::Uuid;

    use crate::store_db::{Backend, TestDb};

    fn content(template: &str) -> VersionContent {
        VersionContent {
            template: template.into(),
            ..VersionContent::default()
        }
    }

    /// A version that uses every field, with text that trips naive SQL.
    fn full_content() -> VersionContent {
        let mut c = VersionContent {
            template: "Réponds à {{ question }} ? 'quotes' \"and\" $1 -- not a comment\n".into(),
            system: "You are {{ persona }}. 👋".into(),
            examples: vec![FewShot {
                input: "2 + 2 ?".into(),
                output: "4".into(),
            }],
            model: Some("local/smollm2-135m".into()),
            message: "first save ?".into(),
            ..VersionContent::default()
        };
        c.params.temperature = Some(0.7);
        c.params.max_tokens = Some(128);
        c.params.stop = vec!["END".into()];
        c.params.response_format = Some(ResponseFormat::JsonSchema {
            name: "answer".into(),
            schema: json!({"type": "object", "properties": {"a": {"type": "number"}}}),
            strict: true,
        });
        c.defaults.insert("persona".into(), json!("a tutor"));
        c.defaults
            .insert("limits".into(), json!({"words": 3, "list": [1, null]}));
        c
    }

    fn new(name: &str, tags: &[&str]) -> NewPrompt {
        NewPrompt {
            name: name.into(),
            description: format!("About {name}"),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            version: None,
        }
    }

    fn query(text: &str, tags: &[&str]) -> PromptQuery {
        PromptQuery {
            text: text.into(),
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            limit: None,
        }
    }

    async fn names(hub: &Hub, q: PromptQuery) -> Vec<String> {
        let mut names: Vec<String> = hub
            .list(&q)
            .await
            .unwrap()
            .into_iter()
            .map(|p| p.name)
            .collect();
        names.sort();
        names
    }

    async fn open(backend: Backend) -> (TestDb, Store, Hub) {
        let db = TestDb::new(backend).await;
        let store = db.store().await;
        let hub = Hub::new(store.clone());
        (db, store, hub)
    }

    pub async fn prompts_are_created_found_changed_and_deleted(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        let summarise = hub
            .create(new(" Summarise ", &["Writing", "en"]))
            .await
            .unwrap();
        assert_eq!(summarise.prompt.name, "Summarise");
        assert_eq!(summarise.prompt.tags, ["en", "writing"]);
        assert_eq!(summarise.prompt.latest_version, None);
        assert!(summarise.versions.is_empty());
        let mut with_version = new("Extract 100%_done", &["json"]);
        with_version.version = Some(full_content());
        let extract = hub.create(with_version).await.unwrap();
        assert_eq!(extract.prompt.latest_version, Some(1));
        assert_eq!(extract.versions[0].content, full_content());
        assert_eq!(extract.versions[0].lifecycle, Lifecycle::Draft);

        // Names are unique whatever their case; the refusal changes nothing.
        match hub.create(new("SUMMARISE", &[])).await {
            Err(HubError::Refused(PromptError::NameTaken(name))) => assert_eq!(name, "SUMMARISE"),
            other => panic!("expected NameTaken on {backend:?}, got {other:?}"),
        }
        assert_eq!(hub.list(&query("", &[])).await.unwrap().len(), 2);

        // Search: any case, in name, description or tags; tags all required.
        assert_eq!(names(&hub, query("summ", &[])).await, ["Summarise"]);
        assert_eq!(names(&hub, query("ABOUT", &[])).await.len(), 2);
        assert_eq!(names(&hub, query("json", &[])).await, ["Extract 100%_done"]);
        assert_eq!(
            names(&hub, query("100%_", &[])).await,
            ["Extract 100%_done"]
        );
        assert!(names(&hub, query("%", &[])).await.len() == 1);
        assert_eq!(
            names(&hub, query("", &["writing", "EN"])).await,
            ["Summarise"]
        );
        assert!(names(&hub, query("", &["writing", "json"]))
            .await
            .is_empty());
        let limited = PromptQuery {
            limit: Some(1),
            ..query("", &[])
        };
        // Newest change first.
        assert_eq!(names(&hub, limited).await, ["Extract 100%_done"]);

        // Changes: absent fields stay; a taken name is refused.
        let changed = hub
            .update(
                summarise.prompt.id,
                PromptPatch {
                    name: Some("Summarise text".into()),
                    tags: Some(vec!["short".into()]),
                    ..PromptPatch::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(changed.name, "Summarise text");
        assert_eq!(changed.description, "About  Summarise");
        assert_eq!(changed.tags, ["short"]);
        assert!(changed.updated_at >= summarise.prompt.updated_at);
        let rename = PromptPatch {
            name: Some("extract 100%_DONE".into()),
            ..PromptPatch::default()
        };
        assert!(matches!(
            hub.update(summarise.prompt.id, rename).await,
            Err(HubError::Refused(PromptError::NameTaken(_)))
        ));
        assert_eq!(hub.get(summarise.prompt.id).await.unwrap().prompt, changed);

        // Deleting hides the prompt and frees its name; it still counts as
        // created (starters are not loaded again).
        hub.delete(extract.prompt.id).await.unwrap();
        let gone = extract.prompt.id;
        assert!(
            matches!(hub.get(gone).await, Err(HubError::Refused(PromptError::PromptNotFound(id))) if id == gone)
        );
        assert!(matches!(
            hub.versions(gone).await,
            Err(HubError::Refused(PromptError::PromptNotFound(_)))
        ));
        assert!(matches!(
            hub.delete(gone).await,
            Err(HubError::Refused(PromptError::PromptNotFound(_)))
        ));
        assert!(matches!(
            hub.save_version(gone, content("x")).await,
            Err(HubError::Refused(PromptError::PromptNotFound(_)))
        ));
        assert_eq!(names(&hub, query("", &[])).await, ["Summarise text"]);
        hub.create(new("Extract 100%_done", &[])).await.unwrap();
        assert_eq!(store.count_prompts_ever().await.unwrap(), 3);
        store.close().await;
    }

    pub async fn versions_are_numbered_per_prompt_and_read_back_whole(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        let a = hub.create(new("a", &[])).await.unwrap().prompt.id;
        let b = hub.create(new("b", &[])).await.unwrap().prompt.id;
        let v1 = hub.save_version(a, content("one {{ x }}")).await.unwrap();
        let v2 = hub.save_version(a, full_content()).await.unwrap();
        let b1 = hub.save_version(b, content("other")).await.unwrap();
        let v3 = hub.save_version(a, content("three")).await.unwrap();
        assert_eq!(
            (v1.version, v2.version, v3.version, b1.version),
            (1, 2, 3, 1)
        );
        assert_eq!(v2.content, full_content());
        assert_eq!(v2.prompt_id, a);
        assert!(chrono::DateTime::parse_from_rfc3339(&v2.created_at).is_ok());

        assert_eq!(hub.version(a, 2).await.unwrap(), v2);
        let all = hub.versions(a).await.unwrap();
        assert_eq!(all, [v1.clone(), v2.clone(), v3.clone()]);
        let detail = hub.get(a).await.unwrap();
        assert_eq!(detail.prompt.latest_version, Some(3));
        assert_eq!(detail.versions, all);

        match hub.version(a, 4).await {
            Err(HubError::Refused(PromptError::VersionNotFound { prompt, version })) => {
                assert_eq!((prompt, version), (a, 4));
            }
            other => panic!("expected VersionNotFound on {backend:?}, got {other:?}"),
        }
        let unknown = Uuid::now_v7();
        assert!(matches!(
            hub.version(unknown, 1).await,
            Err(HubError::Refused(PromptError::PromptNotFound(_)))
        ));
        // A version breaking a rule is refused before the store.
        assert!(matches!(
            hub.save_version(a, content("  ")).await,
            Err(HubError::Refused(PromptError::Invalid(_)))
        ));
        assert_eq!(hub.versions(a).await.unwrap().len(), 3);
        store.close().await;
    }

    pub async fn lifecycle_moves_are_checked(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        let id = hub.create(new("p", &[])).await.unwrap().prompt.id;
        hub.save_version(id, content("one")).await.unwrap();
        hub.save_version(id, content("two")).await.unwrap();

        let published = hub
            .set_lifecycle(id, 1, Lifecycle::Published)
            .await
            .unwrap();
        assert_eq!(published.lifecycle, Lifecycle::Published);
        assert_eq!(published.content.template, "one");
        // Setting the same state again is accepted.
        hub.set_lifecycle(id, 1, Lifecycle::Published)
            .await
            .unwrap();
        match hub.set_lifecycle(id, 1, Lifecycle::Draft).await {
            Err(HubError::Refused(PromptError::LifecycleMove { version, from, to })) => {
                assert_eq!((version, from, to), (1, "published", "draft"));
            }
            other => panic!("expected LifecycleMove on {backend:?}, got {other:?}"),
        }
        assert_eq!(
            hub.version(id, 1).await.unwrap().lifecycle,
            Lifecycle::Published
        );

        // A labelled version is not archived until its labels move.
        hub.set_label(id, "production", 1).await.unwrap();
        match hub.set_lifecycle(id, 1, Lifecycle::Archived).await {
            Err(HubError::Refused(PromptError::ArchiveLabelled { version, labels })) => {
                assert_eq!((version, labels.as_str()), (1, "production"));
            }
            other => panic!("expected ArchiveLabelled on {backend:?}, got {other:?}"),
        }
        hub.set_label(id, "production", 2).await.unwrap();
        let archived = hub.set_lifecycle(id, 1, Lifecycle::Archived).await.unwrap();
        assert_eq!(archived.lifecycle, Lifecycle::Archived);
        // An archived version takes no label, and may come back.
        assert!(matches!(
            hub.set_label(id, "staging", 1).await,
            Err(HubError::Refused(PromptError::LabelOnArchived {
                version: 1
            }))
        ));
        let restored = hub
            .set_lifecycle(id, 1, Lifecycle::Published)
            .await
            .unwrap();
        assert_eq!(restored.lifecycle, Lifecycle::Published);
        // Drafts may be archived directly; never back to draft.
        hub.set_lifecycle(id, 2, Lifecycle::Published)
            .await
            .unwrap();
        assert!(matches!(
            hub.set_lifecycle(id, 9, Lifecycle::Published).await,
            Err(HubError::Refused(PromptError::VersionNotFound {
                version: 9,
                ..
            }))
        ));
        store.close().await;
    }

    pub async fn labels_name_one_version_and_move(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        let id = hub.create(new("p", &[])).await.unwrap().prompt.id;
        let other = hub.create(new("q", &[])).await.unwrap().prompt.id;
        for t in ["one", "two", "three"] {
            hub.save_version(id, content(t)).await.unwrap();
        }
        hub.save_version(other, content("q1")).await.unwrap();

        let first = hub.set_label(id, "production", 1).await.unwrap();
        assert_eq!((first.name.as_str(), first.version), ("production", 1));
        hub.set_label(id, "staging", 3).await.unwrap();
        hub.set_label(other, "production", 1).await.unwrap();
        assert_eq!(
            hub.labelled(id, "production")
                .await
                .unwrap()
                .content
                .template,
            "one"
        );

        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let moved = hub.set_label(id, "production", 2).await.unwrap();
        assert_eq!(moved.version, 2);
        assert!(moved.updated_at > first.updated_at);
        assert_eq!(hub.labelled(id, "production").await.unwrap().version, 2);
        // The other prompt's label of the same name is its own.
        assert_eq!(
            hub.labelled(other, "production")
                .await
                .unwrap()
                .content
                .template,
            "q1"
        );
        let labels: Vec<(String, u32)> = hub
            .labels(id)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.name, l.version))
            .collect();
        assert_eq!(
            labels,
            [("production".to_owned(), 2), ("staging".to_owned(), 3)]
        );

        hub.delete_label(id, "staging").await.unwrap();
        assert!(matches!(
            hub.labelled(id, "staging").await,
            Err(HubError::Refused(PromptError::LabelNotFound { .. }))
        ));
        assert!(matches!(
            hub.delete_label(id, "staging").await,
            Err(HubError::Refused(PromptError::LabelNotFound { .. }))
        ));
        assert!(matches!(
            hub.set_label(id, "production", 7).await,
            Err(HubError::Refused(PromptError::VersionNotFound {
                version: 7,
                ..
            }))
        ));
        assert!(matches!(
            hub.set_label(id, "Bad Label", 1).await,
            Err(HubError::Refused(PromptError::Invalid(_)))
        ));
        assert_eq!(hub.labelled(id, "production").await.unwrap().version, 2);
        assert_eq!(hub.get(id).await.unwrap().labels.len(), 1);
        store.close().await;
    }

    /// Saves to one prompt at once, over more connections than PgBouncer's
    /// server pool: every save gets its own number, 1 to N.
    pub async fn concurrent_saves_get_distinct_numbers(backend: Backend) {
        const SAVES: u32 = 24;
        let db = TestDb::new(backend).await;
        let store = db.store_with(12).await;
        let hub = Hub::new(store.clone());
        let id = hub.create(new("busy", &[])).await.unwrap().prompt.id;
        let tasks: Vec<_> = (0..SAVES)
            .map(|i| {
                let hub = hub.clone();
                tokio::spawn(async move {
                    let v = hub.save_version(id, content(&format!("save {i}"))).await?;
                    hub.set_label(id, "latest", v.version).await?;
                    Ok::<_, HubError>(v.version)
                })
            })
            .collect();
        let mut numbers = Vec::new();
        for task in tasks {
            numbers.push(
                task.await
                    .unwrap()
                    .unwrap_or_else(|e| panic!("{backend:?}: {e}")),
            );
        }
        numbers.sort_unstable();
        assert_eq!(numbers, (1..=SAVES).collect::<Vec<_>>());
        assert_eq!(
            hub.get(id).await.unwrap().prompt.latest_version,
            Some(SAVES)
        );
        store.close().await;
    }

    /// An import reads (is the name taken?) before it writes. On SQLite a
    /// transaction that starts reading and is passed by another writer
    /// cannot write any more; the import runs again then, so every import
    /// and every save beside it lands.
    pub async fn imports_beside_other_writers_all_land(backend: Backend) {
        const TASKS: usize = 12;
        let db = TestDb::new(backend).await;
        let store = db.store_with(12).await;
        let hub = Hub::new(store.clone());
        let tasks: Vec<_> = (0..TASKS)
            .map(|i| {
                let hub = hub.clone();
                tokio::spawn(async move {
                    if i % 2 == 0 {
                        let bundle = format!(
                            "prompts:\n  - {{ name: import-{i}-a, versions: [{{ template: a }}] }}\n  \
                             - {{ name: import-{i}-b, versions: [{{ template: b }}] }}\n"
                        );
                        let report = hub
                            .import_text(bundle.as_bytes(), Format::Yaml, OnConflict::Skip)
                            .await?;
                        assert_eq!(report.imported.len(), 2, "{report:?}");
                    } else {
                        let id = hub.create(new(&format!("write-{i}"), &[])).await?.prompt.id;
                        hub.save_version(id, content("more")).await?;
                    }
                    Ok::<_, HubError>(())
                })
            })
            .collect();
        for (i, task) in tasks.into_iter().enumerate() {
            task.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{backend:?}: task {i}: {e}"));
        }
        assert_eq!(store.count_prompts_ever().await.unwrap(), 18);
        store.close().await;
    }

    const BUNDLE: &str = r#"
prompts:
  - name: First
    tags: [a]
    labels: { production: 2 }
    versions:
      - { version: 1, lifecycle: archived, template: "v1 {{ x }}", created_at: "2025-01-01T00:00:00.000Z" }
      - { version: 2, lifecycle: published, template: "v2 {{ x }}", message: "better" }
  - name: Taken
    versions:
      - { template: "t" }
"#;

    pub async fn import_is_all_or_nothing(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        hub.create(new("taken", &[])).await.unwrap();
        match hub
            .import_text(BUNDLE.as_bytes(), Format::Yaml, OnConflict::Fail)
            .await
        {
            Err(HubError::Refused(PromptError::NameTaken(name))) => assert_eq!(name, "Taken"),
            other => panic!("expected NameTaken on {backend:?}, got {other:?}"),
        }
        // "First" came before the clash and was rolled back with it.
        assert_eq!(names(&hub, query("", &[])).await, ["taken"]);
        assert_eq!(store.count_prompts_ever().await.unwrap(), 1);

        let report = hub
            .import_text(BUNDLE.as_bytes(), Format::Yaml, OnConflict::Skip)
            .await
            .unwrap();
        assert_eq!(report.skipped, ["Taken"]);
        assert_eq!(report.imported.len(), 1);
        let first = hub.get(report.imported[0].id).await.unwrap();
        assert_eq!(first.prompt.name, "First");
        assert_eq!(first.prompt.tags, ["a"]);
        let v: Vec<_> = first
            .versions
            .iter()
            .map(|v| (v.version, v.lifecycle, v.content.template.as_str()))
            .collect();
        assert_eq!(
            v,
            [
                (1, Lifecycle::Archived, "v1 {{ x }}"),
                (2, Lifecycle::Published, "v2 {{ x }}")
            ]
        );
        assert_eq!(first.versions[0].created_at, "2025-01-01T00:00:00.000Z");
        assert_eq!(first.versions[1].content.message, "better");
        assert_eq!(
            hub.labelled(first.prompt.id, "production")
                .await
                .unwrap()
                .version,
            2
        );
        store.close().await;
    }

    pub async fn export_then_import_round_trips(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        let mut with = new("Full", &["x", "y"]);
        with.version = Some(full_content());
        let full = hub.create(with).await.unwrap().prompt.id;
        hub.save_version(full, content("second {{ a }}"))
            .await
            .unwrap();
        hub.set_lifecycle(full, 1, Lifecycle::Archived)
            .await
            .unwrap();
        hub.set_label(full, "production", 2).await.unwrap();
        hub.create(new("Empty", &[])).await.unwrap();

        let exported = hub.export(&[]).await.unwrap();
        assert_eq!(exported.prompts.len(), 2);
        for format in [Format::Yaml, Format::Json] {
            let text = transfer::write(&exported, format).unwrap();
            let db = TestDb::new(backend).await;
            let other_store = db.store().await;
            let other = Hub::new(other_store.clone());
            let report = other
                .import_text(text.as_bytes(), format, OnConflict::Fail)
                .await
                .unwrap();
            assert_eq!(report.imported.len(), 2, "{format:?}");
            assert_eq!(other.export(&[]).await.unwrap(), exported, "{format:?}");
            other_store.close().await;
        }
        // Exporting one prompt by id.
        let one = hub.export(&[full]).await.unwrap();
        assert_eq!(one.prompts.len(), 1);
        assert_eq!(one.prompts[0].versions[0].content, full_content());
        assert!(matches!(
            hub.export(&[Uuid::now_v7()]).await,
            Err(HubError::Refused(PromptError::PromptNotFound(_)))
        ));
        store.close().await;
    }

    pub async fn starters_load_once_on_a_new_database(backend: Backend) {
        let (_db, store, hub) = open(backend).await;
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/prompts");
        let loaded = hub.load_starters(&dir).await.unwrap();
        assert!(loaded >= 3, "{loaded} starters");
        let prompts = hub.list(&query("", &[])).await.unwrap();
        assert_eq!(prompts.len(), loaded);
        for prompt in &prompts {
            let production = hub.labelled(prompt.id, "production").await.unwrap();
            assert_eq!(
                production.lifecycle,
                Lifecycle::Published,
                "{}",
                prompt.name
            );
        }
        // Not again, even once every prompt is deleted.
        assert_eq!(hub.load_starters(&dir).await.unwrap(), 0);
        for prompt in &prompts {
            hub.delete(prompt.id).await.unwrap();
        }
        assert_eq!(hub.load_starters(&dir).await.unwrap(), 0);
        assert!(hub.list(&query("", &[])).await.unwrap().is_empty());
        store.close().await;
    }
}
