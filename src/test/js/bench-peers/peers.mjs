// Measures p2p-sync's peers on the rows of RestSyncBenchmark, in one process, one peer after the other:
//   - PouchDB (leveldb adapter, on disk in a temp dir) replicating one-shot to a pouchdb-server that this
//     script starts as a child process on 127.0.0.1 (leveldb too, its own temp dir);
//   - cr-sqlite (the wasm build, in-memory databases): plain and CRR insert rates, then A -> B through
//     crsql_changes, whole and incremental.
// Usage: node peers.mjs [--rows 100000] [--changed 1000]
// Progress goes to stderr; the last stdout line is one JSON object with the figures. A peer that fails is
// reported as null with its error beside it ("pouchdbError", "crsqliteError"); the other is still measured.
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const require = createRequire(import.meta.url);

const { values: args } = parseArgs({
  options: {
    rows: { type: "string", default: "100000" },
    changed: { type: "string", default: "1000" },
  },
});
const ROWS = Number.parseInt(args.rows, 10);
const CHANGED = Math.min(Number.parseInt(args.changed, 10), ROWS);
/** PouchDB's own default, spelled out so the figures say what they measured. */
const POUCH_BATCH_SIZE = 100;
/** Docs per bulkDocs call while filling the local PouchDB (set-up, not measured as sync). */
const POUCH_WRITE_CHUNK = 5_000;
/** Rows inserted into a throwaway cr-sqlite database before any clock starts. */
const WARM_UP_ROWS = 20_000;

const key = (i) => `key-${i}`;
const value = (i, version) => `value ${i} ${version} ${"x".repeat(40)}`;
const seconds = (start) => (performance.now() - start) / 1000;
const millis = (start) => performance.now() - start;
const log = (line) => process.stderr.write(`${line}\n`);

function check(condition, message) {
  if (!condition) {
    throw new Error(`check failed: ${message}`);
  }
}

/** The version of the package that `from` (a require function) would load under that name. */
function packageVersion(name, from = require) {
  for (const dir of from.resolve.paths(name)) {
    const file = path.join(dir, name, "package.json");
    if (existsSync(file)) {
      return JSON.parse(readFileSync(file, "utf8")).version;
    }
  }
  throw new Error(`${name} is not installed`);
}

/** A port that was free a moment ago: the kernel picks it, the listener is closed again. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Starts pouchdb-server on 127.0.0.1 in its own process and temp dir; resolves once it answers HTTP. */
async function startPouchServer(dir) {
  const port = await freePort();
  const bin = require.resolve("pouchdb-server/bin/pouchdb-server");
  // A log line per request (to its log file) is not what is measured here: warnings and errors only.
  const config = path.join(dir, "config.json");
  await writeFile(config, JSON.stringify({ log: { level: "warning" } }));
  const child = spawn(process.execPath, [bin, "--host", "127.0.0.1", "--port", String(port), "--dir", dir,
    "--config", config, "-n", "--no-color"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const forward = (chunk) => String(chunk).split("\n").filter((l) => l.trim())
    .forEach((l) => log(`pouchdb-server: ${l}`));
  child.stdout.on("data", forward);
  child.stderr.on("data", forward);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      throw new Error(`pouchdb-server exited with ${child.exitCode} before answering`);
    }
    try {
      const res = await fetch(`${url}/`);
      if (res.ok) {
        return { child, url, welcome: await res.json() };
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`pouchdb-server did not answer on ${url} within 60 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measurePouch(tmp) {
  const { default: PouchDB } = await import("pouchdb");
  const server = await startPouchServer(await mkdtemp(path.join(tmp, "pouchdb-server-")));
  try {
    const local = new PouchDB(path.join(tmp, "pouch-local"));
    const remote = new PouchDB(`${server.url}/bench`);
    await remote.info(); // creates the target database before the clock starts
    const ts = new Date().toISOString();

    let start = performance.now();
    for (let from = 0; from < ROWS; from += POUCH_WRITE_CHUNK) {
      const docs = [];
      for (let i = from; i < Math.min(ROWS, from + POUCH_WRITE_CHUNK); i++) {
        docs.push({ _id: key(i), value: value(i, "v1"), timestamp: ts });
      }
      const results = await local.bulkDocs(docs);
      check(results.every((r) => r.ok), "bulkDocs wrote every doc");
    }
    const localWriteSeconds = seconds(start);
    log(`pouchdb: wrote ${ROWS} docs locally (${local.adapter}) in ${localWriteSeconds.toFixed(1)} s`);

    start = performance.now();
    const initial = await PouchDB.replicate(local, remote, { batch_size: POUCH_BATCH_SIZE });
    const initialSeconds = seconds(start);
    check(initial.ok && initial.docs_written === ROWS, `initial replication wrote ${initial.docs_written} of ${ROWS}`);
    const afterInitial = await remote.info();
    check(afterInitial.doc_count === ROWS, `server holds ${afterInitial.doc_count} docs, expected ${ROWS}`);
    log(`pouchdb: initial replication of ${ROWS} docs in ${initialSeconds.toFixed(2)} s`);

    const keys = Array.from({ length: CHANGED }, (_, i) => key(i));
    const current = await local.allDocs({ keys, include_docs: true });
    const changedDocs = current.rows.map((r, i) => ({ ...r.doc, value: value(i, "v2"), timestamp: ts }));
    check((await local.bulkDocs(changedDocs)).every((r) => r.ok), "bulkDocs changed every doc");

    start = performance.now();
    const incremental = await PouchDB.replicate(local, remote, { batch_size: POUCH_BATCH_SIZE });
    const incrementalMs = millis(start);
    check(incremental.ok && incremental.docs_written === CHANGED,
      `incremental replication wrote ${incremental.docs_written} of ${CHANGED}`);
    const afterIncremental = await remote.info();
    check(afterIncremental.doc_count === ROWS, `server holds ${afterIncremental.doc_count} docs, expected ${ROWS}`);
    const onServer = await remote.allDocs({ keys, include_docs: true });
    check(onServer.rows.every((r, i) => r.doc && r.doc.value === value(i, "v2")), "server holds every changed doc");
    log(`pouchdb: incremental replication of ${CHANGED} docs in ${incrementalMs.toFixed(1)} ms`);

    const clientRequire = createRequire(require.resolve("pouchdb"));
    const serverRequire = createRequire(require.resolve("pouchdb-server"));
    const figures = {
      initialSeconds,
      initialDocsPerSecond: ROWS / initialSeconds,
      incrementalMs,
      localWriteSeconds,
      version: `pouchdb ${PouchDB.version} (leveldown ${packageVersion("leveldown", clientRequire)}),`
        + ` pouchdb-server ${server.welcome.version} (pouchdb-core ${packageVersion("pouchdb-core", serverRequire)},`
        + ` leveldown ${packageVersion("leveldown", createRequire(serverRequire.resolve("pouchdb-adapter-leveldb")))})`,
      adapter: `client ${local.adapter} on disk; server ${afterInitial.backend_adapter ?? "leveldb"} on disk,`
        + " child process on 127.0.0.1",
      batchSize: POUCH_BATCH_SIZE,
    };
    await local.close();
    await remote.close();
    return figures;
  } finally {
    server.child.kill();
  }
}

/**
 * Loads the wasm build of cr-sqlite in Node. Two shims, both for browser-only paths of that build: its
 * loader fetches crsqlite.wasm with fetch(), which Node does not do for file: URLs, so those are read from
 * disk; and its start-up registers an IndexedDB VFS, so indexedDB.open gets a request that never completes
 * (only in-memory databases are opened here, which never touch that VFS).
 */
async function loadCrsqlite() {
  const nodeFetch = globalThis.fetch;
  globalThis.fetch = async (url, init) => (String(url).startsWith("file:")
    ? new Response(await readFile(new URL(url)), { headers: { "content-type": "application/wasm" } })
    : nodeFetch(url, init));
  globalThis.indexedDB = { open: () => ({ addEventListener() {} }) };
  const { default: initWasm } = await import("@vlcn.io/crsqlite-wasm");
  const wasm = require.resolve("@vlcn.io/crsqlite-wasm/crsqlite.wasm");
  return initWasm(() => new URL(`file://${wasm}`).href);
}

// sync_kv's columns; cr-sqlite refuses a NOT NULL column without a default in a CRR, hence DEFAULT ''.
const KV_SCHEMA = "CREATE TABLE kv (key TEXT PRIMARY KEY NOT NULL, value TEXT, timestamp TEXT NOT NULL DEFAULT '')";
const CHANGES_COLUMNS = `"table", pk, cid, val, col_version, db_version, site_id, cl, seq`;

/** Inserts rows 0..count-1 in one transaction through one prepared statement; answers rows/s. */
async function insertRows(db, ts, count) {
  const start = performance.now();
  await db.tx(async (tx) => {
    const stmt = await tx.prepare("INSERT INTO kv (key, value, timestamp) VALUES (?, ?, ?)");
    for (let i = 0; i < count; i++) {
      await stmt.run(tx, key(i), value(i, "v1"), ts);
    }
    await stmt.finalize(tx);
  });
  return count / seconds(start);
}

/** Writes change rows (arrays in CHANGES_COLUMNS order) into db's crsql_changes in one transaction. */
async function applyChanges(db, changes, seen) {
  await db.tx(async (tx) => {
    const stmt = await tx.prepare(`INSERT INTO crsql_changes (${CHANGES_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    for (const change of changes) {
      await stmt.run(tx, ...change);
    }
    await stmt.finalize(tx);
    await tx.exec("INSERT OR REPLACE INTO peer_cursor (peer, db_version) VALUES ('a', ?)", [seen]);
  });
}

async function checkReplica(a, b, expectChanged) {
  const summary = "SELECT count(*), sum(length(value)), sum(value LIKE '% v2 %'), min(value), max(value) FROM kv";
  const [[onA], [onB]] = [await a.execA(summary), await b.execA(summary)];
  check(onB[0] === ROWS, `B holds ${onB[0]} rows, expected ${ROWS}`);
  check(onB[2] === expectChanged, `B holds ${onB[2]} changed rows, expected ${expectChanged}`);
  check(JSON.stringify(onA) === JSON.stringify(onB), `B ${JSON.stringify(onB)} differs from A ${JSON.stringify(onA)}`);
}

async function measureCrsqlite() {
  const sqlite = await loadCrsqlite();
  const ts = new Date().toISOString();

  // V8 compiles the wasm and the JS around each call in tiers over the first thousands of calls: warm
  // both up first, or the plain table, measured first, would pay for it alone.
  const warm = await sqlite.open();
  await warm.exec(KV_SCHEMA);
  await insertRows(warm, ts, Math.min(ROWS, WARM_UP_ROWS));
  await warm.close();

  const plain = await sqlite.open();
  await plain.exec(KV_SCHEMA);
  const rawInsertRowsPerSecond = await insertRows(plain, ts, ROWS);
  const [[sqliteVersion]] = await plain.execA("SELECT sqlite_version()");
  await plain.close();
  log(`crsqlite: plain insert ${rawInsertRowsPerSecond.toFixed(0)} rows/s`);

  const a = await sqlite.open();
  const b = await sqlite.open();
  for (const db of [a, b]) {
    await db.exec(KV_SCHEMA);
    await db.exec("SELECT crsql_as_crr('kv')");
  }
  await b.exec("CREATE TABLE peer_cursor (peer TEXT PRIMARY KEY, db_version INTEGER NOT NULL)");
  const crrInsertRowsPerSecond = await insertRows(a, ts, ROWS);
  log(`crsqlite: CRR insert ${crrInsertRowsPerSecond.toFixed(0)} rows/s`);

  let start = performance.now();
  const all = await a.execA(`SELECT ${CHANGES_COLUMNS} FROM crsql_changes`);
  const readSeconds = seconds(start);
  const seen = all.reduce((max, change) => Math.max(max, change[5]), 0);
  await applyChanges(b, all, seen);
  const initialSeconds = seconds(start);
  await checkReplica(a, b, 0);
  log(`crsqlite: initial A -> B of ${ROWS} rows (${all.length} change rows) in ${initialSeconds.toFixed(2)} s`);

  await a.tx(async (tx) => {
    const stmt = await tx.prepare("UPDATE kv SET value = ? WHERE key = ?");
    for (let i = 0; i < CHANGED; i++) {
      await stmt.run(tx, value(i, "v2"), key(i));
    }
    await stmt.finalize(tx);
  });

  start = performance.now();
  const [[since]] = await b.execA("SELECT db_version FROM peer_cursor WHERE peer = 'a'");
  const delta = await a.execA(`SELECT ${CHANGES_COLUMNS} FROM crsql_changes WHERE db_version > ?`, [since]);
  await applyChanges(b, delta, delta.reduce((max, change) => Math.max(max, change[5]), since));
  const incrementalMs = millis(start);
  check(delta.length === CHANGED, `incremental read ${delta.length} change rows, expected ${CHANGED}`);
  await checkReplica(a, b, CHANGED);
  log(`crsqlite: incremental A -> B of ${CHANGED} rows in ${incrementalMs.toFixed(1)} ms`);

  await a.close();
  await b.close();
  return {
    rawInsertRowsPerSecond,
    crrInsertRowsPerSecond,
    initialSeconds,
    initialRowsPerSecond: ROWS / initialSeconds,
    initialChangeRows: all.length,
    changesPerSecond: all.length / initialSeconds,
    changesReadSeconds: readSeconds,
    incrementalMs,
    incrementalChangeRows: delta.length,
    version: `@vlcn.io/crsqlite-wasm ${packageVersion("@vlcn.io/crsqlite-wasm")} (wa-sqlite`
      + ` ${packageVersion("@vlcn.io/wa-sqlite", createRequire(require.resolve("@vlcn.io/crsqlite-wasm")))}),`
      + ` SQLite ${sqliteVersion}`,
    build: "wasm",
    storage: "in-memory databases (:memory:), A and B in this one process",
  };
}

/** Runs one peer's measurement; a failure is logged and reported, not thrown. */
async function attempt(name, measure, result) {
  log(`${name}: measuring ${ROWS} rows, ${CHANGED} changed`);
  try {
    result[name] = await measure();
  } catch (e) {
    log(`${name}: failed: ${e.stack ?? e}`);
    result[name] = null;
    result[`${name}Error`] = String(e.message ?? e);
  }
}

const tmp = await mkdtemp(path.join(os.tmpdir(), "p2psync-bench-peers-"));
const result = { rows: ROWS, changed: CHANGED, node: { version: process.version, loadavgStart: os.loadavg() } };
try {
  await attempt("pouchdb", () => measurePouch(tmp), result);
  await attempt("crsqlite", measureCrsqlite, result);
} finally {
  await rm(tmp, { recursive: true, force: true });
}
result.node.loadavgEnd = os.loadavg();
process.stdout.write(`${JSON.stringify(result)}\n`);
// pouchdb-server and leveldb handles may keep the event loop alive after the figures are out.
process.exit(0);
