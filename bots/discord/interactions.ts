/**
 * Interaction handlers: acknowledge at once (defer), call the core, then edit or follow up.
 * Refusals and failures are ephemeral; a throw in one handler is caught, logged and answered,
 * and never reaches discord.js (so it cannot stop the bot).
 */
import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import {
  MessageFlags,
  type AutocompleteInteraction,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  type Interaction,
  type InteractionEditReplyOptions,
  type InteractionReplyOptions,
  type ModalSubmitInteraction,
  type StringSelectMenuInteraction,
} from 'discord.js'
import type { Actor, Assistant, ChannelRef, Command, OutgoingFile, Reply, SuggestField, Suggestion } from '../../src/assistant/types.js'
import { decodeAction } from '../../src/notifications/actions.js'
import { t } from '../../src/i18n/index.js'
import type { Logger } from '../../src/shared/logger.js'
import { actorOf, channelOf, commandOf, DEFAULT_UPLOAD_LIMIT } from './parse.js'
import { buttonRows, CHOICE_PREFIX, choiceRows, LIMITS, renderEmbed, type ActionRow } from './render.js'
import { failureText, say, userLocale } from './texts.js'

export interface InteractionDeps {
  assistant: Assistant
  logger: Logger
  operatorRole?: string
  /** how often a long command may update its "working…" message (default 2 s) */
  progressEveryMs?: number
}

const EPHEMERAL = MessageFlags.Ephemeral
const NO_PINGS = { parse: [] as [] }

export async function handleInteraction(i: Interaction, deps: InteractionDeps): Promise<void> {
  try {
    if (i.isAutocomplete()) return await onAutocomplete(i, deps)
    if (i.isChatInputCommand()) return await onCommand(i, deps)
    if (i.isButton()) return await onButton(i, deps)
    if (i.isStringSelectMenu()) return await onSelect(i, deps)
    if (i.isModalSubmit()) return await onModal(i, deps)
  } catch (err) {
    const ref = randomBytes(3).toString('hex')
    deps.logger.error('discord interaction failed', { ref, interaction: describe(i), err })
    await tellFailure(i, failureText(userLocale(i.locale), err, ref)).catch((e) =>
      deps.logger.warn('could not tell the user about a failure', { ref, err: e }),
    )
  }
}

function describe(i: Interaction): Record<string, unknown> {
  return {
    id: i.id,
    type: i.type,
    user: i.user.id,
    channel: i.channelId,
    ...(i.isChatInputCommand() ? { command: i.commandName } : {}),
    ...(i.isMessageComponent() || i.isModalSubmit() ? { customId: i.customId } : {}),
  }
}

/** An ephemeral line to the person, whatever state the interaction is in. */
async function tellFailure(i: Interaction, text: string): Promise<void> {
  if (!i.isRepliable()) {
    if (i.isAutocomplete() && !i.responded) await i.respond([])
    return
  }
  const body = { content: text, allowedMentions: NO_PINGS, flags: EPHEMERAL } as const
  if (!i.deferred && !i.replied) {
    await i.reply(body)
    return
  }
  if (i.deferred && !i.replied && i.isChatInputCommand()) {
    await i.deleteReply().catch(() => {})
  }
  await i.followUp(body)
}

async function callCore(
  deps: InteractionDeps,
  channel: ChannelRef,
  actor: Actor,
  command: Command,
  onProgress?: (done: number, total: number) => void,
): Promise<Reply> {
  if (onProgress && deps.assistant.handleWithProgress) return deps.assistant.handleWithProgress(channel, actor, command, onProgress)
  return deps.assistant.handle(channel, actor, command)
}

// ─── slash commands ─────────────────────────────────────────────────────────────────────────────

async function onCommand(i: ChatInputCommandInteraction, deps: InteractionDeps): Promise<void> {
  await i.deferReply()
  const locale = userLocale(i.locale)
  const command = commandOf(i)
  if (!command) {
    await i.deleteReply().catch(() => {})
    await i.followUp({ content: say(locale, 'unknownCommand'), flags: EPHEMERAL, allowedMentions: NO_PINGS })
    return
  }
  // Progress: edits of the deferred reply, serialised and at most every `progressEveryMs`.
  let edits: Promise<unknown> = Promise.resolve()
  let last = 0
  let finished = false
  const every = deps.progressEveryMs ?? 2000
  const onProgress = (done: number, total: number) => {
    const now = Date.now()
    if (finished || now - last < every) return
    last = now
    edits = edits.then(() =>
      finished ? undefined : i.editReply({ content: say(locale, 'progress', { done, total }), allowedMentions: NO_PINGS }).catch(() => {}),
    )
  }
  let reply: Reply
  try {
    reply = await callCore(deps, channelOf(i), actorOf(i, deps.operatorRole), command, onProgress)
  } finally {
    finished = true
    await edits
  }
  await deliver(i, reply, 'command', i.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT)
}

// ─── buttons, select menus, modals ──────────────────────────────────────────────────────────────

async function onButton(i: ButtonInteraction, deps: InteractionDeps): Promise<void> {
  const action = decodeAction(i.customId)
  if (!action) {
    await i.reply({ content: t(userLocale(i.locale), 'error.unknown_action'), flags: EPHEMERAL, allowedMentions: NO_PINGS })
    return
  }
  await i.deferUpdate()
  const reply = await callCore(deps, channelOf(i), actorOf(i, deps.operatorRole), { name: 'action', action })
  await deliver(i, reply, 'press', i.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT)
}

async function onSelect(i: StringSelectMenuInteraction, deps: InteractionDeps): Promise<void> {
  const action = i.customId.startsWith(CHOICE_PREFIX) && i.values.length === 1 ? decodeAction(i.values[0]) : null
  if (!action) {
    await i.reply({ content: t(userLocale(i.locale), 'error.unknown_action'), flags: EPHEMERAL, allowedMentions: NO_PINGS })
    return
  }
  await i.deferUpdate()
  const reply = await callCore(deps, channelOf(i), actorOf(i, deps.operatorRole), { name: 'action', action })
  // The select sits on an ephemeral prompt only its user sees: replace the prompt with the outcome.
  await deliver(i, reply, i.message.flags.has(MessageFlags.Ephemeral) ? 'prompt' : 'press', i.attachmentSizeLimit ?? DEFAULT_UPLOAD_LIMIT)
}

async function onModal(i: ModalSubmitInteraction, _deps: InteractionDeps): Promise<void> {
  // The bot opens no modal today; an old or foreign one is answered rather than left spinning.
  await i.reply({ content: t(userLocale(i.locale), 'error.unknown_action'), flags: EPHEMERAL, allowedMentions: NO_PINGS })
}

// ─── autocomplete ───────────────────────────────────────────────────────────────────────────────

const AUTOCOMPLETE_BUDGET_MS = 2000

/** The options whose typing the core suggests values for: command → option → what it names. */
const SUGGESTED: Record<string, Record<string, SuggestField>> = {
  export: { shop: 'shop' },
  unlink: { shop: 'shop' },
  order: { id: 'order' },
  label: { id: 'order' },
  mark: { id: 'order' },
  cancel: { id: 'order' },
  stock: { sku: 'sku', shop: 'shop' },
}

async function onAutocomplete(i: AutocompleteInteraction, deps: InteractionDeps): Promise<void> {
  const focused = i.options.getFocused(true)
  let choices: Suggestion[] = []
  const field = SUGGESTED[i.commandName]?.[focused.name]
  if (field && deps.assistant.suggest) {
    const ask = deps.assistant.suggest(channelOf(i), actorOf(i, deps.operatorRole), field, String(focused.value ?? ''))
    let timer: NodeJS.Timeout | undefined
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('suggestions took too long')), AUTOCOMPLETE_BUDGET_MS)
    })
    try {
      choices = await Promise.race([ask, late])
    } catch (err) {
      deps.logger.warn('autocomplete failed', { err })
    } finally {
      clearTimeout(timer)
    }
  }
  await i.respond(
    choices.slice(0, 25).map((c) => ({ name: c.name.slice(0, 100) || c.value.slice(0, 100), value: c.value.slice(0, 100) })),
  )
}

// ─── replies ────────────────────────────────────────────────────────────────────────────────────

type Deferred = ChatInputCommandInteraction | ButtonInteraction | StringSelectMenuInteraction
/** command: a deferred public reply; press: a deferred update of a channel message; prompt: an ephemeral prompt to replace */
type Mode = 'command' | 'press' | 'prompt'

function body(reply: Reply): { embeds: ReturnType<typeof renderEmbed>[]; components: ActionRow[] } {
  const buttons = buttonRows(reply.message.buttons)
  const choices = reply.choices ? choiceRows(reply.choices.prompt, reply.choices.options, LIMITS.rows - buttons.length) : []
  return { embeds: [renderEmbed(reply.message, { timeZone: reply.channel?.timeZone })], components: [...choices, ...buttons] }
}

/** Files grouped so each message holds at most 10 and stays under the upload limit; oversize ones are reported. */
function groupFiles(files: OutgoingFile[], limit: number): { groups: OutgoingFile[][]; tooLarge: OutgoingFile[] } {
  const groups: OutgoingFile[][] = []
  const tooLarge: OutgoingFile[] = []
  let cur: OutgoingFile[] = []
  let size = 0
  for (const f of files) {
    if (f.sizeBytes > limit) {
      tooLarge.push(f)
      continue
    }
    if (cur.length === 10 || size + f.sizeBytes > limit) {
      groups.push(cur)
      cur = []
      size = 0
    }
    cur.push(f)
    size += f.sizeBytes
  }
  if (cur.length) groups.push(cur)
  return { groups, tooLarge }
}

const asAttachments = (files: OutgoingFile[]) => files.map((f) => ({ attachment: f.path, name: f.filename, description: f.caption?.slice(0, 1024) }))
const captionOf = (files: OutgoingFile[]) => files.map((f) => f.caption).filter(Boolean).join('\n').slice(0, 2000) || undefined

async function deliver(i: Deferred, reply: Reply, mode: Mode, uploadLimit: number): Promise<void> {
  const locale = reply.channel?.locale ?? userLocale(i.locale)
  const ephemeral = mode !== 'command' || reply.ephemeral === true || !reply.ok
  const { groups, tooLarge } = groupFiles(reply.files ?? [], uploadLimit)
  try {
    const main = body(reply)
    const first = groups.shift() ?? []
    const notes = tooLarge.map((f) =>
      say(locale, 'tooLarge', { name: f.filename, size: (f.sizeBytes / 2 ** 20).toFixed(1), limit: (uploadLimit / 2 ** 20).toFixed(0) }),
    )
    const content = [captionOf(first), ...notes].filter(Boolean).join('\n').slice(0, 2000) || undefined
    if (mode === 'command' && !ephemeral) {
      const opts: InteractionEditReplyOptions = { content: content ?? '', ...main, files: asAttachments(first), allowedMentions: NO_PINGS }
      await i.editReply(opts)
    } else if (mode === 'prompt') {
      await i.editReply({ content: content ?? '', ...main, files: asAttachments(first), allowedMentions: NO_PINGS })
    } else {
      if (mode === 'command') await i.deleteReply().catch(() => {})
      const opts: InteractionReplyOptions = { content, ...main, files: asAttachments(first), allowedMentions: NO_PINGS, flags: EPHEMERAL }
      await i.followUp(opts)
    }
    for (const g of groups) {
      await i.followUp({
        content: captionOf(g),
        files: asAttachments(g),
        allowedMentions: NO_PINGS,
        ...(ephemeral ? { flags: EPHEMERAL } : {}),
      })
    }
  } finally {
    await Promise.all((reply.files ?? []).map((f) => rm(f.path, { force: true }).catch(() => {})))
  }
}
