/**
 * The Discord stand-in itself, driven by a bare discord.js client: gateway session, replies,
 * deadline and double-acknowledgement rules, resume after a dropped socket, 429 headers.
 */
import { Client, Events, GatewayIntentBits, type Interaction } from 'discord.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Opt, startDiscordStandIn, type DiscordStandIn } from '../fakes/discord-api.js'

describe('Discord stand-in with a bare discord.js client', () => {
  let api: DiscordStandIn
  let client: Client
  const handlers: ((i: Interaction) => Promise<void>)[] = []

  beforeAll(async () => {
    api = await startDiscordStandIn({ heartbeatIntervalMs: 500 })
    client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: api.apiUrl } })
    client.on(Events.InteractionCreate, (i) => void Promise.all(handlers.map((h) => h(i))).catch(() => {}))
    const ready = new Promise((r) => client.once(Events.ClientReady, r))
    await client.login(api.token)
    await ready
  })
  afterAll(async () => {
    await client?.destroy()
    await api?.close()
  })

  it('identifies, receives its guild and answers heartbeats', async () => {
    expect(client.guilds.cache.get(api.guild.id)?.name).toBe('Seller team')
    expect(client.channels.cache.has(api.channelId)).toBe(true)
    await api.waitFor(() => api.gatewayLog.some((g) => g.op === 1), 2000, 'a heartbeat')
    expect(client.ws.ping).toBeGreaterThanOrEqual(-1)
  })

  it('records a deferred reply and its edit, with typed options and interaction metadata', async () => {
    handlers.length = 0
    handlers.push(async (i) => {
      if (!i.isChatInputCommand()) return
      await i.deferReply()
      await i.editReply({ content: `hours=${i.options.getInteger('hours')}`, allowedMentions: { parse: [] } })
    })
    const ia = api.slash('late', [Opt.integer('hours', 6)])
    const out = await ia.outcome()
    expect(out.ack.type).toBe(5)
    expect(out.message?.content).toBe('hours=6')
    expect(out.message?.interaction_metadata.user.id).toBe('100000000000000001')
  })

  it('refuses a second acknowledgement and a late one', async () => {
    handlers.length = 0
    const errors: unknown[] = []
    handlers.push(async (i) => {
      if (!i.isChatInputCommand()) return
      await i.deferReply()
      // discord.js itself refuses a second reply; go around it with raw REST to check the stand-in
      await client.rest.post(`/interactions/${i.id}/${i.token}/callback`, { body: { type: 4, data: { content: 'x' } }, auth: false }).catch((e) => errors.push(e))
    })
    const ia = api.slash('help')
    await ia.ack()
    await api.waitFor(() => errors.length, 2000, 'the refused second ack')
    expect((errors[0] as { code: number }).code).toBe(40060)
  })

  it('resumes after the socket drops and replays what was dispatched meanwhile', async () => {
    handlers.length = 0
    handlers.push(async (i) => {
      if (i.isChatInputCommand()) await i.reply({ content: 'pong' })
    })
    const identifies = api.gatewayLog.filter((g) => g.op === 2).length
    api.dropConnection()
    const ia = api.slash('help') // dispatched while the socket is down
    const out = await ia.outcome(8000)
    expect(out.message?.content).toBe('pong')
    expect(api.gatewayLog.filter((g) => g.op === 6).length).toBeGreaterThanOrEqual(1)
    expect(api.gatewayLog.filter((g) => g.op === 2).length).toBe(identifies)
  })

  it('answers 429 with Retry-After; discord.js waits it out and the message arrives once', async () => {
    api.fail({ status: 429, times: 1, retryAfter: 0.3, match: (m, p) => m === 'POST' && p.endsWith('/messages') })
    const t0 = Date.now()
    const sent = (await client.rest.post(`/channels/${api.channelId}/messages`, { body: { content: 'hello', allowed_mentions: { parse: [] } } })) as { id: string }
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250)
    expect(api.message(sent.id).api.content).toBe('hello')
    expect(api.channelMessages().filter((m) => m.api.content === 'hello')).toHaveLength(1)
    const tried = api.requests.filter((r) => r.path.endsWith('/messages') && r.method === 'POST')
    expect(tried.map((r) => r.status).slice(-2)).toEqual([429, 200])
  })

  it('rejects bodies over Discord limits and unknown channels', async () => {
    await expect(
      client.rest.post(`/channels/${api.channelId}/messages`, { body: { embeds: [{ title: 'x'.repeat(257) }] } }),
    ).rejects.toMatchObject({ code: 50035 })
    await expect(client.rest.post(`/channels/123/messages`, { body: { content: 'x' } })).rejects.toMatchObject({ code: 10003, status: 404 })
  })
})
