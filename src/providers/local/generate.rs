//! The blocking generation loop: prompt → tokens → sampled tokens → text.

use std::num::NonZeroU32;

use llama_cpp_2::context::params::LlamaContextParams;
use llama_cpp_2::llama_batch::LlamaBatch;
use llama_cpp_2::sampling::LlamaSampler;
use llama_cpp_2::token::LlamaToken;
use tokio::sync::mpsc::Sender;
use tokio_util::sync::CancellationToken;

use crate::chat::ResponseFormat;

use crate::outcome::{FinishReason, Usage};
use crate::providers::{ProviderError, ProviderEvent, ProviderRequest};
use crate::text::{StopMatcher, Utf8Accumulator};

use super::{LoadedModel, Threads};

/// Prompt tokens decoded per llama.cpp batch.
const PROMPT_BATCH: usize = 512;
/// How many recent tokens the repeat penalty looks at.
const PENALTY_WINDOW: i32 = 64;

type Tx = Sender<Result<ProviderEvent, ProviderError>>;

/// Runs one generation, reporting through `tx`. Returns when finished,
/// cancelled, or when the receiver is gone (the client left).
pub(super) fn run(
    model: &LoadedModel,
    req: &ProviderRequest,
    threads: Threads,
    cancel: &CancellationToken,
    tx: &Tx,
) {
    if let Err(e) = generate(model, req, threads, cancel, tx) {
        let _ = tx.blocking_send(Err(e));
    }
}

fn generate(
    model: &LoadedModel,
    req: &ProviderRequest,
    threads: Threads,
    cancel: &CancellationToken,
    tx: &Tx,
) -> Result<(), ProviderError> {
    let gen_err = |e: &dyn std::fmt::Display| ProviderError::Generation(e.to_string());
    let prompt = model
        .template
        .render(&req.messages)
        .map_err(|e| gen_err(&e))?;
    let vocab = model.model.vocab();
    // The template may already start with BOS; never add a second one.
    let add_bos = vocab.should_add_bos()
        && (model.template.bos_token().is_empty()
            || !prompt.starts_with(model.template.bos_token()));
    let tokens = vocab.tokenize(prompt.as_bytes(), add_bos, true);
    if tokens.is_empty() {
        return Err(ProviderError::Generation("the prompt is empty".into()));
    }
    let max_new = usize::try_from(req.max_tokens).unwrap_or(usize::MAX);
    if tokens.len() >= model.context_limit {
        return Err(ProviderError::ContextTooLong {
            tokens: tokens.len(),
            limit: model.context_limit,
        });
    }
    // Room for the prompt and the reply, never more than the model knows.
    let n_ctx = (tokens.len() + max_new).min(model.context_limit);
    let n_ctx = NonZeroU32::new(u32::try_from(n_ctx).unwrap_or(u32::MAX));
    let params = LlamaContextParams::default()
        .with_n_ctx(n_ctx)
        .with_n_batch(u32::try_from(PROMPT_BATCH).unwrap_or(512))
        .with_n_threads(threads.decode)
        .with_n_threads_batch(threads.batch);
    let mut ctx = model
        .model
        .new_context(model.backend, params)
        .map_err(|e| gen_err(&e))?;

    // Prompt processing, in batches; logits only for the very last token.
    let mut batch = LlamaBatch::new(PROMPT_BATCH, 1);
    let last = tokens.len() - 1;
    for (chunk_no, chunk) in tokens.chunks(PROMPT_BATCH).enumerate() {
        if cancel.is_cancelled() || tx.is_closed() {
            return finish(tx, tokens.len(), 0, FinishReason::Cancelled, "");
        }
        batch.clear();
        for (i, &t) in chunk.iter().enumerate() {
            let pos = chunk_no * PROMPT_BATCH + i;
            batch
                .add(t, pos_i32(pos)?, &[0], pos == last)
                .map_err(|e| gen_err(&e))?;
        }
        ctx.decode(&mut batch).map_err(|e| gen_err(&e))?;
    }

    let mut sampler = sampler(model, req)?;
    let mut utf8 = Utf8Accumulator::default();
    let mut stops = StopMatcher::new(&req.stop);
    let mut pos = tokens.len();
    let mut generated = 0usize;
    let mut logits_at = batch.n_tokens() - 1;
    let room = n_ctx
        .map_or(0, |n| n.get() as usize)
        .saturating_sub(tokens.len());
    let limit = max_new.min(room);
    let mut hit_stop_sequence = false;
    let reason = loop {
        if cancel.is_cancelled() || tx.is_closed() {
            break FinishReason::Cancelled;
        }
        if generated >= limit {
            break FinishReason::Length;
        }
        // `sample` also accepts the token into every stage (the repeat
        // penalty's window, the grammar's state): accepting it again would
        // count it twice and, with a grammar, break the grammar's state.
        let token: LlamaToken = sampler.sample(&ctx, logits_at);
        if vocab.is_eog(token) {
            break FinishReason::Stop;
        }
        generated += 1;
        let text = utf8.push(&vocab.token_to_piece(token, false, None));
        let fed = stops.feed(&text);
        if !fed.emit.is_empty()
            && tx
                .blocking_send(Ok(ProviderEvent::TextDelta(fed.emit)))
                .is_err()
        {
            break FinishReason::Cancelled;
        }
        if fed.stopped {
            hit_stop_sequence = true;
            break FinishReason::Stop;
        }
        batch.clear();
        batch
            .add(token, pos_i32(pos)?, &[0], true)
            .map_err(|e| gen_err(&e))?;
        pos += 1;
        ctx.decode(&mut batch).map_err(|e| gen_err(&e))?;
        logits_at = 0;
    };
    // Flush what the UTF-8 and stop buffers still hold, unless a stop
    // sequence ended the reply: what followed it is not part of the reply.
    let mut tail = String::new();
    if !hit_stop_sequence {
        let rest = utf8.finish();
        tail.push_str(&stops.feed(&rest).emit);
        tail.push_str(&stops.finish());
    }
    finish(tx, tokens.len(), generated, reason, &tail)
}

fn finish(
    tx: &Tx,
    prompt_tokens: usize,
    generated: usize,
    reason: FinishReason,
    tail: &str,
) -> Result<(), ProviderError> {
    if !tail.is_empty() {
        let _ = tx.blocking_send(Ok(ProviderEvent::TextDelta(tail.to_owned())));
    }
    let usage = Usage {
        input_tokens: u32::try_from(prompt_tokens).unwrap_or(u32::MAX),
        output_tokens: u32::try_from(generated).unwrap_or(u32::MAX),
        ..Usage::default()
    };
    // The receiver may be gone already (cancelled): nothing left to tell.
    let _ = tx.blocking_send(Ok(ProviderEvent::Usage(usage)));
    let _ = tx.blocking_send(Ok(ProviderEvent::Finish(reason)));
    Ok(())
}

fn pos_i32(pos: usize) -> Result<i32, ProviderError> {
    i32::try_from(pos).map_err(|_| ProviderError::Generation("position overflow".into()))
}

/// The sampler chain: an optional JSON grammar, repeat penalty, nucleus,
/// temperature, then a seeded draw; temperature 0 means greedy decoding.
///
/// The grammar comes first so that every later stage only ever sees tokens
/// that keep the reply valid JSON (of the schema, when one is given): the
/// embedded model then answers in JSON modes like the remote ones, with no
/// API key. An end-of-generation token is only allowed once the JSON value
/// is complete.
fn sampler(model: &LoadedModel, req: &ProviderRequest) -> Result<LlamaSampler, ProviderError> {
    let mut stages = Vec::with_capacity(5);
    if let Some(format) = &req.response_format {
        stages.push(json_grammar(model, format)?);
    }
    stages.push(LlamaSampler::penalties(
        model.model.n_vocab(),
        PENALTY_WINDOW,
        req.repeat_penalty,
        0.0,
        0.0,
    ));
    if req.temperature <= 0.0 {
        stages.push(LlamaSampler::greedy());
        return Ok(LlamaSampler::chain_simple(stages));
    }
    // llama.cpp seeds are 32-bit; fold the 64-bit seed so every bit counts.
    let seed = req.seed.map_or_else(rand_seed, |s| (s ^ (s >> 32)) as u32);
    stages.extend([
        LlamaSampler::top_p(req.top_p, 1),
        LlamaSampler::temp(req.temperature),
        LlamaSampler::dist(seed),
    ]);
    Ok(LlamaSampler::chain_simple(stages))
}

/// A grammar sampler that admits only JSON: any object for JSON-object
/// mode, or what the schema describes (llama.cpp's own schema-to-grammar
/// converter, so its supported subset is exactly llama.cpp's).
fn json_grammar(
    model: &LoadedModel,
    format: &ResponseFormat,
) -> Result<LlamaSampler, ProviderError> {
    let schema = match format {
        ResponseFormat::JsonObject => serde_json::json!({ "type": "object" }),
        ResponseFormat::JsonSchema { schema, .. } => schema.clone(),
    };
    let grammar = to_grammar(&schema.to_string())?;
    LlamaSampler::grammar(&model.model, &grammar, "root")
        .map_err(|e| ProviderError::BadRequest(format!("the JSON grammar was rejected: {e}")))
}

/// Stack for llama.cpp's schema-to-grammar converter, which recurses once
/// per level of the schema and per `$ref` it follows. Schemas are bounded
/// before they get here (`crate::schema::bounds`); this is the margin should
/// the converter need more than a blocking pool thread's 2 MiB.
const GRAMMAR_STACK_BYTES: usize = 64 * 1024 * 1024;

/// The GBNF grammar of a JSON schema, converted on a thread of its own with
/// [`GRAMMAR_STACK_BYTES`] of stack (reserved, not committed, memory).
fn to_grammar(schema: &str) -> Result<String, ProviderError> {
    let converted = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("pep-grammar".into())
            .stack_size(GRAMMAR_STACK_BYTES)
            .spawn_scoped(scope, || llama_cpp_2::json_schema_to_grammar(schema))
            .map_err(|e| {
                ProviderError::Generation(format!("cannot start the grammar thread: {e}"))
            })?;
        worker
            .join()
            .map_err(|_| ProviderError::Generation("the grammar thread failed".into()))
    })?;
    converted.map_err(|e| {
        ProviderError::BadRequest(format!(
            "the local model cannot turn this JSON schema into a grammar: {e}"
        ))
    })
}

fn rand_seed() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    h.finish() as u32
}
