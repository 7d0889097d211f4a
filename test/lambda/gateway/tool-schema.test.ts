import * as fc from 'fast-check';
import { MAX_SCHEMA_DEPTH, checkToolSchema, validateAgainstSchema } from '../../../lambda/gateway/tool-schema';

const WEATHER = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  description: 'Weather query',
  properties: {
    city: { type: 'string', minLength: 1, maxLength: 50 },
    unit: { enum: ['c', 'f'] },
    days: { type: 'integer', minimum: 1, maximum: 7 },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
    note: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['city'],
  additionalProperties: false,
};

describe('checkToolSchema', () => {
  test('accepts the supported subset with annotations', () => {
    expect(checkToolSchema(WEATHER)).toBeUndefined();
    expect(checkToolSchema({})).toBeUndefined();
  });

  describe('validation', () => {
    test.each([
      ['$ref', { properties: { a: { $ref: '#/defs/a' } } }],
      ['patternProperties', { patternProperties: { '^a': {} } }],
      ['if', { if: {}, then: {} }],
      ['not', { not: { type: 'string' } }],
    ])('fails if the schema uses %s', (keyword, schema) => {
      expect(checkToolSchema(schema)).toContain(JSON.stringify(keyword));
    });

    test('fails if a type name is unknown or a bound is not a number', () => {
      expect(checkToolSchema({ type: 'date' })).toMatch(/type/);
      expect(checkToolSchema({ maxLength: '5' })).toMatch(/maxLength/);
      expect(checkToolSchema({ anyOf: [] })).toMatch(/anyOf/);
    });

    test('fails if the schema nests too deep', () => {
      let schema: Record<string, unknown> = { type: 'string' };
      for (let i = 0; i < MAX_SCHEMA_DEPTH + 2; i++) schema = { type: 'array', items: schema };
      expect(checkToolSchema(schema)).toMatch(/deeper/);
    });
  });
});

describe('validateAgainstSchema', () => {
  test.each([
    [{ city: 'Paris' }],
    [{ city: 'Paris', unit: 'c', days: 3, tags: ['a'], note: null }],
    [{ city: 'Paris', note: 'sunny' }],
  ])('accepts %j', (value) => {
    expect(validateAgainstSchema(value, WEATHER)).toBeUndefined();
  });

  test.each([
    [{}, '$.city'],
    [{ city: '' }, '$.city'],
    [{ city: 'x', unit: 'k' }, '$.unit'],
    [{ city: 'x', days: 1.5 }, '$.days'],
    [{ city: 'x', days: 8 }, '$.days'],
    [{ city: 'x', tags: ['a', 'b', 'c'] }, '$.tags'],
    [{ city: 'x', tags: [1] }, '$.tags[0]'],
    [{ city: 'x', extra: 1 }, '$.extra'],
    [{ city: 'x', note: 3 }, '$.note'],
    ['Paris', '$'],
  ])('rejects %j at %s', (value, path) => {
    expect(validateAgainstSchema(value, WEATHER)).toBe(path);
  });

  test('oneOf needs exactly one match; const and allOf apply', () => {
    expect(validateAgainstSchema(5, { oneOf: [{ type: 'integer' }, { type: 'number' }] })).toBe('$');
    expect(validateAgainstSchema('a', { oneOf: [{ type: 'integer' }, { type: 'string' }] })).toBeUndefined();
    expect(validateAgainstSchema({ a: [1] }, { const: { a: [1] } })).toBeUndefined();
    expect(validateAgainstSchema({ a: [2] }, { const: { a: [1] } })).toBe('$');
    expect(validateAgainstSchema(3, { allOf: [{ minimum: 1 }, { exclusiveMaximum: 3 }] })).toBe('$');
  });

  test('never throws for any value and any accepted schema', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (value, schema) => {
        if (checkToolSchema(schema) !== undefined) return;
        const out = validateAgainstSchema(value, schema);
        expect(out === undefined || out.startsWith('$')).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});
