/** The Discord chat adapter. */
export { startDiscordBot, registerGlobalCommands, restRoot, type DiscordBot, type DiscordBotOptions } from './bot.js'
export { createDiscordChatPort, mapDiscordError } from './port.js'
export { renderMessage, escapeText } from './render.js'
export { commandDefinitions } from './commands.js'
