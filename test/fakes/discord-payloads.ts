/**
 * Payload builders for the Discord stand-in: users, members, guilds, messages and interactions in
 * the shape the gateway and REST API of Discord v10 deliver them (with the fields discord.js 14 needs).
 */
export const DISCORD_EPOCH = 1420070400000n
let counter = 0n

/** A fresh snowflake id (time-ordered, unique within the process). */
export function snowflake(): string {
  counter = (counter + 1n) & 0xfffn
  return String(((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | (BigInt(process.pid & 0x1f) << 17n) | counter)
}

/** Permission bits the tests use. */
export const Perm = {
  Administrator: 1n << 3n,
  ManageGuild: 1n << 5n,
  ViewChannel: 1n << 10n,
  SendMessages: 1n << 11n,
  EmbedLinks: 1n << 14n,
  AttachFiles: 1n << 15n,
  ReadMessageHistory: 1n << 16n,
  UseApplicationCommands: 1n << 31n,
} as const

export const MEMBER_PERMISSIONS = Perm.ViewChannel | Perm.SendMessages | Perm.ReadMessageHistory | Perm.UseApplicationCommands
export const BOT_PERMISSIONS = MEMBER_PERMISSIONS | Perm.EmbedLinks | Perm.AttachFiles

export interface ApiUser {
  id: string
  username: string
  global_name: string | null
  discriminator: string
  avatar: string | null
  bot?: boolean
}

export function user(id: string, username: string, over: Partial<ApiUser> = {}): ApiUser {
  return { id, username, global_name: username, discriminator: '0', avatar: null, ...over }
}

export interface StandInGuild {
  id: string
  name: string
  locale: string
  ownerId: string
  channels: { id: string; name: string }[]
  roles: { id: string; name: string; permissions: bigint }[]
}

/** The GUILD_CREATE payload of a guild the bot is in. */
export function guildCreate(g: StandInGuild, bot: ApiUser, joinedAt = new Date().toISOString()) {
  return {
    id: g.id,
    name: g.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    banner: null,
    description: null,
    owner_id: g.ownerId,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    nsfw_level: 0,
    premium_tier: 0,
    premium_subscription_count: 0,
    premium_progress_bar_enabled: false,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    public_updates_channel_id: null,
    safety_alerts_channel_id: null,
    application_id: null,
    vanity_url_code: null,
    widget_enabled: false,
    features: [],
    preferred_locale: g.locale,
    max_members: 500000,
    max_video_channel_users: 25,
    joined_at: joinedAt,
    large: false,
    unavailable: false,
    member_count: 2,
    roles: [
      {
        id: g.id,
        name: '@everyone',
        permissions: String(MEMBER_PERMISSIONS),
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        icon: null,
        unicode_emoji: null,
        flags: 0,
      },
      ...g.roles.map((r, i) => ({
        id: r.id,
        name: r.name,
        permissions: String(r.permissions),
        position: i + 1,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        icon: null,
        unicode_emoji: null,
        flags: 0,
      })),
    ],
    channels: g.channels.map((c, i) => ({
      id: c.id,
      type: 0,
      guild_id: g.id,
      name: c.name,
      position: i,
      parent_id: null,
      topic: null,
      nsfw: false,
      last_message_id: null,
      rate_limit_per_user: 0,
      permission_overwrites: [],
      flags: 0,
    })),
    members: [{ user: bot, roles: [], joined_at: joinedAt, deaf: false, mute: false, flags: 0, nick: null, avatar: null }],
    voice_states: [],
    presences: [],
    threads: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
    emojis: [],
    stickers: [],
  }
}

/** Who acts in an interaction: a guild member with permissions and roles, or a DM user. */
export interface InteractionActor {
  user: ApiUser
  /** guild member permissions (omit for a DM) */
  permissions?: bigint
  roles?: string[]
  dm?: boolean
}

export function memberOf(actor: InteractionActor) {
  return {
    user: actor.user,
    roles: actor.roles ?? [],
    permissions: String(actor.permissions ?? MEMBER_PERMISSIONS),
    joined_at: '2025-01-01T00:00:00.000Z',
    deaf: false,
    mute: false,
    flags: 0,
    nick: null,
    avatar: null,
    pending: false,
    premium_since: null,
    communication_disabled_until: null,
  }
}

/**
 * A file a user attaches to a slash command (an Attachment option). The stand-in keeps it as
 * Discord's CDN does and serves it at the attachment's `url`.
 */
export interface UploadSpec {
  filename: string
  data: Buffer | Uint8Array | string
  /** default: from the file name (text/csv, the xlsx type) or application/octet-stream */
  contentType?: string
  /** the size Discord reports in the interaction (default: the data's length) */
  size?: number
  /** answer the download with this status and no file (404: the link expired or was deleted) */
  status?: number
  /** send a Content-Length header, as the CDN does (default true; false: chunked) */
  contentLength?: boolean
  /** send the headers and the first chunk, then nothing more (the download hangs) */
  stall?: boolean
}

/**
 * A slash-command option as Discord sends it (typed: 3 string, 4 integer, 5 boolean, 6 user,
 * 10 number, 11 attachment). An attachment is given as `upload`; the stand-in turns it into the
 * attachment id (the option's value) and `data.resolved.attachments`.
 */
export interface CommandOption {
  name: string
  type: number
  value?: string | number | boolean
  options?: CommandOption[]
  focused?: boolean
  upload?: UploadSpec
}

export const Opt = {
  string: (name: string, value: string, focused?: boolean): CommandOption => ({ name, type: 3, value, ...(focused ? { focused } : {}) }),
  integer: (name: string, value: number): CommandOption => ({ name, type: 4, value }),
  number: (name: string, value: number): CommandOption => ({ name, type: 10, value }),
  boolean: (name: string, value: boolean): CommandOption => ({ name, type: 5, value }),
  user: (name: string, id: string): CommandOption => ({ name, type: 6, value: id }),
  attachment: (name: string, upload: UploadSpec): CommandOption => ({ name, type: 11, upload }),
  sub: (name: string, options: CommandOption[] = []): CommandOption => ({ name, type: 1, options }),
}
