// The JSON shapes of schemas/, compiled once with ajv: every --json document a test sees is
// checked against its shape.
import fs from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { expect } from 'vitest';

const DIR = path.join(__dirname, '..', '..', 'schemas');
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
for (const f of fs.readdirSync(DIR).filter((f) => f.endsWith('.schema.json')))
  ajv.addSchema(JSON.parse(fs.readFileSync(path.join(DIR, f), 'utf8')), f);

export type SchemaName = 'action' | 'status' | 'doctor' | 'dry-run' | 'error' | 'common' | 'wait' | 'list';

/** The schema a document's command calls for. */
export function schemaFor(doc: { command: string | null }): SchemaName {
  if (doc.command === null) return 'error';
  if (['start', 'stop', 'restart'].includes(doc.command)) return 'action';
  return doc.command as SchemaName;
}

/** Parses stdout as exactly one JSON document and checks it against its schema. */
export function expectDocument(
  stdout: string,
  name?: SchemaName,
): Record<string, unknown> & { command: string | null } {
  const doc = JSON.parse(stdout);
  const validate = ajv.getSchema(`${name ?? schemaFor(doc)}.schema.json`)!;
  expect(validate(doc), JSON.stringify(validate.errors, null, 2)).toBe(true);
  return doc;
}
