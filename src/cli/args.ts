/** A small, strict flag parser for the CLI: `--name value` or `--name=value`; unknown flags are usage errors. */
import { UsageError } from './context.js'

export type FlagSpec = Record<string, 'string' | 'boolean'>

export function parseFlags<S extends FlagSpec>(argv: string[], spec: S, usage: string): { [K in keyof S]?: S[K] extends 'boolean' ? boolean : string } {
  const out: Record<string, string | boolean> = {}
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (!a.startsWith('--')) throw new UsageError(`unexpected argument "${a}" — ${usage}`)
    const eq = a.indexOf('=')
    const name = a.slice(2, eq === -1 ? undefined : eq)
    const kind = spec[name]
    if (!kind) throw new UsageError(`unknown flag --${name} — ${usage}`)
    if (name in out) throw new UsageError(`--${name} given twice — ${usage}`)
    if (kind === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value — ${usage}`)
      out[name] = true
      continue
    }
    const value = eq !== -1 ? a.slice(eq + 1) : argv[++i]
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value — ${usage}`)
    out[name] = value
  }
  return out as { [K in keyof S]?: S[K] extends 'boolean' ? boolean : string }
}

export function required(value: string | undefined, flag: string, usage: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`--${flag} is required — ${usage}`)
  return value.trim()
}

export function positiveInt(value: string | undefined, flag: string, def: number, max: number, usage: string): number {
  if (value === undefined) return def
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > max) throw new UsageError(`--${flag} must be a whole number from 1 to ${max} (got "${value}") — ${usage}`)
  return Number(value)
}
