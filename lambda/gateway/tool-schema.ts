/**
 * A small JSON Schema subset for the parameters of client-declared tools (OWASP LLM06, excessive agency).
 *
 * The gateway passes a client's tool definitions to the model, and refuses any tool call the model makes whose
 * arguments do not match the declared schema. To make that check sound it only accepts schemas it can fully evaluate:
 * {@link checkToolSchema} rejects a schema that uses a validation keyword outside the subset (for example `$ref`,
 * `patternProperties`, `if`), so an argument is never let through because a constraint was silently skipped.
 *
 * Supported validation keywords: `type` (a name or a list), `enum`, `const`, `properties`, `required`,
 * `additionalProperties` (boolean or schema), `items` (one schema), `minItems`, `maxItems`, `minLength`, `maxLength`,
 * `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `anyOf`, `oneOf`, `allOf`. Annotations are accepted
 * and ignored: `$schema`, `$id`, `title`, `description`, `default`, `examples`, `format`, `deprecated`, `readOnly`,
 * `writeOnly`, `$comment`, `nullable`, `strict`. Pure and I/O-free.
 *
 * @module
 */

/** How deep a declared schema may nest (each `properties`/`items`/combinator level counts one). */
export const MAX_SCHEMA_DEPTH = 16;
/**
 * How deep the schema may nest as JSON, values of `const`, `enum`, `default` and `examples` included (the keyword depth
 * above does not reach into them). A schema at {@link MAX_SCHEMA_DEPTH} takes about 35 levels; the gateway walks a
 * schema recursively (normalizing, screening, validating, serializing), so a value nested thousands deep would
 * overflow the stack.
 */
export const MAX_SCHEMA_JSON_DEPTH = 64;

const VALIDATION_KEYWORDS = new Set([
  'type', 'enum', 'const', 'properties', 'required', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'anyOf', 'oneOf', 'allOf',
]);
const ANNOTATION_KEYWORDS = new Set([
  '$schema', '$id', 'title', 'description', 'default', 'examples', 'format', 'deprecated', 'readOnly', 'writeOnly',
  '$comment', 'nullable', 'strict',
]);
const TYPE_NAMES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array', 'null']);
const NUMERIC_KEYWORDS = ['minItems', 'maxItems', 'minLength', 'maxLength', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'] as const;

/** A JSON object (as parsed by `JSON.parse`). */
export type JsonObject = { [key: string]: unknown };

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Checks that `schema` is a JSON Schema the gateway can evaluate completely.
 *
 * @param schema - the `parameters` of a tool definition
 * @returns `undefined` when usable, otherwise a short reason naming the offending keyword (safe to show the caller)
 */
export function checkToolSchema(schema: unknown): string | undefined {
  if (jsonDepthExceeds(schema, MAX_SCHEMA_JSON_DEPTH)) return `the schema nests deeper than ${MAX_SCHEMA_JSON_DEPTH} levels of JSON`;
  return check(schema, 0, '');
}

/** Whether `value` nests arrays and objects more than `max` deep. Iterative (an explicit stack): safe at any depth. */
function jsonDepthExceeds(value: unknown, max: number): boolean {
  const stack: Array<{ readonly value: unknown; readonly depth: number }> = [{ value, depth: 0 }];
  for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
    if (typeof top.value !== 'object' || top.value === null) continue;
    const depth = top.depth + 1;
    if (depth > max) return true;
    for (const child of Array.isArray(top.value) ? top.value : Object.values(top.value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth });
    }
  }
  return false;
}

function check(schema: unknown, depth: number, at: string): string | undefined {
  if (typeof schema === 'boolean') return undefined;
  if (!isObject(schema)) return `${at || 'the schema'} must be an object`;
  if (depth > MAX_SCHEMA_DEPTH) return `the schema nests deeper than ${MAX_SCHEMA_DEPTH} levels`;
  for (const [key, value] of Object.entries(schema)) {
    if (ANNOTATION_KEYWORDS.has(key)) continue;
    if (!VALIDATION_KEYWORDS.has(key)) return `unsupported JSON Schema keyword ${JSON.stringify(key.slice(0, 40))}${at ? ` at ${at}` : ''}`;
    const here = at ? `${at}.${key}` : key;
    switch (key) {
      case 'type': {
        const names = Array.isArray(value) ? value : [value];
        if (names.length === 0 || !names.every((n) => typeof n === 'string' && TYPE_NAMES.has(n))) return `${here} must name JSON types`;
        break;
      }
      case 'enum':
        if (!Array.isArray(value)) return `${here} must be an array`;
        break;
      case 'required':
        if (!Array.isArray(value) || !value.every((n) => typeof n === 'string')) return `${here} must be an array of strings`;
        break;
      case 'properties': {
        if (!isObject(value)) return `${here} must be an object`;
        for (const [name, sub] of Object.entries(value)) {
          const problem = check(sub, depth + 1, `${here}.${name.slice(0, 40)}`);
          if (problem) return problem;
        }
        break;
      }
      case 'additionalProperties':
      case 'items': {
        const problem = check(value, depth + 1, here);
        if (problem) return problem;
        break;
      }
      case 'anyOf':
      case 'oneOf':
      case 'allOf': {
        if (!Array.isArray(value) || value.length === 0) return `${here} must be a non-empty array`;
        for (let i = 0; i < value.length; i++) {
          const problem = check(value[i], depth + 1, `${here}[${i}]`);
          if (problem) return problem;
        }
        break;
      }
      case 'const':
        break;
      default:
        if (typeof value !== 'number' || !Number.isFinite(value)) return `${here} must be a number`;
    }
  }
  return undefined;
}

/**
 * Validates `value` against a schema accepted by {@link checkToolSchema}.
 *
 * @returns `undefined` when valid, otherwise the JSON path of the first violation (never the value itself)
 */
export function validateAgainstSchema(value: unknown, schema: unknown): string | undefined {
  return validate(value, schema, '$', 0);
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function matchesType(v: unknown, name: string): boolean {
  const actual = typeOf(v);
  return actual === name || (name === 'number' && actual === 'integer');
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k)
    && deepEqual((a as JsonObject)[k], (b as JsonObject)[k]));
}

function validate(value: unknown, schema: unknown, path: string, depth: number): string | undefined {
  if (schema === true) return undefined;
  if (schema === false) return path;
  if (!isObject(schema) || depth > MAX_SCHEMA_DEPTH + 1) return path;
  const s = schema;
  if (s.type !== undefined) {
    const names = Array.isArray(s.type) ? s.type : [s.type];
    if (!names.some((n) => typeof n === 'string' && matchesType(value, n))) return path;
  }
  if (Array.isArray(s.enum) && !s.enum.some((e) => deepEqual(e, value))) return path;
  if ('const' in s && !deepEqual(s.const, value)) return path;
  for (const key of NUMERIC_KEYWORDS) {
    const limit = s[key];
    if (typeof limit !== 'number') continue;
    const measured = key.endsWith('Items') ? (Array.isArray(value) ? value.length : undefined)
      : key.endsWith('Length') ? (typeof value === 'string' ? [...value].length : undefined)
        : (typeof value === 'number' ? value : undefined);
    if (measured === undefined) continue;
    const ok = key.startsWith('min') ? measured >= limit
      : key.startsWith('max') ? measured <= limit
        : key === 'exclusiveMinimum' ? measured > limit : measured < limit;
    if (!ok) return path;
  }
  if (isObject(value)) {
    const props = isObject(s.properties) ? s.properties : {};
    if (Array.isArray(s.required)) {
      for (const name of s.required) {
        if (typeof name === 'string' && !Object.prototype.hasOwnProperty.call(value, name)) return `${path}.${name}`;
      }
    }
    for (const [name, sub] of Object.entries(value)) {
      const childPath = `${path}.${name.slice(0, 40)}`;
      if (Object.prototype.hasOwnProperty.call(props, name)) {
        const problem = validate(sub, props[name], childPath, depth + 1);
        if (problem) return problem;
      } else if (s.additionalProperties !== undefined) {
        const problem = validate(sub, s.additionalProperties, childPath, depth + 1);
        if (problem) return problem;
      }
    }
  }
  if (Array.isArray(value) && s.items !== undefined) {
    for (let i = 0; i < value.length; i++) {
      const problem = validate(value[i], s.items, `${path}[${i}]`, depth + 1);
      if (problem) return problem;
    }
  }
  if (Array.isArray(s.allOf)) {
    for (const sub of s.allOf) {
      const problem = validate(value, sub, path, depth + 1);
      if (problem) return problem;
    }
  }
  if (Array.isArray(s.anyOf) && !s.anyOf.some((sub) => validate(value, sub, path, depth + 1) === undefined)) return path;
  if (Array.isArray(s.oneOf) && s.oneOf.filter((sub) => validate(value, sub, path, depth + 1) === undefined).length !== 1) return path;
  return undefined;
}
