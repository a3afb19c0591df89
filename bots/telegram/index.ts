/** The Telegram adapter's public surface (the composition root starts it). */
export { startTelegramBot, UPLOAD_LIMIT_BYTES, type TelegramBot, type TelegramBotOptions } from './bot.js'
export { TelegramChatPort, mapTelegramError } from './chat-port.js'
export { TELEGRAM_LIMITS, type RateLimits } from './rate-limit.js'
