// Validation against the Compose Specification's JSON schema (compose-spec.json, see README.md) with ajv.
// The first relevant error is reported with its path in the Compose file (services.web.ports[0]).
import { createRequire } from 'node:module';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { ComposeError } from './errors.js';
import { distFile } from '../util/root.js';
import type ComposeSchema from './compose-spec.json';

let validator: ValidateFunction | undefined;

function compile(): ValidateFunction {
  if (validator) return validator;
  const req = createRequire(distFile('compose', 'schema.js'));
  // the build precompiles the schema (scripts/gen-compose-validator.mjs); compiling it here costs ~0.4 s
  try {
    validator = req(distFile('compose', 'compose-spec-validate.cjs')) as ValidateFunction;
    return validator;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
  }
  // ajv is CommonJS; its default export is the class
  const mod = req('ajv') as { default: new (o: object) => { compile(s: object): ValidateFunction } };
  const schema = req('./compose-spec.json') as typeof ComposeSchema;
  // strict off: the schema uses annotation keywords (deprecated) ajv does not know
  const ajv = new mod.default({ allErrors: true, strict: false, allowUnionTypes: true });
  // the file names its draft-07 meta-schema by an https URL ajv does not know; draft-07 is ajv's default
  const { $schema: _draft, ...body } = schema as Record<string, unknown>;
  validator = ajv.compile(body);
  return validator;
}

/** /services/web/ports/0 -> services.web.ports[0] */
export function instancePathToDotted(p: string): string {
  let s = '';
  for (const raw of p.split('/').slice(1)) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    s += /^\d+$/.test(seg) && s ? `[${seg}]` : s ? `.${seg}` : seg;
  }
  return s;
}

function describe(e: ErrorObject): string {
  const where = instancePathToDotted(e.instancePath) || '(top level)';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': return `${where ? `${where}: ` : ''}additional property "${String(params['additionalProperty'])}" is not allowed`;
    case 'enum': return `${where} must be one of ${(params['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'required': return `${where}: "${String(params['missingProperty'])}" is required`;
    default: return `${where} ${e.message ?? 'is invalid'}`;
  }
}

/** Pick the error most useful to a person: an unknown key, else the deepest path, else the first. */
function pick(errors: ErrorObject[]): ErrorObject {
  const unknown = errors.find((e) => e.keyword === 'additionalProperties');
  if (unknown) return unknown;
  const concrete = errors.filter((e) => e.keyword !== 'oneOf' && e.keyword !== 'anyOf' && e.keyword !== 'if');
  const pool = concrete.length ? concrete : errors;
  return pool.reduce((a, b) => (b.instancePath.split('/').length > a.instancePath.split('/').length ? b : a));
}

/** Validate one parsed Compose file; throws ComposeError "<file>: <path> <why>". */
export function validateSchema(tree: unknown, file: string): void {
  const v = compile();
  if (v(tree)) return;
  throw new ComposeError(`${file}: validation failed: ${describe(pick(v.errors ?? []))}`);
}
