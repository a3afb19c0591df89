/** What every command handler receives, and the dependencies of the core. */
import type { Db } from '../../db/database.js'
import type { Translate } from '../i18n/index.js'
import type { Clock } from '../shared/clock.js'
import type { Logger } from '../shared/logger.js'
import type { ShopPort } from '../shop/port.js'
import type { Actor, ChannelInfo, Command, CommandName, Locale, Reply, Role } from './types.js'

export interface CoreDeps {
  db: Db
  clock: Clock
  logger: Logger
  shop: ShopPort
  defaults: { locale: Locale; timeZone: string }
  /** handlers supplied by other modules (export, picklist, label, late); they win over built-ins */
  handlers?: Partial<Record<CommandName, CommandHandler>>
  /** called after a command wrote outbox rows, so the dispatcher sends them now */
  kick?: () => void
}

export interface CommandContext {
  deps: CoreDeps
  channel: ChannelInfo
  /** the channel's stored title, thresholds and digest size */
  channelSettings: { title: string; warnThresholdsMinutes: number[]; digestThreshold: number; uploadLimitBytes: number | null }
  actor: Actor
  /** platform:userId */
  actorKey: string
  role: Role | null
  /** shops the channel follows */
  shopIds: string[]
  t: Translate
  /** throws `forbidden` (with a message saying who may) when the actor's role is below `role` */
  require(role: Role): void
  /** throws when the channel follows no shop yet */
  requireLinked(): void
  /** how members give a command's values here (ChannelRef.commandForm) */
  commandForm: 'typed' | 'options'
  /** progress of long work (exports), when the adapter asked for it */
  onProgress?: (done: number, total: number) => void
}

export type CommandHandler<C extends Command = Command> = (ctx: CommandContext, command: C) => Promise<Reply>
