import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The release binary serves the built site; each test run gets a fresh data
// folder (its own SQLite database) and the model fetched by the set-up.
const root = resolve(__dirname, '..');
const port = Number(process.env.PEP_E2E_PORT ?? 3217);
// The replay server standing in for the paid APIs (end2end/replay/).
const replayPort = Number(process.env.PEP_E2E_REPLAY_PORT ?? 3218);
const bin = process.env.PEP_BIN ?? join(root, 'target/site-build/release/pep');
const dataDir = mkdtempSync(join(tmpdir(), 'pep-e2e-'));
const model =
  process.env.PEP_MODEL_FILE ?? join(root, 'data/models/SmolLM2-135M-Instruct.Q4_1.gguf');

export const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: './tests',
  timeout: 120_000,
  expect: { timeout: 30_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list']],
  outputDir: 'test-results',
  use: {
    baseURL,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.PEP_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: [
    {
      command: `node replay/server.mjs ${replayPort}`,
      url: `http://127.0.0.1:${replayPort}/v1/models`,
      timeout: 20_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
    },
    {
      command: `"${bin}" --addr 127.0.0.1:${port} --data-dir "${dataDir}"`,
      url: `${baseURL}/readyz`,
      timeout: 60_000,
      reuseExistingServer: false,
      stdout: 'pipe',
      stderr: 'pipe',
      env: {
        LEPTOS_SITE_ROOT: join(root, 'target/site'),
        PEP_MODELS_CONFIG: join(__dirname, 'config/models.yaml'),
        PEP_E2E_REPLAY_URL: `http://127.0.0.1:${replayPort}/v1`,
        PEP_LOCAL_MODEL_PATH: model,
        RUST_LOG: 'warn,pep=info',
      },
    },
  ],
});
