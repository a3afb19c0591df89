/** The terminal chat adapter (used by `npm start` with no chat token). */
export { startConsoleChat, CONSOLE_CHANNEL, type ConsoleChat, type ConsoleChatOptions } from './chat.js'
export { displayWidth, renderMessage, sanitize } from './render.js'
