/**
 * `npm run bench`: runs each benchmark module (bench/*.bench.ts), prints its figures and writes
 * bench/RESULTS.md with the date and the machine. `npm run bench -- ingest exports` runs some.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { join } from 'node:path'

export interface Figure {
  name: string
  value: number | string
  unit?: string
  goal?: string
  ok?: boolean
}
export interface BenchModule {
  title: string
  run(): Promise<Figure[]>
}

const dir = fileURLToPath(new URL('.', import.meta.url))
const only = process.argv.slice(2)
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => !only.length || only.some((o) => f.includes(o)))
  .sort()

/** Sections from an earlier run survive a partial run (`npm run bench -- some`). */
const resultsPath = join(dir, 'RESULTS.md')
const previous = new Map<string, string>()
if (existsSync(resultsPath)) {
  for (const part of readFileSync(resultsPath, 'utf8').split(/^(?=## )/m).slice(1)) previous.set(part.split('\n')[0], part.trimEnd() + '\n')
}
const sections = new Map<string, string>()
for (const f of files) {
  const mod = (await import(pathToFileURL(join(dir, f)).href)) as { default: BenchModule }
  console.log(`\n## ${mod.default.title} (${f})`)
  let figures: Figure[]
  try {
    figures = await mod.default.run()
  } catch (err) {
    console.log(`failed: ${(err as Error).stack}`)
    sections.set(`## ${mod.default.title}`, `## ${mod.default.title}\n\nfailed: ${(err as Error).message}\n`)
    continue
  }
  const lines = ['| figure | value | goal | |', '|---|---|---|---|']
  for (const x of figures) {
    const v = typeof x.value === 'number' ? (Number.isInteger(x.value) ? String(x.value) : x.value.toFixed(2)) : x.value
    const mark = x.ok === undefined ? '' : x.ok ? 'met' : 'NOT met'
    console.log(`  ${x.name}: ${v}${x.unit ? ' ' + x.unit : ''}${x.goal ? `  (goal ${x.goal}: ${mark})` : ''}`)
    lines.push(`| ${x.name} | ${v}${x.unit ? ' ' + x.unit : ''} | ${x.goal ?? ''} | ${mark} |`)
  }
  sections.set(`## ${mod.default.title}`, `## ${mod.default.title}\n\nRun: ${new Date().toISOString()} (${f})\n\n${lines.join('\n')}\n`)
}

const header = `# Benchmark results\n\nLast run: ${new Date().toISOString()} · machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\nCommand: \`npm run bench${only.length ? ' -- ' + only.join(' ') : ''}\`\n`
for (const [k, v] of sections) previous.set(k, v)
writeFileSync(resultsPath, [header, ...previous.values()].join('\n'))
console.log('\nwritten bench/RESULTS.md')
process.exit(0)
