// schema.mjs: docs/openapi.yaml as a validator for real answers, with no extra dependencies.
//
// loadSpec() bundles and dereferences the spec with the Redocly CLI already installed for the
// lint (node_modules/.bin/redocly) into JSON. validate(schema, value) implements the subset of
// JSON Schema 2020-12 the spec uses: type (also type arrays with "null"), enum, const,
// required, properties, additionalProperties, propertyNames, items, allOf, oneOf, anyOf,
// pattern, minimum/maximum, minLength/maxLength, minItems/maxItems, uniqueItems and the formats
// uuid, date and date-time. In strict mode (the default for answers) an object may not carry a
// property that its schema (with its allOf parts) does not declare, unless the schema allows
// additionalProperties: so a field the server adds without documenting it is caught.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers.mjs';

export function loadSpec() {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'jingkang-spec-')), 'openapi.json');
  const r = spawnSync('npx', ['--no-install', 'redocly', 'bundle', 'docs/openapi.yaml', '--dereferenced', '--ext', 'json', '-o', out], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
  });
  if (r.status !== 0 || !fs.existsSync(out)) throw new Error(`redocly bundle failed: ${r.stdout}\n${r.stderr}`);
  const spec = JSON.parse(fs.readFileSync(out, 'utf8'));
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
  return spec;
}

const FORMATS = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  date: /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/,
  'date-time': /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/,
};

function typeOf(v) {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeOk(t, v) {
  const a = typeOf(v);
  return t === a || (t === 'number' && a === 'integer');
}

/** Property names declared by schema s and its allOf parts (recursively). */
function declared(s, acc = new Set()) {
  if (!s || typeof s !== 'object') return acc;
  for (const k of Object.keys(s.properties || {})) acc.add(k);
  for (const p of s.allOf || []) declared(p, acc);
  return acc;
}

function allowsExtra(s) {
  if (!s || typeof s !== 'object') return false;
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) return true;
  return (s.allOf || []).some(allowsExtra);
}

function hasObjectShape(s) {
  if (!s || typeof s !== 'object') return false;
  return !!s.properties || (s.allOf || []).some(hasObjectShape);
}

/** Errors (strings) of value against schema; [] when valid. */
export function validate(schema, value, where = '$', { strict = true } = {}) {
  return check(schema, value, where, strict, true);
}

function check(schema, value, where, strict, checkExtra) {
  const errs = [];
  const s = schema;
  if (!s || typeof s !== 'object' || Object.keys(s).length === 0) return errs;
  const err = (m) => errs.push(`${where}: ${m}`);

  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.some((t) => typeOk(t, value))) {
      err(`expected ${types.join('|')}, got ${typeOf(value)} ${JSON.stringify(value)?.slice(0, 60)}`);
      return errs;
    }
  }
  if (s.const !== undefined && JSON.stringify(s.const) !== JSON.stringify(value)) err(`expected ${JSON.stringify(s.const)}`);
  if (s.enum && !s.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) err(`${JSON.stringify(value)} not in ${JSON.stringify(s.enum)}`);

  if (typeof value === 'string') {
    if (s.pattern && !new RegExp(s.pattern, 'u').test(value)) err(`${JSON.stringify(value)} does not match ${s.pattern}`);
    const len = [...value].length;
    if (s.minLength !== undefined && len < s.minLength) err(`shorter than ${s.minLength}`);
    if (s.maxLength !== undefined && len > s.maxLength) err(`longer than ${s.maxLength}`);
    if (s.format && FORMATS[s.format] && !FORMATS[s.format].test(value)) err(`${JSON.stringify(value)} is not a ${s.format}`);
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) err(`${value} < ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) err(`${value} > ${s.maximum}`);
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) err(`fewer than ${s.minItems} items`);
    if (s.maxItems !== undefined && value.length > s.maxItems) err(`more than ${s.maxItems} items`);
    if (s.uniqueItems && new Set(value.map((x) => JSON.stringify(x))).size !== value.length) err('items not unique');
    if (s.items) value.forEach((x, i) => errs.push(...check(s.items, x, `${where}[${i}]`, strict, true)));
  }
  if (typeOf(value) === 'object') {
    for (const k of s.required || []) if (!(k in value)) err(`missing required property "${k}"`);
    for (const [k, ps] of Object.entries(s.properties || {})) {
      if (k in value) errs.push(...check(ps, value[k], `${where}.${k}`, strict, true));
    }
    if (s.propertyNames) for (const k of Object.keys(value)) errs.push(...check(s.propertyNames, k, `${where}{${k}}`, strict, true));
    const extraKeys = Object.keys(value).filter((k) => !declared(s).has(k));
    if (s.additionalProperties === false) {
      for (const k of extraKeys) err(`property "${k}" not allowed`);
    } else if (s.additionalProperties && typeof s.additionalProperties === 'object') {
      for (const k of extraKeys) errs.push(...check(s.additionalProperties, value[k], `${where}.${k}`, strict, true));
    } else if (strict && checkExtra && hasObjectShape(s) && !allowsExtra(s) && !s.oneOf && !s.anyOf) {
      for (const k of extraKeys) err(`property "${k}" is not documented in the schema`);
    }
  }
  for (const p of s.allOf || []) errs.push(...check(p, value, where, strict, false));
  if (s.oneOf) {
    const ok = s.oneOf.filter((b) => check(b, value, where, strict, true).length === 0).length;
    if (ok !== 1) err(`matches ${ok} of the oneOf branches (want exactly 1)`);
  }
  if (s.anyOf && !s.anyOf.some((b) => check(b, value, where, strict, true).length === 0)) err('matches none of anyOf');
  return errs;
}
