/**
 * drizzle's queries as named prepared statements. drizzle runs each query through postgres.js's
 * `unsafe(text, params, { prepare })` with `prepare` false unless the query was given a name, and an
 * unnamed query with parameters costs the driver two round trips every time: it parses the text and
 * asks for the parameters' types first (Parse, Describe), then binds and runs it. A named statement is
 * parsed once per connection and then costs one round trip (Bind, Execute). postgres.js keeps the
 * statements of a connection by their text, and a connection lives until `max_lifetime` (30–60 min).
 *
 * Planning is PostgreSQL's usual for prepared statements (plan_cache_mode auto): the first five runs
 * are planned for their values, later runs use the generic plan only when it is estimated to cost no
 * more. (Forcing a plan per run instead would re-plan every foreign-key check too, whose queries are
 * prepared statements of the database's own: a 10,000-order sync on the embedded database took half
 * as long again.) An export, whose best plan depends on its date range, stays unnamed (unprepared(),
 * src/exports/query.ts). The embedded database forgets a session's statements when it ends
 * (pglite-session.mjs); a server does so itself.
 */
import type postgres from 'postgres'

type Callback = (sql: postgres.Sql) => unknown

/** what a wrapped client answers with the client it wraps */
const WRAPPED = Symbol('the client as given')

/** The client that preparedStatements() wraps (any other client as it is): its `unsafe` queries stay unnamed. */
export const unprepared = <T extends postgres.Sql>(client: T): T => (client as unknown as Record<symbol, T | undefined>)[WRAPPED] ?? client

/** The client (or a transaction's), with every `unsafe` query prepared, transactions and savepoints included. */
export function preparedStatements<T extends postgres.Sql>(client: T): T {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === WRAPPED) return target
      if (key === 'unsafe') {
        return (text: string, params?: Parameters<T['unsafe']>[1], options?: postgres.UnsafeQueryOptions) =>
          target.unsafe(text, params, { ...options, prepare: true })
      }
      if (key === 'begin' || key === 'savepoint') {
        // begin([options,] callback), savepoint([name,] callback): the callback's client is wrapped too
        const open = Reflect.get(target, key, receiver) as (...args: unknown[]) => unknown
        return (...args: unknown[]) => {
          const callback = args.pop() as Callback
          return open.call(target, ...args, (tx: postgres.Sql) => callback(preparedStatements(tx)))
        }
      }
      return Reflect.get(target, key, receiver)
    },
  })
}
