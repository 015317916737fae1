// @aws-appsync/utils/dynamodb for Stratus: builders of DynamoDB request objects (the
// "DynamoDB module functions" of the APPSYNC_JS runtime).

import { util, __filterExpression } from '@aws-appsync/utils';

const T = util.dynamodb;
const absent = (v) => v === undefined || v === null;

// Drop undefined members so the request object is what AppSync would send.
const clean = (obj) => {
  const out = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined) out[k] = v;
  return out;
};

const condition = (c) => (absent(c) ? undefined : (__filterExpression(c) ?? undefined));
const filter = (f) => (absent(f) ? undefined : (__filterExpression(f) ?? undefined));

// ['id', 'name', 'nested.object[1]'] → { expression: '#p0, #p1, #p2.#p3[1]', expressionNames }
const projection = (p) => {
  if (absent(p)) return undefined;
  if (!Array.isArray(p)) return p;
  const expressionNames = {};
  let n = 0;
  const paths = p.map((path) =>
    String(path).replace(/[^.[\]]+/g, (part) => {
      if (/^\d+$/.test(part)) return part;
      const name = `#p${n}`;
      n = n + 1;
      expressionNames[name] = part;
      return name;
    }),
  );
  return { expression: paths.join(', '), expressionNames };
};

export const get = ({ key, consistentRead, projection: p } = {}) =>
  clean({ operation: 'GetItem', key: T.toMapValues(key), consistentRead, projection: projection(p) });

export const put = ({ key, item, condition: c, customPartitionKey, populateIndexFields, _version } = {}) =>
  clean({
    operation: 'PutItem',
    key: T.toMapValues(key),
    attributeValues: T.toMapValues(item ?? {}),
    condition: condition(c),
    customPartitionKey,
    populateIndexFields,
    _version,
  });

export const remove = ({ key, condition: c, customPartitionKey, populateIndexFields, _version } = {}) =>
  clean({
    operation: 'DeleteItem',
    key: T.toMapValues(key),
    condition: condition(c),
    customPartitionKey,
    populateIndexFields,
    _version,
  });

const OP = '__stratusUpdateOperation';
const op = (type, extra) => ({ [OP]: type, ...extra });

export const operations = {
  add: (value) => op('add', { value }),
  remove: () => op('remove'),
  replace: (value) => op('replace', { value }),
  increment: (by) => op('increment', { by: by ?? 1 }),
  decrement: (by) => op('decrement', { by: by ?? 1 }),
  append: (items) => op('append', { items }),
  prepend: (items) => op('prepend', { items }),
  updateListItem: (value, index) => op('updateListItem', { value, index }),
};

const isOp = (v) => v !== null && typeof v === 'object' && Object.hasOwn(v, OP);
const isPlain = (v) => v !== null && typeof v === 'object' && !Array.isArray(v) && !isOp(v);

const setOf = (items) =>
  items.every((x) => typeof x === 'number') ? T.toNumberSet(items) : T.toStringSet(items);

// An update object → { expression: 'SET ... ADD ... REMOVE ...', expressionNames, expressionValues }
const updateExpression = (update) => {
  const names = {};
  const values = {};
  const clauses = { SET: [], ADD: [], REMOVE: [], DELETE: [] };
  let n = 0;
  let v = 0;
  const name = (k) => {
    const key = `#expName${n}`;
    n = n + 1;
    names[key] = k;
    return key;
  };
  const value = (typed) => {
    const key = `:expValue${v}`;
    v = v + 1;
    values[key] = typed;
    return key;
  };
  const walk = (obj, prefix) => {
    for (const [k, x] of Object.entries(obj)) {
      if (x === undefined) continue;
      const path = prefix ? `${prefix}.${name(k)}` : name(k);
      if (x === null) {
        clauses.REMOVE.push(path);
      } else if (isOp(x)) {
        switch (x[OP]) {
          case 'increment':
            clauses.ADD.push(`${path} ${value(T.toDynamoDB(x.by))}`);
            break;
          case 'decrement':
            clauses.ADD.push(`${path} ${value(T.toDynamoDB(-x.by))}`);
            break;
          case 'add':
            if (typeof x.value === 'number') clauses.ADD.push(`${path} ${value(T.toDynamoDB(x.value))}`);
            else if (Array.isArray(x.value)) clauses.ADD.push(`${path} ${value(setOf(x.value))}`);
            else clauses.SET.push(`${path} = ${value(T.toDynamoDB(x.value))}`);
            break;
          case 'remove':
            clauses.REMOVE.push(path);
            break;
          case 'replace':
            clauses.SET.push(`${path} = ${value(T.toDynamoDB(x.value))}`);
            break;
          case 'append':
            clauses.SET.push(
              `${path} = list_append(if_not_exists(${path}, ${value({ L: [] })}), ${value(T.toDynamoDB(x.items))})`,
            );
            break;
          case 'prepend':
            clauses.SET.push(
              `${path} = list_append(${value(T.toDynamoDB(x.items))}, if_not_exists(${path}, ${value({ L: [] })}))`,
            );
            break;
          case 'updateListItem':
            clauses.SET.push(`${path}[${x.index}] = ${value(T.toDynamoDB(x.value))}`);
            break;
          default:
            throw new Error(`unknown update operation ${x[OP]}`);
        }
      } else if (Array.isArray(x) && x.length > 0 && x.every((e) => isOp(e) && e[OP] === 'updateListItem')) {
        for (const e of x) clauses.SET.push(`${path}[${e.index}] = ${value(T.toDynamoDB(e.value))}`);
      } else if (isPlain(x)) {
        walk(x, path);
      } else {
        clauses.SET.push(`${path} = ${value(T.toDynamoDB(x))}`);
      }
    }
  };
  walk(update ?? {}, '');
  const expression = Object.entries(clauses)
    .filter(([, actions]) => actions.length)
    .map(([clause, actions]) => `${clause} ${actions.join(', ')}`)
    .join(' ');
  const out = { expression, expressionNames: names };
  if (Object.keys(values).length) out.expressionValues = values;
  return out;
};

export const update = ({ key, update: u, condition: c, customPartitionKey, populateIndexFields, _version } = {}) =>
  clean({
    operation: 'UpdateItem',
    key: T.toMapValues(key),
    update: updateExpression(u),
    condition: condition(c),
    customPartitionKey,
    populateIndexFields,
    _version,
  });

// A key condition object ({ id: { eq: 1 }, createdAt: { beginsWith: '2024' } }) → expression.
const keyCondition = (query) => {
  const names = {};
  const values = {};
  const parts = [];
  let i = 0;
  for (const [field, ops] of Object.entries(query ?? {})) {
    if (absent(ops)) continue;
    const name = `#${field}`;
    names[name] = field;
    for (const [o, x] of Object.entries(ops)) {
      const val = (y) => {
        const key = `:${field}${i}`;
        i = i + 1;
        values[key] = T.toDynamoDB(y);
        return key;
      };
      const cmp = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' }[o];
      if (cmp) parts.push(`${name} ${cmp} ${val(x)}`);
      else if (o === 'between') parts.push(`${name} BETWEEN ${val(x[0])} AND ${val(x[1])}`);
      else if (o === 'beginsWith') parts.push(`begins_with(${name}, ${val(x)})`);
      else throw new Error(`unknown key condition operator ${o} on ${field}`);
    }
  }
  return { expression: parts.join(' AND '), expressionNames: names, expressionValues: values };
};

export const query = ({ query: q, index, nextToken, limit, scanIndexForward, consistentRead, select, filter: f, projection: p } = {}) =>
  clean({
    operation: 'Query',
    query: keyCondition(q),
    index: index ?? undefined,
    nextToken: nextToken ?? undefined,
    limit: limit ?? undefined,
    scanIndexForward: scanIndexForward ?? undefined,
    consistentRead: consistentRead ?? undefined,
    select: select ?? undefined,
    filter: filter(f),
    projection: projection(p),
  });

export const scan = ({ index, limit, filter: f, nextToken, consistentRead, totalSegments, segment, select, projection: p } = {}) =>
  clean({
    operation: 'Scan',
    index: index ?? undefined,
    limit: limit ?? undefined,
    filter: filter(f),
    nextToken: nextToken ?? undefined,
    consistentRead: consistentRead ?? undefined,
    totalSegments,
    segment,
    select: select ?? undefined,
    projection: projection(p),
  });

export const sync = ({ basePartitionKey, deltaIndexName, limit, nextToken, lastSync, filter: f } = {}) =>
  clean({ operation: 'Sync', basePartitionKey, deltaIndexName, limit, nextToken, lastSync, filter: filter(f) });

const mapTables = (tables, f) => {
  const out = {};
  for (const [table, value] of Object.entries(tables ?? {})) out[table] = f(value);
  return out;
};

export const batchGet = ({ tables } = {}) => ({
  operation: 'BatchGetItem',
  tables: mapTables(tables, ({ keys, consistentRead, projection: p }) =>
    clean({ keys: keys.map(T.toMapValues), consistentRead, projection: projection(p) })),
});

export const batchPut = ({ tables } = {}) => ({
  operation: 'BatchPutItem',
  tables: mapTables(tables, (items) => items.map(T.toMapValues)),
});

export const batchDelete = ({ tables } = {}) => ({
  operation: 'BatchDeleteItem',
  tables: mapTables(tables, (keys) => keys.map(T.toMapValues)),
});

export const transactGet = ({ items } = {}) => ({
  operation: 'TransactGetItems',
  transactItems: items.map(({ table, key, projection: p }) =>
    clean({ table, key: T.toMapValues(key), projection: projection(p) })),
});

export const transactWrite = ({ items } = {}) => ({
  operation: 'TransactWriteItems',
  transactItems: items.map((item) => {
    if (item.putItem) {
      const { table, key, item: attrs, condition: c } = item.putItem;
      return clean({ table, operation: 'PutItem', key: T.toMapValues(key), attributeValues: T.toMapValues(attrs), condition: condition(c) });
    }
    if (item.updateItem) {
      const { table, key, update: u, condition: c } = item.updateItem;
      return clean({ table, operation: 'UpdateItem', key: T.toMapValues(key), update: updateExpression(u), condition: condition(c) });
    }
    if (item.deleteItem) {
      const { table, key, condition: c } = item.deleteItem;
      return clean({ table, operation: 'DeleteItem', key: T.toMapValues(key), condition: condition(c) });
    }
    const { table, key, condition: c } = item.conditionCheck ?? {};
    return clean({ table, operation: 'ConditionCheck', key: T.toMapValues(key), condition: condition(c) });
  }),
});

export const toStringSet = (list) => T.toStringSet(list);
export const toNumberSet = (list) => T.toNumberSet(list);
export const toBinarySet = (list) => T.toBinarySet(list);
