// The JSON Schema of network description files (`--model FILE.json`), generated from the zod schema
// with z.toJSONSchema like the hardware one, so editors can validate and complete them. Run
// `npx tsx src/models/network-json-schema.ts` to rewrite src/models/network.schema.json;
// test/unit/model-file.test.ts fails when the file is out of date.
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { networkFileSchema } from './network-schema.js';

export const networkSchemaPath = fileURLToPath(new URL('./network.schema.json', import.meta.url));

/** The text of src/models/network.schema.json (stable, two-space indented, trailing newline). */
export function networkJsonSchemaText(): string {
  const schema = z.toJSONSchema(networkFileSchema, { target: 'draft-2020-12', io: 'input' });
  const titled = {
    ...schema,
    title: 'alrflow network description',
    $id: 'https://alrflow.invalid/models/network.schema.json',
  };
  return `${JSON.stringify(titled, null, 2)}\n`;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(networkSchemaPath, networkJsonSchemaText());
  process.stdout.write(`wrote ${networkSchemaPath}\n`);
}
