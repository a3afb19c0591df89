/**
 * drizzle's queries as named prepared statements (db/prepared.ts): a query with parameters is parsed
 * once per connection and then costs one round trip instead of two, in transactions and savepoints too.
 * On both databases.
 */
import { eq, sql } from 'drizzle-orm'
import { expect, it } from 'vitest'
import { rows, type Executor } from '../../db/database.js'
import { channels, shops } from '../../db/schema.js'
import { clientOf } from '../../src/exports/query.js'
import { describeEachDb } from '../support/db.js'

/** how many statements of this connection hold `text` (the statements of other connections are not listed on a server) */
const preparedHolding = async (ex: Executor, text: string) =>
  (await rows<{ n: number }>(ex, sql`select count(*)::int as n from pg_prepared_statements where strpos(statement, ${text}) > 0`))[0].n

describeEachDb('drizzle queries as prepared statements', (get) => {
  it('prepares a query with parameters once per connection, and runs it again from there', async () => {
    await get().db.transaction(async (tx) => {
      // a transaction keeps to one connection
      const shop = (id: string) => tx.select({ id: shops.id }).from(shops).where(eq(shops.id, id))
      expect(await preparedHolding(tx, 'from "shops" where "shops"."id" = $1')).toBe(0)
      expect(await shop('no-such-shop')).toEqual([])
      expect(await shop('nor-this-one')).toEqual([])
      expect(await preparedHolding(tx, 'from "shops" where "shops"."id" = $1')).toBe(1)
      // a savepoint's queries too
      await tx.transaction(async (sp) => {
        expect(await sp.select({ id: channels.id }).from(channels).where(eq(channels.platform, 'nowhere'))).toEqual([])
        expect(await preparedHolding(sp, 'from "channels" where "channels"."platform" = $1')).toBe(1)
      })
    })
  })

  it("keeps an export's query unnamed: planned for its own filters every time", async () => {
    await get().db.transaction(async (tx) => {
      const text = `select count(*)::int as n from orders o where o.shop_id = any($1) and o.create_time >= $2`
      for (let i = 0; i < 2; i++) expect(await clientOf(tx).unsafe(text, [['no-such-shop'], '2026-01-01T00:00:00Z'])).toEqual([{ n: 0 }])
      expect(await preparedHolding(tx, 'where o.shop_id = any($1) and o.create_time >= $2')).toBe(0)
    })
  })
})
