// Reads streams with the connector transpiled by jco, under Node.js: a second component host.
//
//   node read.mjs <transpiled module.js> <config JSON or config file> <stream>...
//
// Prints one JSON line per record on stdout: {"stream":"tasks","record":{...}}. Streams are read
// in the order given, page by page, threading state and cursor between pages as the reference
// host does (host-harness/src/sync.rs): start with state = none and cursor = none; after each
// page keep page.state if it is set, take page.cursor; the stream is complete when the cursor is
// none. Progress (pages, records) goes to stderr.
//
// A `rate-limited` error is waited out (until its reset) and the same page asked again, a
// `transient` one retried 3 times after 5 s, as the reference host does. Any other connector
// error (or one that keeps coming back) ends the run with exit code 2 and a line on stderr
// naming the error variant and its message, for example `error: stream tasks: auth: ...`.
// Any other failure (the module cannot be loaded, a trap) exits with code 1.

import { readFileSync, existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

function usage() {
  process.stderr.write('usage: node read.mjs <transpiled module.js> <config JSON | config file> <stream>...\n');
  process.exit(64);
}

const [modulePath, configArg, ...streams] = process.argv.slice(2);
if (!modulePath || !configArg || streams.length === 0) usage();

// The config, as JSON text: given inline, or the path of a file that holds it.
const configText = configArg.trimStart().startsWith('{') || !existsSync(configArg)
  ? configArg
  : readFileSync(configArg, 'utf8');
try {
  JSON.parse(configText);
} catch (e) {
  process.stderr.write(`error: the config is not JSON: ${e.message}\n`);
  process.exit(64);
}

// The WIT `error` variant as `<case>: <message>`.
function describe(err) {
  if (err && typeof err === 'object' && typeof err.tag === 'string') {
    const val = err.val;
    if (val && typeof val === 'object') {
      // rate-limited carries a record: {message, resetAtMs?}.
      const reset = val.resetAtMs !== undefined ? ` (resets at ${val.resetAtMs} ms)` : '';
      return `${err.tag}: ${val.message}${reset}`;
    }
    return `${err.tag}: ${val}`;
  }
  return String(err);
}

// jco wraps a `result` error in a ComponentError whose `payload` is the variant; with
// --no-component-error-wrapping the variant itself is thrown. Anything else is not a connector
// error (a trap, a bug) and is rethrown.
function connectorError(e) {
  if (e && typeof e === 'object' && Object.prototype.hasOwnProperty.call(e, 'payload')) return e.payload;
  if (e && typeof e === 'object' && typeof e.tag === 'string' && 'val' in e) return e;
  return undefined;
}

const mod = await import(pathToFileURL(resolve(modulePath)).href);
const source = mod.source ?? mod['connector:source/source@0.2.0'];
if (!source || typeof source.readPage !== 'function') {
  process.stderr.write(`error: ${modulePath} does not export connector:source/source@0.2.0\n`);
  process.exit(1);
}

// The reference host's defaults (SyncOptions in host-harness/src/sync.rs).
const TRANSIENT_RETRIES = 3;
const TRANSIENT_PAUSE_MS = 5_000;
const RATE_LIMIT_RETRIES = 10;
const MAX_RATE_LIMIT_WAIT_MS = 15 * 60_000;
const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

const out = [];
function flush() {
  if (out.length) {
    process.stdout.write(out.join(''));
    out.length = 0;
  }
}

for (const stream of streams) {
  let state; // undefined = none
  let cursor;
  let pages = 0;
  let records = 0;
  for (;;) {
    let page;
    let limited = 0;
    let transient = 0;
    for (;;) {
      try {
        page = source.readPage(configText, stream, state, cursor);
        break;
      } catch (e) {
        const err = connectorError(e);
        if (err === undefined) throw e;
        // As the reference host: wait for a rate limit's reset and ask the same page again;
        // retry a transient failure a few times; stop on anything else.
        if (err.tag === 'rate-limited' && limited < RATE_LIMIT_RETRIES) {
          limited += 1;
          const now = Date.now();
          const reset = err.val.resetAtMs !== undefined ? Number(err.val.resetAtMs) : now + 60_000;
          const wait = Math.min(Math.max(reset - now, 0), MAX_RATE_LIMIT_WAIT_MS);
          process.stderr.write(`stream ${stream}: rate-limited, waiting ${(wait / 1000).toFixed(1)} s\n`);
          await sleep(wait);
          continue;
        }
        if (err.tag === 'transient' && transient < TRANSIENT_RETRIES) {
          transient += 1;
          process.stderr.write(`stream ${stream}: ${describe(err)}; retrying in ${TRANSIENT_PAUSE_MS / 1000} s\n`);
          await sleep(TRANSIENT_PAUSE_MS);
          continue;
        }
        flush();
        process.stderr.write(`error: stream ${stream}: ${describe(err)}\n`);
        process.exit(2);
      }
    }
    pages += 1;
    for (const w of page.warnings) process.stderr.write(`warning: stream ${stream}: ${w}\n`);
    for (const r of page.records) {
      // The record text is spliced in unchanged (no JSON.parse: no loss of precision); raw line
      // breaks can only be whitespace in JSON text, so they are blanked to keep one line a record.
      out.push(`{"stream":${JSON.stringify(stream)},"record":${r.replace(/[\r\n]/g, " ")}}\n`);
    }
    records += page.records.length;
    flush();
    if (page.state !== undefined) state = page.state;
    cursor = page.cursor;
    if (cursor === undefined) break;
  }
  process.stderr.write(`stream ${stream}: ${records} records in ${pages} pages\n`);
}
