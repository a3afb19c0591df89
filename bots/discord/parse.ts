/**
 * Discord input → the core's neutral types: the actor, the channel and the command.
 * Syntax only; the core validates values and decides who may do what.
 */
import { PermissionFlagsBits, type BaseInteraction, type ChatInputCommandInteraction } from 'discord.js'
import type { Actor, ChannelRef, Command } from '../../src/assistant/types.js'
import { incomingFile } from './download.js'

/** Discord's default upload limit when the interaction does not say (10 MiB). */
export const DEFAULT_UPLOAD_LIMIT = 10 * 1024 * 1024

/** Who acted. Manage Server (or Administrator) or the configured operator role makes a platform operator. */
export function actorOf(i: BaseInteraction, operatorRole?: string): Actor {
  const u = i.user
  const member = i.member
  let platformOperator = Boolean(i.memberPermissions?.has(PermissionFlagsBits.ManageGuild))
  if (!platformOperator && operatorRole && member) {
    const roleIds: string[] = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()]
    const wanted = operatorRole.trim().toLowerCase()
    platformOperator = roleIds.some((id) => {
      if (id === operatorRole.trim()) return true
      const name = i.guild?.roles.cache.get(id)?.name
      return name !== undefined && name.toLowerCase() === wanted
    })
  }
  const displayName =
    (member && 'displayName' in member ? member.displayName : undefined) ?? u.globalName ?? u.username
  return { platform: 'discord', userId: u.id, displayName, platformOperator }
}

/** Where it happened: the channel, with the guild's locale and the interaction's upload limit. */
export function channelOf(i: BaseInteraction): ChannelRef {
  const channelName = i.channel && 'name' in i.channel ? i.channel.name : undefined
  return {
    platform: 'discord',
    externalId: i.channelId ?? '',
    title: [i.guild?.name, channelName ? `#${channelName}` : undefined].filter(Boolean).join(' ') || undefined,
    localeHint: i.guildLocale ?? i.locale,
    uploadLimitBytes: i.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT,
    commandForm: 'options',
  }
}

const str = (i: ChatInputCommandInteraction, name: string) => i.options.getString(name)?.trim() || undefined
const int = (i: ChatInputCommandInteraction, name: string) => i.options.getInteger(name) ?? undefined

/** A slash command → a core command, or null for a name this bot does not know. */
export function commandOf(i: ChatInputCommandInteraction): Command | null {
  switch (i.commandName) {
    case 'help':
      return { name: 'help' }
    case 'status':
      return { name: 'status' }
    case 'link':
      return { name: 'link', code: i.options.getString('code', true).trim() }
    case 'unlink':
      return { name: 'unlink', shop: i.options.getString('shop', true).trim() }
    case 'orders':
      return { name: 'orders', status: str(i, 'status') }
    case 'order':
      return { name: 'order', orderId: i.options.getString('id', true).trim() }
    case 'export': {
      // a named range goes to the exports core as the word it is (filters.ts places it)
      const range = str(i, 'range')
      return {
        name: 'export',
        args: {
          ...(range ? { words: [range] } : {}),
          status: str(i, 'status'),
          time: str(i, 'time'),
          from: str(i, 'from'),
          to: str(i, 'to'),
          template: str(i, 'template'),
          format: str(i, 'format'),
          shop: str(i, 'shop'),
        },
      }
    }
    case 'late':
      return { name: 'late', hours: int(i, 'hours') }
    case 'stock': {
      // a stock file is fetched by the core through read(), once the member may change stock
      const file = i.options.getAttachment('file')
      const sheet = str(i, 'export')
      return { name: 'stock', sku: str(i, 'sku'), quantity: int(i, 'quantity'), adjust: int(i, 'add'), ...(file ? { file: incomingFile(file) } : {}), ...(sheet ? { sheet } : {}), shop: str(i, 'shop') }
    }
    case 'role': {
      const target = i.options.getUser('user', true)
      const member = i.options.getMember('user')
      const displayName = (member && 'displayName' in member ? member.displayName : undefined) ?? target.globalName ?? target.username
      const sub = i.options.getSubcommand(true)
      if (sub === 'grant') return { name: 'grant', target: { userId: target.id, displayName }, role: i.options.getString('role', true) }
      if (sub === 'revoke') return { name: 'revoke', target: { userId: target.id, displayName } }
      return null
    }
    case 'settings':
      return { name: 'settings', language: str(i, 'language'), timeZone: str(i, 'timezone'), thresholds: str(i, 'thresholds'), daily: str(i, 'daily') }
    case 'picklist':
      return { name: 'picklist' }
    case 'label':
      return { name: 'label', orderId: i.options.getString('id', true).trim() }
    case 'mark':
      return { name: 'mark', orderId: i.options.getString('id', true).trim(), step: i.options.getString('step', true) }
    case 'cancel':
      return { name: 'cancel_order', orderId: i.options.getString('id', true).trim() }
    default:
      return null
  }
}
