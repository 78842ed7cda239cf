// Turns zod issues on a hardware file into HwProblems that say where (the JSON path), what was
// found, what is allowed, and a hint for close misspellings. It reads the raw data for "found" and
// the schema for "allowed"; it neither parses nor throws.
import { z } from 'zod';
import { closestHint } from './closest-hint.js';
import type { HwProblem } from './to-hw-model.js';

type Path = ReadonlyArray<PropertyKey>;

/** `memory[1].bandwidth` for ['memory', 1, 'bandwidth']; `(top level)` for []. */
export function formatPath(path: Path): string {
  let text = '';
  for (const key of path) text += typeof key === 'number' ? `[${key}]` : `${text === '' ? '' : '.'}${String(key)}`;
  return text === '' ? '(top level)' : text;
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodDefault || current instanceof z.ZodNullable) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}

function schemaAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  for (const key of path) {
    if (current === undefined) return undefined;
    const inner: z.ZodType = unwrap(current);
    if (inner instanceof z.ZodObject && typeof key === 'string')
      current = (inner.shape as Record<string, z.ZodType>)[key];
    else if (inner instanceof z.ZodArray && typeof key === 'number') current = inner.element as z.ZodType;
    else return undefined;
  }
  return current;
}

function describe(schema: z.ZodType | undefined): string | undefined {
  if (schema === undefined) return undefined;
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject) return `an object with keys ${Object.keys(inner.shape).join(', ')}`;
  if (inner instanceof z.ZodEnum) return `one of ${inner.options.join(', ')}`;
  const described = schema.description ?? inner.description;
  if (described !== undefined) return described;
  if (inner instanceof z.ZodString) return 'a non-empty string';
  if (inner instanceof z.ZodBoolean) return 'true or false';
  if (inner instanceof z.ZodArray) return 'a list';
  return undefined;
}

/** The JSON type of a value in words, for "found 5 (a number)" when the type is wrong. */
function jsonType(value: unknown, expected: string): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  // A bare number where a string is expected is nearly always a quantity written without its unit.
  if (typeof value === 'number' && expected === 'string') return 'a number without a unit; quantities are strings';
  return `a ${typeof value}`;
}

function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function unknownKeys(issue: z.core.$ZodIssueUnrecognizedKeys, schema: z.ZodType): HwProblem[] {
  const parent = schemaAt(schema, issue.path);
  const inner = parent === undefined ? undefined : unwrap(parent);
  const allowed = inner instanceof z.ZodObject ? Object.keys(inner.shape) : [];
  return issue.keys.map((key) => ({
    path: formatPath([...issue.path, key]),
    message: `unknown key "${key}", allowed: ${allowed.join(', ')}${closestHint(key, allowed)}`,
  }));
}

/** One HwProblem per zod issue (one per key for unknown keys), in the order zod found them. */
export function formatIssues(issues: readonly z.core.$ZodIssue[], data: unknown, schema: z.ZodType): HwProblem[] {
  return issues.flatMap((issue): HwProblem[] => {
    if (issue.code === 'unrecognized_keys') return unknownKeys(issue, schema);
    const path = formatPath(issue.path);
    const found = valueAt(data, issue.path);
    const allowed = describe(schemaAt(schema, issue.path)) ?? issue.message;
    if (issue.code === 'custom') return [{ path, message: issue.message }];
    if (found === undefined) return [{ path, message: `missing, allowed: ${allowed}` }];
    if (issue.code === 'invalid_value') {
      const options = issue.values.map(String);
      const meaning = schemaAt(schema, issue.path)?.description;
      const explained = meaning ?? options.join(', ');
      return [{ path, message: `found ${shown(found)}, allowed: ${explained}${closestHint(String(found), options)}` }];
    }
    if (issue.code === 'invalid_type')
      return [{ path, message: `found ${shown(found)} (${jsonType(found, issue.expected)}), allowed: ${allowed}` }];
    return [{ path, message: `found ${shown(found)}, allowed: ${allowed}` }];
  });
}
