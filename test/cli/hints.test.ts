/**
 * Every `npm run cli -- …` the product tells a user to run (chat messages in both languages, help
 * texts, errors, README) names a command the CLI has, with flags that command takes: a hint that
 * gives a usage error sends a busy seller nowhere.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { EXPORT_USAGE } from '../../src/cli/export.js'
import { USAGE } from '../../src/cli/main.js'

const root = join(import.meta.dirname, '..', '..')

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  )
}

interface Form {
  words: string[]
  flags: string[]
}

/** A command line's words (before its first flag) and its flags. */
function form(tokens: string[]): Form {
  const first = tokens.findIndex((t) => t.startsWith('--'))
  const words = first < 0 ? tokens : tokens.slice(0, first)
  return { words, flags: tokens.filter((t) => /^--[a-z-]+$/.test(t)) }
}

/** The forms the CLI documents: each line of its usage up to the description (export: its own usage's flags), and help. */
const documented: Form[] = [
  ...USAGE.split('\n')
    .slice(1)
    .map((line) => form(line.trim().split(/\s{2,}/)[0].replace(/[[\]]/g, '').split(/\s+/)))
    .map((f) => (f.words.join(' ') === 'export' ? { words: f.words, flags: [...EXPORT_USAGE.matchAll(/--[a-z-]+/g)].map((m) => m[0]) } : f)),
  { words: ['help'], flags: [] },
]

/** What follows `npm run cli -- ` in a text, up to where the sentence goes on. */
function hintsIn(text: string): string[] {
  const out: string[] = []
  for (const m of text.matchAll(/npm run cli -- ([^\n`'"]*)/g)) {
    const cut = m[1].split(/[)(，。；]|, |\. |\.$| then | or | for |获取|然后|重新/)[0]
    out.push(cut.trim())
  }
  return out
}

describe('CLI hints', () => {
  const places = [...sourceFiles('src'), ...sourceFiles('bots'), 'README.md']
  const hints = places.flatMap((file) => hintsIn(readFileSync(join(root, file), 'utf8')).map((hint) => ({ file, hint })))

  it('finds the hints (the chat tells how to get a link code, reconnect a shop, import stock)', () => {
    const all = hints.map((h) => h.hint).join('\n')
    expect(all).toContain('link-code --shop')
    expect(all).toContain('shop connect --code')
    expect(all).toContain('stock import --shop')
    expect(hints.length).toBeGreaterThan(10)
  })

  it('each names a command the CLI has, with flags it takes', () => {
    const wrong = hints.filter(({ hint }) => {
      const h = form(hint.split(/\s+/).filter(Boolean))
      // "npm run cli -- <command>": the usage line itself
      if (!h.words.length || h.words[0].startsWith('<')) return false
      return !documented.some((d) => d.words.join(' ') === h.words.join(' ') && h.flags.every((f) => d.flags.includes(f)))
    })
    expect(wrong).toEqual([])
  })
})
