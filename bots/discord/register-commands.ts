/**
 * Registers the bot's slash commands globally, for every server the bot is in:
 *   npx tsx bots/discord/register-commands.ts      (reads DISCORD_TOKEN, DISCORD_API_URL from the environment / .env)
 * Without it the bot registers them per server when it starts or joins one (shown at once); once
 * they are global, the per-server copies are cleared so nothing shows twice.
 */
import 'dotenv/config'
import { pathToFileURL } from 'node:url'
import { ConfigError, loadConfig } from '../../src/config.js'
import { createLogger } from '../../src/shared/logger.js'
import { registerGlobalCommands } from './bot.js'

export async function main(): Promise<number> {
  const logger = createLogger()
  try {
    const config = loadConfig()
    if (!config.discord) {
      console.error('DISCORD_TOKEN is not set: nothing to register')
      return 2
    }
    const { applicationId, count } = await registerGlobalCommands(config, logger)
    console.log(`registered ${count} slash commands globally for application ${applicationId} (Discord may take a few minutes to show them)`)
    return 0
  } catch (err) {
    if (err instanceof ConfigError) for (const p of err.problems) console.error(`config error: ${p}`)
    else console.error(`could not register the commands: ${(err as Error).message}`)
    return 1
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) void main().then((code) => process.exit(code))
