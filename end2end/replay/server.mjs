// The stand-in for the paid APIs in the browser tests: an HTTP server that
// replays recorded provider responses (the same wire format as
// tests/fixtures: status line, headers, blank line, body).
//
// Which recording answers is chosen by a marker in the last user message,
// so a test picks the reply by what it types:
//   [[fixture:openai_chat/reasoning]]  tests/fixtures/openai_chat/reasoning.http
//   [[reply:markdown]]                 end2end/replay/replies/markdown.http
// With no marker, replies/hello.http answers. Event streams are written one
// SSE record at a time, PEP_REPLAY_GAP_MS (default 40) apart, so the page
// visibly streams; a [[gap:MS]] marker sets another gap for that reply. Every request body is kept; GET /__requests returns them
// (the tests check what PEP sent).
//
//   node end2end/replay/server.mjs PORT
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const roots = {
  fixture: normalize(join(here, '../../tests/fixtures')),
  reply: join(here, 'replies'),
};
const port = Number(process.argv[2] ?? 3218);
const gapMs = Number(process.env.PEP_REPLAY_GAP_MS ?? 40);
const seen = [];

/** The recording named by the marker in the request's last user message. */
function recordingFor(body) {
  const text = lastUserText(body);
  const m = /\[\[(fixture|reply):([A-Za-z0-9_\/-]+)\]\]/.exec(text);
  const [kind, name] = m ? [m[1], m[2]] : ['reply', 'hello'];
  const file = normalize(join(roots[kind], `${name}.http`));
  if (!file.startsWith(roots[kind])) throw new Error(`bad recording name ${name}`);
  return readFileSync(file, 'utf8');
}

/** Chat Completions `messages`, Responses `input` or Gemini `contents`. */
function lastUserText(body) {
  const turns = body?.messages ?? body?.input ?? body?.contents ?? [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const t = turns[i];
    if (t.role !== 'user') continue;
    if (typeof t.content === 'string') return t.content;
    const parts = t.content ?? t.parts ?? [];
    return parts.map((p) => p.text ?? '').join('');
  }
  return '';
}

/** Splits a recording into status, headers and SSE records (or one body). */
function parse(recording) {
  const split = recording.indexOf('\n\n');
  const head = recording.slice(0, split).split('\n');
  const body = recording.slice(split + 2);
  const status = Number(head[0].split(' ')[1]);
  const headers = {};
  for (const line of head.slice(1)) {
    const i = line.indexOf(':');
    headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  const sse = (headers['content-type'] ?? '').startsWith('text/event-stream');
  const pieces = sse
    ? body
        .split('\n\n')
        .filter((r) => r.trim() !== '' && !r.startsWith(': replay'))
        .map((r) => `${r}\n\n`)
    : [body];
  return { status, headers, pieces };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

createServer(async (req, res) => {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (req.method === 'GET' && req.url === '/__requests') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(seen));
    return;
  }
  let body = {};
  try {
    body = raw ? JSON.parse(raw) : {};
  } catch {
    body = raw;
  }
  seen.push({ method: req.method, path: req.url, body });
  if (req.method === 'GET') {
    // Model listings (start-up checks of OpenAI-compatible servers).
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ object: 'list', data: [{ id: 'replay', object: 'model' }] }));
    return;
  }
  let recording;
  try {
    recording = parse(recordingFor(body));
  } catch (e) {
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `replay: ${e.message}` } }));
    return;
  }
  const gap = /\[\[gap:(\d+)\]\]/.exec(lastUserText(body));
  const pause = gap ? Number(gap[1]) : gapMs;
  res.writeHead(recording.status, recording.headers);
  let closed = false;
  res.on('close', () => (closed = true));
  for (const piece of recording.pieces) {
    if (closed) return;
    res.write(piece);
    await sleep(pause);
  }
  res.end();
}).listen(port, '127.0.0.1', () => console.log(`replay listening on ${port}`));
