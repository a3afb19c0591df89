/** Entry point: load config, start the app, stop cleanly on SIGINT / SIGTERM. */
import 'dotenv/config'
import { ConfigError, loadConfig } from './config.js'
import { startApp } from './app.js'

async function main(): Promise<void> {
  let config
  try {
    config = loadConfig()
  } catch (err) {
    if (err instanceof ConfigError) {
      for (const p of err.problems) console.error(`config error: ${p}`)
      process.exit(2)
    }
    throw err
  }
  let app
  try {
    app = await startApp(config)
  } catch (err) {
    console.error(`could not start: ${(err as Error).message}`)
    process.exit(1)
  }
  const where = [
    app.http ? `HTTP ${app.http.url} (webhooks /webhooks/tiktok, health /healthz)` : '',
    app.simulator ? `simulated shop at ${app.simulator.baseUrl}` : app.shop ? 'TikTok Shop API' : 'no shop yet',
  ].filter(Boolean)
  console.error(`assistant running: ${where.join('; ')}. Ctrl-C stops.`)
  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    app.ctx.logger.info('stopping', { signal })
    const force = setTimeout(() => process.exit(1), 15_000)
    force.unref()
    await app.stop()
    process.exit(0)
  }
  process.on('SIGINT', () => void stop('SIGINT'))
  process.on('SIGTERM', () => void stop('SIGTERM'))
  // keep the process alive even when nothing else holds the event loop
  setInterval(() => {}, 1 << 30)
}

void main()
