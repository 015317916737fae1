// @aws-appsync/utils for Stratus: `util`, `runtime` and `extensions` of the APPSYNC_JS runtime.
// Natives come from Rust as globalThis.__stratus (ids, time, encodings, regular expressions);
// what a handler signals (util.error, util.unauthorized, runtime.earlyReturn) is thrown as a
// marked object the engine recognises, and what it records (util.appendError, subscription
// filters) goes to globalThis.__stratusState, read back after the call.

const N = globalThis.__stratus;
const state = () => globalThis.__stratusState;
const SIGNAL = '__stratusSignal';

const signal = (kind, extra) => {
  throw { [SIGNAL]: kind, ...extra };
};

const isString = (v) => typeof v === 'string';
const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const absent = (v) => v === undefined || v === null;

const unsupported = (what) => () => {
  throw new Error(`${what} is not supported by stratus`);
};

// ---- util.dynamodb ------------------------------------------------------------------------

const toDynamoDB = (value) => {
  if (absent(value)) return { NULL: null };
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: value };
  if (typeof value === 'boolean') return { BOOL: value };
  if (Array.isArray(value)) return { L: value.map(toDynamoDB) };
  if (typeof value === 'object') return { M: toMapValues(value) };
  return { NULL: null };
};

const toMapValues = (obj) => {
  if (absent(obj)) return null;
  const out = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v !== undefined) out[k] = toDynamoDB(v);
  }
  return out;
};

const orNull = (f) => (value) => (absent(value) ? null : f(value));

const dynamodb = {
  toDynamoDB,
  toMapValues,
  toString: orNull((s) => ({ S: s })),
  toStringSet: orNull((l) => ({ SS: l })),
  toNumber: orNull((n) => ({ N: n })),
  toNumberSet: orNull((l) => ({ NS: l })),
  toBinary: orNull((b) => ({ B: b })),
  toBinarySet: orNull((l) => ({ BS: l })),
  toBoolean: orNull((b) => ({ BOOL: b })),
  toNull: () => ({ NULL: null }),
  toList: orNull((l) => ({ L: l.map(toDynamoDB) })),
  toMap: orNull((m) => ({ M: toMapValues(m) })),
  toS3Object: (key, bucket, region, version) => {
    const s3 = { key, bucket, region };
    if (version !== undefined) s3.version = version;
    return { S: JSON.stringify({ s3 }) };
  },
  fromS3ObjectJson: (s) => JSON.parse(s).s3,
};

// ---- util.transform -----------------------------------------------------------------------

const ATTRIBUTE_TYPES = {
  _null: 'NULL', string: 'S', stringSet: 'SS', number: 'N', numberSet: 'NS', binary: 'B',
  binarySet: 'BS', boolean: 'BOOL', list: 'L', map: 'M',
};

// A DynamoDB filter/condition object → { expression, expressionNames, expressionValues }.
const filterExpression = (filter) => {
  const names = {};
  const values = {};
  const value = (field, op, v) => {
    let key = `:${field}_${op}`;
    for (let i = 1; Object.hasOwn(values, key); i = i + 1) key = `:${field}_${op}_${i}`;
    values[key] = toDynamoDB(v);
    return key;
  };
  const build = (obj) => {
    const parts = [];
    for (const [field, ops] of Object.entries(obj ?? {})) {
      if (absent(ops)) continue;
      if (field === 'and' || field === 'or') {
        const items = (Array.isArray(ops) ? ops : [ops]).map(build).filter((e) => e);
        if (items.length) parts.push(items.map((e) => `(${e})`).join(field === 'and' ? ' AND ' : ' OR '));
        continue;
      }
      if (field === 'not') {
        const inner = build(ops);
        if (inner) parts.push(`NOT (${inner})`);
        continue;
      }
      const name = `#${field}`;
      names[name] = field;
      for (const [op, v] of Object.entries(ops)) {
        if (v === undefined) continue;
        switch (op) {
          case 'eq': parts.push(`${name} = ${value(field, op, v)}`); break;
          case 'ne': parts.push(`${name} <> ${value(field, op, v)}`); break;
          case 'le': parts.push(`${name} <= ${value(field, op, v)}`); break;
          case 'lt': parts.push(`${name} < ${value(field, op, v)}`); break;
          case 'ge': parts.push(`${name} >= ${value(field, op, v)}`); break;
          case 'gt': parts.push(`${name} > ${value(field, op, v)}`); break;
          case 'contains': parts.push(`contains(${name}, ${value(field, op, v)})`); break;
          case 'notContains': parts.push(`NOT contains(${name}, ${value(field, op, v)})`); break;
          case 'beginsWith': parts.push(`begins_with(${name}, ${value(field, op, v)})`); break;
          case 'between':
            parts.push(`${name} BETWEEN ${value(field, 'between_0', v[0])} AND ${value(field, 'between_1', v[1])}`);
            break;
          case 'in':
            parts.push(`${name} IN (${v.map((x, i) => value(field, `in_${i}`, x)).join(', ')})`);
            break;
          case 'attributeExists':
            parts.push(v ? `attribute_exists(${name})` : `attribute_not_exists(${name})`);
            break;
          case 'attributeType':
            parts.push(`attribute_type(${name}, ${value(field, op, ATTRIBUTE_TYPES[v] ?? v)})`);
            break;
          default:
            throw new Error(`unknown filter operator ${op} on ${field}`);
        }
      }
    }
    return parts.map((p) => (parts.length > 1 ? `(${p})` : p)).join(' AND ');
  };
  const expression = build(filter);
  if (!expression) return null;
  const out = { expression, expressionNames: names };
  if (Object.keys(values).length) out.expressionValues = values;
  return out;
};

// Disjunctive normal form of a subscription filter object: a list of AND-ed filter lists.
const filterGroups = (obj, ignored) => {
  let groups = [[]];
  const cross = (a, b) => a.flatMap((x) => b.map((y) => [...x, ...y]));
  for (const [field, ops] of Object.entries(obj ?? {})) {
    if (ignored.includes(field) || absent(ops)) continue;
    if (field === 'or') {
      groups = cross(groups, ops.flatMap((o) => filterGroups(o, ignored)));
    } else if (field === 'and') {
      for (const o of ops) groups = cross(groups, filterGroups(o, ignored));
    } else {
      for (const [operator, value] of Object.entries(ops)) {
        groups = groups.map((g) => [...g, { fieldName: field, operator, value }]);
      }
    }
  }
  return groups;
};

const transform = {
  toDynamoDBFilterExpression: (filter) => JSON.stringify(filterExpression(filter)),
  toDynamoDBConditionExpression: (condition) => JSON.stringify(filterExpression(condition)),
  toSubscriptionFilter: (obj, ignoredFields, rules) => {
    let groups = filterGroups(obj, ignoredFields ?? []);
    if (isPlainObject(rules)) {
      const alternatives = filterGroups(rules, []).flatMap((g) => g.map((f) => [f]));
      if (alternatives.length) groups = groups.flatMap((g) => alternatives.map((r) => [...g, ...r]));
    }
    return { filterGroup: groups.filter((g) => g.length).map((filters) => ({ filters })) };
  },
  toElasticsearchQueryDSL: unsupported('util.transform.toElasticsearchQueryDSL'),
};

// ---- util.time ----------------------------------------------------------------------------

const time = {
  nowISO8601: () => N.formatIso(N.nowMillis()),
  nowEpochSeconds: () => Math.floor(N.nowMillis() / 1000),
  nowEpochMilliSeconds: () => N.nowMillis(),
  nowFormatted: (format, zone) => N.formatTime(N.nowMillis(), String(format), zone ?? 'UTC'),
  parseFormattedToEpochMilliSeconds: (text, format, zone) =>
    N.parseTime(String(text), String(format), zone ?? 'UTC'),
  parseISO8601ToEpochMilliSeconds: (text) => N.parseIso(String(text)),
  epochMilliSecondsToSeconds: (ms) => Math.floor(ms / 1000),
  epochMilliSecondsToISO8601: (ms) => N.formatIso(ms),
  epochMilliSecondsToFormatted: (ms, format, zone) => N.formatTime(ms, String(format), zone ?? 'UTC'),
};

// ---- util -----------------------------------------------------------------------------------

const errorArgs = (message, errorType, data, errorInfo) => {
  // AppSync ignores a call whose message, or given type, is not a string.
  if (!isString(message) || (!absent(errorType) && !isString(errorType))) return null;
  return { message, errorType: errorType ?? null, data: data ?? null, errorInfo: errorInfo ?? null };
};

export const util = {
  autoId: () => N.autoId(),
  autoUlid: () => N.autoUlid(),
  autoKsuid: () => N.autoKsuid(),
  error(message, errorType, data, errorInfo) {
    const e = errorArgs(message, errorType, data, errorInfo);
    if (e) signal('error', e);
  },
  appendError(message, errorType, data, errorInfo) {
    const e = errorArgs(message, errorType, data, errorInfo);
    if (e) state().errors.push(e);
  },
  unauthorized() {
    signal('unauthorized', {});
  },
  matches: (pattern, value) => N.matches(String(pattern), String(value)),
  authType: () => N.authType,
  escapeJavaScript: (s) => N.escapeJavaScript(String(s)),
  urlEncode: (s) => N.urlEncode(String(s)),
  urlDecode: (s) => N.urlDecode(String(s)),
  base64Encode: (s) => N.base64Encode(String(s)),
  base64Decode: (s) => N.base64Decode(String(s)),
  isNull: (v) => absent(v),
  isNullOrEmpty: (v) => absent(v) || v === '',
  isNullOrBlank: (v) => absent(v) || (isString(v) && v.trim() === ''),
  defaultIfNull: (v, d) => (absent(v) ? d : v),
  defaultIfNullOrEmpty: (v, d) => (absent(v) || v === '' ? d : v),
  defaultIfNullOrBlank: (v, d) => (absent(v) || (isString(v) && v.trim() === '') ? d : v),
  isString: (v) => isString(v),
  isNumber: (v) => typeof v === 'number',
  isBoolean: (v) => typeof v === 'boolean',
  isList: (v) => Array.isArray(v),
  isMap: (v) => isPlainObject(v),
  typeOf: (v) =>
    absent(v) ? 'Null' : isString(v) ? 'String' : typeof v === 'number' ? 'Number'
      : typeof v === 'boolean' ? 'Boolean' : Array.isArray(v) ? 'List' : 'Map',
  time,
  dynamodb,
  transform,
  math: {
    roundNum: (n) => Math.round(n),
    minVal: (a, b) => Math.min(a, b),
    maxVal: (a, b) => Math.max(a, b),
    randomDouble: () => N.random(),
    randomWithinRange: (start, end) => Math.floor(start + N.random() * (end - start)),
  },
  str: {
    normalize: (s, form) => N.normalize(String(s), String(form)),
  },
  http: {
    copyHeaders: (headers) => {
      const out = {};
      for (const [k, v] of Object.entries(headers ?? {})) {
        if (!['authorization', 'host', 'content-length', 'connection'].includes(k.toLowerCase())) out[k] = v;
      }
      return out;
    },
    addResponseHeader: unsupported('util.http.addResponseHeader'),
    addResponseHeaders: unsupported('util.http.addResponseHeaders'),
  },
  xml: {
    toMap: unsupported('util.xml.toMap'),
    toJsonString: unsupported('util.xml.toJsonString'),
  },
  rds: {
    toJsonString: unsupported('util.rds'),
    toJsonObject: unsupported('util.rds'),
  },
};

export const runtime = {
  earlyReturn(value, options) {
    signal('earlyReturn', { value: value ?? null, skipTo: options?.skipTo ?? null });
  },
};

export const extensions = {
  setSubscriptionFilter(filter) {
    state().subscriptionFilter = filter ?? null;
  },
  setSubscriptionInvalidationFilter(filter) {
    state().invalidationFilter = filter ?? null;
  },
  invalidateSubscriptions: unsupported('extensions.invalidateSubscriptions'),
  // Stratus has no API cache, so nothing is ever cached to evict.
  evictFromApiCache() {},
};

export { filterExpression as __filterExpression };
