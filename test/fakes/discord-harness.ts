/** Starts the Discord stand-in and the real Discord adapter against it, for the bot tests. */
import { startDiscordBot, type DiscordBot, type DiscordBotOptions } from '../../bots/discord/bot.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createLogger, type Logger } from '../../src/shared/logger.js'
import { startDiscordStandIn, type DiscordStandIn, type DiscordStandInOptions } from './discord-api.js'

export interface DiscordHarness {
  api: DiscordStandIn
  bot: DiscordBot
  config: Config
  logs: string[]
  logger: Logger
  stop(): Promise<void>
}

export async function startDiscordHarness(
  opts: { assistant: DiscordBotOptions['assistant']; env?: Record<string, string>; standIn?: DiscordStandInOptions } & Partial<DiscordBotOptions>,
): Promise<DiscordHarness> {
  const api = await startDiscordStandIn({ heartbeatIntervalMs: 1000, ...opts.standIn })
  const logs: string[] = []
  const logger = opts.logger ?? createLogger({ level: 'debug', sink: (l) => logs.push(l) })
  const config = loadConfig({ DISCORD_TOKEN: api.token, DISCORD_API_URL: api.apiUrl, ...opts.env })
  let bot: DiscordBot
  try {
    bot = await startDiscordBot({ config, assistant: opts.assistant, logger, readyTimeoutMs: 10_000, progressEveryMs: opts.progressEveryMs, maxRateLimitWaitMs: opts.maxRateLimitWaitMs })
  } catch (err) {
    await api.close()
    throw err
  }
  await api.waitFor(() => api.commands.guild.get(api.guild.id), 5000, 'the guild commands')
  return {
    api,
    bot,
    config,
    logs,
    logger,
    async stop() {
      await bot.stop().catch(() => {})
      await api.close()
    },
  }
}
