/**
 * The payload limits Discord enforces (answered with 400 Invalid Form Body, code 50035), so a bot
 * that exceeds them fails against the stand-in as it would in production.
 */
type Json = Record<string, any>

const NAME = /^[-_\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$/u
const LOCALES = new Set([
  'id', 'da', 'de', 'en-GB', 'en-US', 'es-ES', 'es-419', 'fr', 'hr', 'it', 'lt', 'hu', 'nl', 'no', 'pl', 'pt-BR', 'ro', 'fi',
  'sv-SE', 'vi', 'tr', 'cs', 'el', 'bg', 'ru', 'uk', 'hi', 'th', 'zh-CN', 'ja', 'zh-TW', 'ko',
])

function checkName(name: unknown, where: string, out: string[]): void {
  if (typeof name !== 'string' || !NAME.test(name) || name !== name.toLowerCase()) out.push(`${where}: invalid name ${JSON.stringify(name)}`)
}
function checkDesc(d: unknown, where: string, out: string[]): void {
  if (typeof d !== 'string' || d.length < 1 || d.length > 100) out.push(`${where}: description must be 1-100 characters`)
}
function checkLocalized(o: Json, where: string, out: string[]): void {
  for (const [key, check] of [
    ['name_localizations', checkName],
    ['description_localizations', checkDesc],
  ] as const) {
    for (const [loc, v] of Object.entries(o[key] ?? {})) {
      if (!LOCALES.has(loc)) out.push(`${where}.${key}: unknown locale ${loc}`)
      check(v, `${where}.${key}.${loc}`, out)
    }
  }
}

function checkOptions(options: Json[], where: string, out: string[]): void {
  if (options.length > 25) out.push(`${where}: at most 25 options`)
  const names = new Set<string>()
  let optionalSeen = false
  const subs = options.filter((o) => o.type === 1 || o.type === 2).length
  if (subs && subs !== options.length) out.push(`${where}: sub-commands cannot be mixed with other options`)
  options.forEach((o, i) => {
    const w = `${where}[${i}]`
    checkName(o.name, w, out)
    checkDesc(o.description, w, out)
    checkLocalized(o, w, out)
    if (names.has(o.name)) out.push(`${w}: duplicate option name ${o.name}`)
    names.add(o.name)
    if (o.type === 1 || o.type === 2) {
      checkOptions(o.options ?? [], `${w}.options`, out)
      return
    }
    if (o.required) {
      if (optionalSeen) out.push(`${w}: required options must be placed before non-required options`)
    } else optionalSeen = true
    const choices = (o.choices ?? []) as Json[]
    if (choices.length > 25) out.push(`${w}: at most 25 choices`)
    if (choices.length && o.autocomplete) out.push(`${w}: autocomplete and choices cannot both be set`)
    choices.forEach((c, j) => {
      if (typeof c.name !== 'string' || c.name.length < 1 || c.name.length > 100) out.push(`${w}.choices[${j}]: name 1-100 characters`)
      for (const [loc, v] of Object.entries(c.name_localizations ?? {})) {
        if (!LOCALES.has(loc)) out.push(`${w}.choices[${j}]: unknown locale ${loc}`)
        if (typeof v !== 'string' || v.length < 1 || v.length > 100) out.push(`${w}.choices[${j}].${loc}: 1-100 characters`)
      }
      if (o.type === 3 && (typeof c.value !== 'string' || c.value.length > 100)) out.push(`${w}.choices[${j}]: value must be a string of at most 100`)
    })
  })
}

export function validateCommands(cmds: Json[]): Json | null {
  const out: string[] = []
  if (cmds.length > 100) out.push('at most 100 commands')
  const names = new Set<string>()
  cmds.forEach((c, i) => {
    const w = `[${i}]`
    checkName(c.name, w, out)
    checkDesc(c.description, w, out)
    checkLocalized(c, w, out)
    if (names.has(c.name)) out.push(`${w}: duplicate command name ${c.name}`)
    names.add(c.name)
    checkOptions(c.options ?? [], `${w}.options`, out)
    const size = JSON.stringify([c.name, c.description, c.options ?? []]).length
    if (size > 8000) out.push(`${w}: command too large`)
  })
  return out.length ? { _errors: out } : null
}

/** Message body limits: content, embeds, components, custom ids, attachment count. */
export function validateMessageBody(b: Json, fileCount: number): Json | null {
  const out: string[] = []
  if (typeof b.content === 'string' && b.content.length > 2000) out.push('content: at most 2000 characters')
  const embeds = (b.embeds ?? []) as Json[]
  if (embeds.length > 10) out.push('embeds: at most 10')
  let total = 0
  embeds.forEach((e, i) => {
    const w = `embeds[${i}]`
    const len = (s: unknown) => (typeof s === 'string' ? s.length : 0)
    if (len(e.title) > 256) out.push(`${w}.title: at most 256`)
    if (len(e.description) > 4096) out.push(`${w}.description: at most 4096`)
    if (len(e.footer?.text) > 2048) out.push(`${w}.footer.text: at most 2048`)
    if (len(e.author?.name) > 256) out.push(`${w}.author.name: at most 256`)
    const fields = (e.fields ?? []) as Json[]
    if (fields.length > 25) out.push(`${w}.fields: at most 25`)
    fields.forEach((f, j) => {
      if (len(f.name) < 1 || len(f.name) > 256) out.push(`${w}.fields[${j}].name: 1-256 characters`)
      if (len(f.value) < 1 || len(f.value) > 1024) out.push(`${w}.fields[${j}].value: 1-1024 characters`)
      total += len(f.name) + len(f.value)
    })
    if (e.color !== undefined && (!Number.isInteger(e.color) || e.color < 0 || e.color > 0xffffff)) out.push(`${w}.color: invalid`)
    if (e.timestamp !== undefined && Number.isNaN(Date.parse(e.timestamp))) out.push(`${w}.timestamp: invalid ISO8601`)
    total += len(e.title) + len(e.description) + len(e.footer?.text) + len(e.author?.name)
  })
  if (total > 6000) out.push('embeds: at most 6000 characters in total')
  const rows = (b.components ?? []) as Json[]
  if (rows.length > 5) out.push('components: at most 5 action rows')
  const ids = new Set<string>()
  rows.forEach((row, i) => {
    const w = `components[${i}]`
    if (row.type !== 1) out.push(`${w}: must be an action row`)
    const cs = (row.components ?? []) as Json[]
    if (!cs.length) out.push(`${w}: an action row needs components`)
    const selects = cs.filter((c) => c.type === 3).length
    if (selects && cs.length > 1) out.push(`${w}: a select menu fills its row alone`)
    if (cs.length > 5) out.push(`${w}: at most 5 buttons`)
    cs.forEach((c, j) => {
      const cw = `${w}.components[${j}]`
      if (c.type === 2 && c.style !== 5) {
        if (!c.custom_id || String(c.custom_id).length > 100) out.push(`${cw}.custom_id: 1-100 characters`)
        if (c.label !== undefined && String(c.label).length > 80) out.push(`${cw}.label: at most 80`)
      }
      if (c.type === 3) {
        const opts = (c.options ?? []) as Json[]
        if (!opts.length || opts.length > 25) out.push(`${cw}.options: 1-25`)
        opts.forEach((o, k) => {
          if (!o.label || String(o.label).length > 100) out.push(`${cw}.options[${k}].label: 1-100`)
          if (!o.value || String(o.value).length > 100) out.push(`${cw}.options[${k}].value: 1-100`)
          if (o.description && String(o.description).length > 100) out.push(`${cw}.options[${k}].description: at most 100`)
        })
        if (!c.custom_id || String(c.custom_id).length > 100) out.push(`${cw}.custom_id: 1-100 characters`)
        if (c.placeholder && String(c.placeholder).length > 150) out.push(`${cw}.placeholder: at most 150`)
      }
      if (c.custom_id) {
        if (ids.has(c.custom_id)) out.push(`${cw}.custom_id: duplicate ${c.custom_id}`)
        ids.add(c.custom_id)
      }
    })
  })
  if (fileCount > 10) out.push('files: at most 10')
  const am = b.allowed_mentions as Json | undefined
  if (am?.parse && !Array.isArray(am.parse)) out.push('allowed_mentions.parse: must be an array')
  return out.length ? { _errors: out } : null
}
