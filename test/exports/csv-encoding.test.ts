import { stringify } from 'csv-stringify/sync'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { csvCell, csvEncode, neutraliseFormula } from '../../src/exports/writers.js'

const cellText = fc.oneof(
  fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', '=', '+', '-', '@', '\t', '中', '😀', "'") }),
  fc.string({ unit: 'grapheme' }),
)

describe('CSV encoding', () => {
  it('csv-parse reads back exactly what was encoded (commas, quotes, CR, LF, emoji, Chinese)', () => {
    fc.assert(
      fc.property(fc.array(fc.array(cellText, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const ours = rows.map((r) => r.map(csvEncode).join(',') + '\r\n').join('')
        expect(parse(ours, { relax_column_count: true })).toEqual(rows)
      }),
      { numRuns: 500 },
    )
  })

  it('is byte for byte what csv-stringify writes (for text without line ends, where csv-stringify quotes correctly)', () => {
    // csv-stringify with CRLF records leaves a lone LF unquoted, which no reader parses back; we quote it
    expect(stringify([['\n', 'x']], { record_delimiter: 'windows' })).toBe('\n,x\r\n')
    expect(csvEncode('\n')).toBe('"\n"')
    fc.assert(
      fc.property(fc.array(fc.array(cellText.map((s) => s.replace(/[\r\n]/g, '')), { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const ours = rows.map((r) => r.map(csvEncode).join(',') + '\r\n').join('')
        expect(ours).toBe(stringify(rows, { record_delimiter: 'windows' }))
      }),
      { numRuns: 300 },
    )
  })

  it('neutralises text that starts a formula, and only text', () => {
    for (const s of ['=1+1', '+1', '-1', '@a', '\tx', '\rx']) expect(neutraliseFormula(s)).toBe(`'${s}`)
    for (const s of ['1', 'a=1', ' =1', "'=1", '']) expect(neutraliseFormula(s)).toBe(s)
    expect(csvCell('money', '-5.00')).toBe('-5.00') // a negative amount stays a number
    expect(csvCell('text', '-5.00')).toBe("'-5.00")
    expect(csvCell('id', '+8613800138000')).toBe("'+8613800138000")
    expect(csvCell('id', '576653688135258178')).toBe('576653688135258178')
    expect(csvCell('datetime', null)).toBe('')
  })
})
