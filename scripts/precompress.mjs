// Writes .br (quality 11) and .gz (level 9) beside the site's JavaScript,
// WebAssembly and CSS, which the server sends as they are to browsers that
// accept them: far smaller than what on-the-fly compression can afford to
// make per request (pep.wasm: brotli 11 is about a quarter smaller than the
// default level).
//
//   node scripts/precompress.mjs target/site/pkg          write them
//   node scripts/precompress.mjs target/site/pkg --clean  only remove old ones
import { readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const [dir, flag] = process.argv.slice(2);
if (!dir) {
  console.error('usage: precompress.mjs DIR [--clean]');
  process.exit(2);
}
let files;
try {
  files = readdirSync(dir);
} catch {
  process.exit(0); // nothing built yet
}
for (const name of files) {
  if (name.endsWith('.br') || name.endsWith('.gz')) rmSync(join(dir, name));
}
if (flag === '--clean') process.exit(0);
for (const name of files) {
  if (!/\.(wasm|js|css)$/.test(name)) continue;
  const body = readFileSync(join(dir, name));
  const br = brotliCompressSync(body, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
    },
  });
  writeFileSync(join(dir, `${name}.br`), br);
  writeFileSync(join(dir, `${name}.gz`), gzipSync(body, { level: 9 }));
  console.log(`${name}: ${body.length} B, brotli ${br.length} B`);
}
