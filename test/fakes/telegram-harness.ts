/** Starts the Bot API stand-in and the real Telegram adapter (telegraf) against it, for the bot tests. */
import { startTelegramBot, type TelegramBot, type TelegramBotOptions } from '../../bots/telegram/bot.js'
import { loadConfig, type Config } from '../../src/config.js'
import { createLogger, type Logger } from '../../src/shared/logger.js'
import { FakeTelegram, type TgUser } from './telegram-api.js'

export interface TelegramHarness {
  tg: FakeTelegram
  bot: TelegramBot
  config: Config
  logs: string[]
  logger: Logger
  stop(): Promise<void>
}

export const GROUP_ID = -1001234567890
export const FORUM_ID = -1009876543210
export const user = (id: number, first_name: string, language_code = 'en'): TgUser => ({ id, is_bot: false, first_name, language_code })

export async function startTelegramHarness(
  opts: { assistant: TelegramBotOptions['assistant']; env?: Record<string, string>; tg?: FakeTelegram } & Partial<TelegramBotOptions>,
): Promise<TelegramHarness> {
  const tg = opts.tg ?? (await FakeTelegram.start())
  tg.addChat({ id: GROUP_ID, title: 'Shop team 店铺群' })
  tg.addChat({ id: FORUM_ID, title: 'Shop forum', is_forum: true })
  const logs: string[] = []
  const logger = opts.logger ?? createLogger({ level: 'debug', sink: (l) => logs.push(l) })
  const config = loadConfig({ TELEGRAM_BOT_TOKEN: tg.token, TELEGRAM_API_ROOT: tg.apiRoot, DEFAULT_TIME_ZONE: 'Asia/Shanghai', ...opts.env })
  let bot: TelegramBot
  try {
    bot = await startTelegramBot({ ...opts, config, assistant: opts.assistant, logger })
  } catch (err) {
    await tg.stop()
    throw err
  }
  return {
    tg,
    bot,
    config,
    logs,
    logger,
    async stop() {
      await bot.stop().catch(() => {})
      await tg.stop()
    },
  }
}
