import { describe, expect, it } from 'vitest';
import { parseListAnswer } from '../../kube/index.js';

const names = (body: string) => parseListAnswer(Buffer.from(body), (item) => (item as { metadata?: { name?: string } } | null)?.metadata?.name);

describe('parseListAnswer', () => {
  it('should hand each item to pick alone, with strings, escapes and nested brackets inside items', () => {
    const body = `{"kind":"PodList","items":[ {"metadata":{"name":"a","annotations":{"x":"]},{\\"items\\":["}},"spec":{"v":[[1,2],{"k":[]}]}} ,
      {"metadata":{"name":"b\\u00e9"}}],"metadata":{"continue":"tok","resourceVersion":"7"}}`;
    expect(names(body)).toEqual({ items: ['a', 'b\u00e9'], listed: 2, continueToken: 'tok' });
  });

  it('should count items pick drops, and scalar items', () => {
    expect(names('{"items":[1,"two",null,{"metadata":{"name":"x"}}],"metadata":{}}')).toEqual({ items: ['x'], listed: 4 });
  });

  it('should read an answer without items, or with items null, as an empty list', () => {
    expect(names('{"kind":"List","metadata":{"continue":""}}')).toEqual({ items: [], listed: 0 });
    expect(names('{"items":null,"kind":"items"}')).toEqual({ items: [], listed: 0 });
    expect(names('{"kind":"items","items":[]}')).toEqual({ items: [], listed: 0 });
  });

  it('should refuse with SyntaxError what is not JSON: HTML, JSON cut short, garbage between or after items', () => {
    for (const body of ['<html></html>', '{"items":[{"metadata":{"name":"a"}', '{"items":[{"a":1} x {"b":2}]}', '{"items":[{"a":1},]}', '{"items":[,{"a":1}]}', '{"items":[{"a":1},,{"b":2}]}', '{"items":[{"a":1} {"b":2}]}', '{"items":[]} trailing', '{"items":[]', '']) {
      expect(() => names(body), body).toThrow(SyntaxError);
    }
  });
});
