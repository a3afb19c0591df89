/** External JSON: NUL characters (which PostgreSQL text cannot hold) are dropped from every string. */
import { describe, expect, it } from 'vitest'
import { parseExternalJson } from '../../src/shared/json.js'

describe('parseExternalJson', () => {
  it('drops NUL from strings at any depth and leaves everything else as JSON.parse gives it', () => {
    const text = JSON.stringify({ a: 'x\u0000y', list: [{ b: '\u0000' }, 1, null, true], n: 12.5, id: '576653688135258178', path: 'C:\\u0000' })
    expect(text).toContain('\\u0000')
    expect(parseExternalJson(text)).toEqual({ a: 'xy', list: [{ b: '' }, 1, null, true], n: 12.5, id: '576653688135258178', path: 'C:\\u0000' })
    const plain = '{"code":0,"data":{"orders":[]}}'
    expect(parseExternalJson(plain)).toEqual(JSON.parse(plain))
    expect(() => parseExternalJson('{bad')).toThrow()
  })
})
