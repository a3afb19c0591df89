/** Test doubles for the core's ports (the shop and the chat are not what is under test here) and setup helpers. */
import type { Database } from '../../db/database.js'
import { createAssistant, type CoreDeps } from '../../src/assistant/index.js'
import type { Actor, ChannelRef, Command } from '../../src/assistant/types.js'
import { createLinkCode } from '../../src/channels/link-codes.js'
import type { ChatPort } from '../../src/notifications/chat-port.js'
import type { NeutralMessage } from '../../src/notifications/message.js'
import type { ChannelInfo } from '../../src/assistant/types.js'
import { ManualClock } from '../../src/shared/clock.js'
import { silentLogger } from '../../src/shared/logger.js'
import type { PlatformCancellation, Reason, ShopPort } from '../../src/shop/port.js'
import { seedShop, uniqueId } from '../support/fixtures.js'
import { importStock } from '../../src/inventory/stock.js'
import { readStockCsv } from '../../src/inventory/stock-file.js'
import type { Db } from '../../db/database.js'

export interface ShopCall {
  method: string
  args: unknown[]
}

/** A ShopPort that records calls; each method's behaviour can be replaced. */
export class RecordingShop implements ShopPort {
  calls: ShopCall[] = []
  reasons: Reason[] = [
    { name: 'reject_reason_a', text: 'Reason A' },
    { name: 'reject_reason_b', text: 'Reason B' },
  ]
  failNext: Error | null = null
  delayMs = 0
  private async rec(method: string, args: unknown[]) {
    this.calls.push({ method, args })
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs))
    if (this.failNext) {
      const e = this.failNext
      this.failNext = null
      throw e
    }
  }
  count(method: string) {
    return this.calls.filter((c) => c.method === method).length
  }
  async searchOrders() {
    return { items: [], nextPageToken: '' }
  }
  async getOrders() {
    return []
  }
  async searchCancellations() {
    return { items: [] as PlatformCancellation[], nextPageToken: '' }
  }
  async approveCancellation(shopId: string, cancelId: string, key: string) {
    await this.rec('approveCancellation', [shopId, cancelId, key])
  }
  async rejectCancellation(shopId: string, cancelId: string, reason: string, comment: string, key: string) {
    await this.rec('rejectCancellation', [shopId, cancelId, reason, comment, key])
  }
  async rejectReasons(shopId: string, cancelId: string) {
    this.calls.push({ method: 'rejectReasons', args: [shopId, cancelId] })
    return this.reasons
  }
  async cancelOrder(shopId: string, orderId: string, reason: string) {
    await this.rec('cancelOrder', [shopId, orderId, reason])
    return { cancelId: uniqueId('4035'), cancelStatus: 'CANCELLATION_REQUEST_COMPLETE' }
  }
  async shippingDocument() {
    return { docUrl: 'http://127.0.0.1/doc.pdf', trackingNumber: 'T1' }
  }
}

export interface Sent {
  op: 'post' | 'edit'
  channelId: number
  messageId: string
  msg: NeutralMessage
}

/** A ChatPort that records what it was asked to send; `fail` decides per call. */
export class RecordingChat implements ChatPort {
  sent: Sent[] = []
  seq = 0
  fail: ((op: 'post' | 'edit', ch: ChannelInfo, msg: NeutralMessage) => Error | null) | null = null
  constructor(readonly platform: ChatPort['platform'] = 'telegram') {}
  async post(ch: ChannelInfo, msg: NeutralMessage) {
    const e = this.fail?.('post', ch, msg)
    if (e) throw e
    const messageId = String(++this.seq)
    this.sent.push({ op: 'post', channelId: ch.id, messageId, msg })
    return { messageId }
  }
  async edit(ch: ChannelInfo, messageId: string, msg: NeutralMessage) {
    const e = this.fail?.('edit', ch, msg)
    if (e) throw e
    this.sent.push({ op: 'edit', channelId: ch.id, messageId, msg })
  }
}

export function coreDeps(database: Database, over: Partial<CoreDeps> = {}): CoreDeps & { clock: ManualClock; shop: RecordingShop } {
  return {
    db: database.db,
    clock: new ManualClock('2026-11-20T08:00:00Z'),
    logger: silentLogger,
    shop: new RecordingShop(),
    defaults: { locale: 'en', timeZone: 'UTC' },
    ...over,
  } as CoreDeps & { clock: ManualClock; shop: RecordingShop }
}

export const actor = (userId: string, over: Partial<Actor> = {}): Actor => ({ platform: 'telegram', userId, displayName: `User ${userId}`, ...over })
export const chan = (externalId = uniqueId('-100'), over: Partial<ChannelRef> = {}): ChannelRef => ({ platform: 'telegram', externalId, title: 'Team', ...over })

/** A shop, and a channel linked to it by `admin` (who becomes its admin). */
export async function linkedSetup(database: Database, deps: CoreDeps, shopOver: Parameters<typeof seedShop>[1] = {}) {
  const shop = await seedShop(database.db, shopOver)
  const assistant = createAssistant(deps)
  const channel = chan()
  const admin = actor(uniqueId('u'))
  const code = await createLinkCode(database.db, shop.id, deps.clock)
  const reply = await assistant.handle(channel, admin, { name: 'link', code })
  if (!reply.ok) throw new Error(`link failed: ${reply.message.title}`)
  const run = (who: Actor, command: Command) => assistant.handle(channel, who, command)
  return { shop, assistant, channel, admin, run, channelId: reply.channel!.id }
}

/** A channel that follows two shops: linkedSetup's (`shop`), then `other`, linked by the same admin. */
export async function twoShopSetup(database: Database, deps: CoreDeps, first: Parameters<typeof seedShop>[1], second: Parameters<typeof seedShop>[1]) {
  const setup = await linkedSetup(database, deps, first)
  const other = await seedShop(database.db, second)
  const reply = await setup.assistant.handle(setup.channel, setup.admin, { name: 'link', code: await createLinkCode(database.db, other.id, deps.clock) })
  if (!reply.ok) throw new Error(`link failed: ${reply.message.title}`)
  return { ...setup, other }
}

/** importStock of a stock file's CSV text, as the CLI and the chats import a file. */
export const importStockCsv = async (db: Db, input: { shopId: string; csv: string; actor: string; actorName?: string; now: Date }) =>
  importStock(db, { ...input, rows: readStockCsv(input.csv) })
