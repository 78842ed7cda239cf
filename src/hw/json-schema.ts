// The JSON Schema of hardware files, generated from the zod schema with z.toJSONSchema so editors
// can validate and complete hw-models/*.json. The unit checks are zod refinements and do not appear
// in it; the loader remains the authority. Run `npx tsx src/hw/json-schema.ts` to rewrite
// hw-models/schema.json; test/unit/hw-schema.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { hwFileSchema } from './schema.js';

/** The text of hw-models/schema.json (stable, two-space indented, trailing newline). */
export function hwJsonSchemaText(): string {
  const schema = z.toJSONSchema(hwFileSchema, { target: 'draft-2020-12', io: 'input' });
  const titled = { ...schema, title: 'alrflow hardware model', $id: 'https://alrflow.invalid/hw-models/schema.json' };
  return `${JSON.stringify(titled, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const target = join(fileURLToPath(new URL('../../hw-models/', import.meta.url)), 'schema.json');
  writeFileSync(target, hwJsonSchemaText());
  process.stdout.write(`wrote ${target}\n`);
}
