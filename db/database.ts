/**
 * Database factory: embedded PGlite (no DATABASE_URL) or a PostgreSQL server (DATABASE_URL).
 * Both are reached through the same driver (postgres.js) and the same drizzle `Db` type, so every
 * query is written once. PGlite runs in a worker thread, reached over a MessagePort (port-socket.ts, pglite-worker.mjs).
 */
import { mkdirSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MessageChannel, Worker } from 'node:worker_threads'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'
import postgres from 'postgres'
import { PortSocket } from './port-socket.js'
import { preparedStatements } from './prepared.js'
import * as schema from './schema.js'

export type Schema = typeof schema
export type Db = PostgresJsDatabase<Schema>
/** A transaction handle: same query API as Db. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0]
/** Anything you can run a query on: the database or an open transaction. */
export type Executor = Db | Tx

export interface Database {
  db: Db
  sql: postgres.Sql
  kind: 'pglite' | 'postgres'
  /** PostgreSQL only: the connection URL */
  url?: string
  /** PGlite only: the data directory as a tarball (used to clone a migrated test database). */
  dump(): Promise<Uint8Array>
  /** PGlite only: the embedded database thread's CPU time so far (ms), for benchmarks; null on PostgreSQL */
  cpuMs(): Promise<number | null>
  close(): Promise<void>
}

export interface OpenOptions {
  /** postgres://… ; when absent, embedded PGlite is used */
  url?: string
  /** PGlite data folder; 'memory://' for an in-memory database */
  dataDir?: string
  /** PGlite: start from this dumped data dir (tarball) */
  loadDataDir?: Uint8Array
  /** pool size for PostgreSQL (default 10) */
  max?: number
}

export async function openDatabase(opts: OpenOptions): Promise<Database> {
  if (opts.url) return openPostgres(opts.url, opts.max ?? 10)
  return openPglite(opts.dataDir ?? 'memory://', opts.loadDataDir)
}

/** the drizzle handles of embedded databases (oneTransactionAtATime) */
const embedded = new WeakSet<object>()

/**
 * Whether no other transaction can run beside one on `db`: the embedded database is one backend
 * (PGlite), whose sessions take turns a whole transaction at a time (pglite-session.mjs). A write
 * that names only rows it writes or holds may then leave out PostgreSQL's row-by-row foreign-key
 * checks (writePrepared, src/orders/ingest-page.ts).
 */
export const oneTransactionAtATime = (db: Db) => embedded.has(db)

function wrap(client: postgres.Sql, kind: Database['kind'], extra: Partial<Database>): Database {
  // drizzle's queries as named prepared statements: one round trip each instead of two (prepared.ts)
  const db = drizzle({ client: preparedStatements(client), schema })
  if (kind === 'pglite') embedded.add(db)
  return {
    db,
    sql: client,
    kind,
    url: extra.url,
    dump: extra.dump ?? (async () => { throw new Error('dump is only available on PGlite') }),
    cpuMs: extra.cpuMs ?? (async () => null),
    close: extra.close ?? (async () => { await client.end({ timeout: 5 }) }),
  }
}

async function openPostgres(url: string, max: number): Promise<Database> {
  const client = postgres(url, { max, onnotice: () => {}, connect_timeout: 10 })
  await client`select 1`
  return wrap(client, 'postgres', { url })
}

/**
 * PGlite's WebAssembly modules, compiled once per process and handed to every database worker (a
 * compiled module crosses threads without compiling again). V8 keeps a module's code in one place for
 * all its instances, so what one worker has optimised (the hot functions, compiled again by its
 * optimising tier while a first sync runs) serves the workers after it, instead of each compiling
 * all of it anew: a process that opens several databases (the tests, the benchmarks) does it once.
 */
let compiledModules: Promise<{ pgliteWasmModule: WasmModule; initdbWasmModule: WasmModule }> | undefined
/** a compiled WebAssembly.Module, only handed on (this project's type library has no WebAssembly values) */
type WasmModule = object
const { compile } = (globalThis as unknown as { WebAssembly: { compile(bytes: Uint8Array): Promise<WasmModule> } }).WebAssembly
function pgliteModules() {
  compiledModules ??= (async () => {
    const entry = pathToFileURL(createRequire(import.meta.url).resolve('@electric-sql/pglite'))
    const compiled = async (name: string) => compile(await readFile(new URL(name, entry)))
    const [pgliteWasmModule, initdbWasmModule] = await Promise.all([compiled('pglite.wasm'), compiled('initdb.wasm')])
    return { pgliteWasmModule, initdbWasmModule }
  })()
  // a failure is not kept: the next database opened tries again
  compiledModules.catch(() => (compiledModules = undefined))
  return compiledModules
}

async function openPglite(dataDir: string, loadDataDir?: Uint8Array): Promise<Database> {
  if (!dataDir.includes('://')) mkdirSync(resolve(dataDir), { recursive: true })
  const worker = new Worker(new URL('./pglite-worker.mjs', import.meta.url), {
    workerData: { dataDir: dataDir.includes('://') ? dataDir : resolve(dataDir), loadDataDir, ...(await pgliteModules()) },
  })
  await new Promise<void>((ok, fail) => {
    worker.once('error', fail)
    worker.once('message', () => ok())
  })
  worker.on('error', (err) => console.error(`embedded database worker failed: ${err.message}`))
  let seq = 0
  const call = <T>(type: string): Promise<T> =>
    new Promise((ok, fail) => {
      const id = ++seq
      const onMsg = (m: { id?: number; type: string; data?: T; message?: string }) => {
        if (m.id !== id) return
        worker.off('message', onMsg)
        if (m.type === 'error') fail(new Error(m.message))
        else ok(m.data as T)
      }
      worker.on('message', onMsg)
      worker.postMessage({ type, id })
    })
  // each connection is a session of the worker over its own MessagePort (port-socket.ts): postgres.js
  // takes a `socket` factory (connection.js), which its option types do not declare
  const socket = () => {
    const { port1, port2 } = new MessageChannel()
    worker.postMessage({ type: 'connect', port: port2 }, [port2])
    return new PortSocket(port1)
  }
  // PGlite is one session: a single connection keeps transactions from interleaving.
  const options = { socket, user: 'postgres', database: 'postgres', max: 1, onnotice: () => {}, idle_timeout: 0 }
  const client = postgres(options as postgres.Options<Record<string, never>>)
  let closed = false
  return wrap(client, 'pglite', {
    dump: () => call<Uint8Array>('dump'),
    cpuMs: () => call<number>('cpu'),
    close: async () => {
      if (closed) return
      closed = true
      await client.end({ timeout: 5 })
      await call('close').catch(() => {})
      await worker.terminate()
    },
  })
}

/** Rows of a raw `sql` query on either driver. */
export async function rows<T = Record<string, unknown>>(
  exec: Executor,
  query: Parameters<Db['execute']>[0],
): Promise<T[]> {
  const res = (await exec.execute(query)) as unknown
  if (Array.isArray(res)) return res as T[]
  return ((res as { rows?: T[] }).rows ?? []) as T[]
}
