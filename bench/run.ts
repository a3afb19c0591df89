/**
 * `npm run bench`: runs each benchmark module (bench/*.bench.ts) in a process of its own (so one
 * module's memory, or a library that patches globals, never touches the next), prints its figures
 * and writes bench/RESULTS.md with the date and the machine. `npm run bench -- ingest exports` runs some.
 */
import { spawnSync } from 'node:child_process'
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

// Child mode: run one module and hand its figures back as JSON on the last line.
if (process.argv[2] === '--child') {
  const mod = (await import(pathToFileURL(join(dir, process.argv[3])).href)) as { default: BenchModule }
  const figures = await mod.default.run()
  process.stdout.write('\n@@figures ' + JSON.stringify({ title: mod.default.title, figures }) + '\n')
  process.exit(0)
}

async function runInChild(file: string): Promise<{ title: string; figures: Figure[] }> {
  const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  })
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('@@figures '))
  if (r.status !== 0 || !line) throw new Error(`exit ${r.status ?? r.signal}: ${(r.stdout ?? '').trim().split('\n').slice(-5).join(' | ')}`)
  return JSON.parse(line.slice('@@figures '.length))
}

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
  let title = f
  let figures: Figure[]
  try {
    const res = await runInChild(f)
    title = res.title
    figures = res.figures
    console.log(`\n## ${title} (${f})`)
  } catch (err) {
    console.log(`\n## ${f}\nfailed: ${(err as Error).message}`)
    sections.set(`## ${f}`, `## ${f}\n\nfailed: ${(err as Error).message}\n`)
    continue
  }
  const lines = ['| figure | value | goal | |', '|---|---|---|---|']
  for (const x of figures) {
    // a ratio held against a goal gets three decimals: 0.4977 shown as 0.50 would read as met
    const digits = x.goal && typeof x.value === 'number' && Math.abs(x.value) < 10 ? 3 : 2
    const v = typeof x.value === 'number' ? (Number.isInteger(x.value) ? String(x.value) : x.value.toFixed(digits)) : x.value
    const mark = x.ok === undefined ? '' : x.ok ? 'met' : 'NOT met'
    console.log(`  ${x.name}: ${v}${x.unit ? ' ' + x.unit : ''}${x.goal ? `  (goal ${x.goal}: ${mark})` : ''}`)
    lines.push(`| ${x.name} | ${v}${x.unit ? ' ' + x.unit : ''} | ${x.goal ?? ''} | ${mark} |`)
  }
  sections.set(`## ${title}`, `## ${title}\n\nRun: ${new Date().toISOString()} (${f})\n\n${lines.join('\n')}\n`)
}

const header = `# Benchmark results\n\nLast run: ${new Date().toISOString()} · machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n\nCommand: \`npm run bench${only.length ? ' -- ' + only.join(' ') : ''}\`\n`
for (const [k, v] of sections) previous.set(k, v)
writeFileSync(resultsPath, [header, ...previous.values()].join('\n'))
console.log('\nwritten bench/RESULTS.md')
process.exit(0)
