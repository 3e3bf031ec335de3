/** Strict UTF-8 decoding of scenario files: the first byte that does not decode, by offset and line. */
import { describe, expect, it } from 'vitest';
import { decodeUtf8 } from '../../scenario/utf8.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('decodeUtf8', () => {
  it('should decode UTF-8 and keep a byte order mark for the reader to skip', () => {
    expect(decodeUtf8(bytes(0xef, 0xbb, 0xbf, 0x63, 0x61, 0x66, 0xc3, 0xa9))).toBe('\ufeffcafé');
  });

  it.each([
    ['a stray byte on line 2', bytes(0x61, 0x0a, 0xff, 0x62), { offset: 2, line: 2, byte: 0xff }],
    ['a stray byte after a whole sequence', bytes(0xc3, 0xa9, 0xff), { offset: 2, line: 1, byte: 0xff }],
    ['a sequence broken by an ASCII byte, at its lead byte', bytes(0x61, 0xc3, 0x41), { offset: 1, line: 1, byte: 0xc3 }],
    ['a sequence cut by the end of the file, at its lead byte', bytes(0x61, 0xe2, 0x82), { offset: 1, line: 1, byte: 0xe2 }],
    ['an overlong encoding', bytes(0xe0, 0x80, 0x80), { offset: 0, line: 1, byte: 0xe0 }],
    ['a continuation byte with no lead', bytes(0x61, 0xe2, 0x82, 0xac, 0x80), { offset: 4, line: 1, byte: 0x80 }],
  ])('should refuse %s', (_, input, failure) => {
    expect(decodeUtf8(input)).toEqual(failure);
  });
});
