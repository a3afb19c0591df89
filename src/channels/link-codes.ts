/**
 * One-time link codes: printed by the CLI for a shop, typed in a chat as /link CODE. Stored as a
 * SHA-256 hash, single use (the database update that marks it used decides), valid 15 minutes.
 */
import { createHash, randomInt } from 'node:crypto'
import { and, eq, gt, isNull } from 'drizzle-orm'
import type { Db, Executor } from '../../db/database.js'
import { channelShops, linkCodes, shops } from '../../db/schema.js'
import { userError } from '../assistant/user-error.js'
import type { Clock } from '../shared/clock.js'
import { notFound } from '../shared/errors.js'

// No 0/O, 1/I/L: easy to read aloud and type. 10 characters ≈ 49 bits.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789'
const LENGTH = 10

export const normalizeCode = (code: string) => code.trim().toUpperCase().replace(/[\s-]/g, '')
export const hashCode = (code: string) => createHash('sha256').update(normalizeCode(code)).digest('hex')

/** A new code for the shop (shown once; only its hash is stored). */
export async function createLinkCode(db: Db, shopId: string, clock: Clock, ttlMinutes = 15): Promise<string> {
  const [shop] = await db.select({ id: shops.id }).from(shops).where(eq(shops.id, shopId))
  if (!shop) throw notFound(`shop ${shopId} is not known`, { shopId })
  let code = ''
  for (let i = 0; i < LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)]
  const now = clock.now()
  await db.insert(linkCodes).values({ codeHash: hashCode(code), shopId, expiresAt: new Date(now.getTime() + ttlMinutes * 60_000), createdAt: now })
  return code
}

/**
 * Uses a code for the channel: marks it used (once), makes the channel follow the shop.
 * Call in a transaction. Returns the shop id and name.
 */
export async function redeemLinkCode(
  tx: Executor,
  code: string,
  channelId: number,
  linkedBy: string,
  now: Date,
): Promise<{ shopId: string; shopName: string }> {
  const norm = normalizeCode(code)
  if (!/^[A-Z0-9]{4,32}$/.test(norm)) throw userError('bad_input', 'link.bad_code')
  const [used] = await tx
    .update(linkCodes)
    .set({ usedAt: now, usedByChannelId: channelId })
    .where(and(eq(linkCodes.codeHash, hashCode(norm)), isNull(linkCodes.usedAt), gt(linkCodes.expiresAt, now)))
    .returning({ shopId: linkCodes.shopId })
  if (!used) throw userError('bad_input', 'link.bad_code')
  await tx.insert(channelShops).values({ channelId, shopId: used.shopId, linkedBy, linkedAt: now }).onConflictDoNothing()
  const [shop] = await tx.select({ name: shops.name }).from(shops).where(eq(shops.id, used.shopId))
  return { shopId: used.shopId, shopName: shop?.name ?? used.shopId }
}
