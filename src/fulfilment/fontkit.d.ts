/** The part of fontkit 2 (shipped with pdfkit, no bundled types) that the font subsetter uses. */
declare module 'fontkit' {
  export interface Glyph {
    id: number
  }
  export interface Subset {
    includeGlyph(glyph: number | Glyph): number
    encode(): Uint8Array
  }
  export interface Font {
    characterSet: number[]
    hasGlyphForCodePoint(codePoint: number): boolean
    glyphForCodePoint(codePoint: number): Glyph
    createSubset(): Subset
  }
  export function create(buffer: Uint8Array, postscriptName?: string): Font
}
