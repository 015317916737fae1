// Rendering of fields, @auth rules, native AppSync auth directives, @model attributes and @index
// directives into directive SDL, plus the checks that go with them.
import { accessData } from '../auth.js';
import { GENERATED, ModelFieldType, makeField } from '../fields.js';
import { capitalize, schemaError } from '../util.js';
import { isEnumType, isRefField } from './refs.js';

/** `JSON.stringify` of a string: the escaping the builder uses inside GraphQL strings. */
export function escapeGraphQlString(str) {
  return JSON.stringify(str);
}

export function scalarFieldToGql(fieldDef, identifier, secondaryIndexes = []) {
  const { fieldType, required, array, arrayRequired, default: _default, validation = [] } = fieldDef;
  let field = fieldType;

  if (identifier !== undefined) {
    field += '!';
    if (identifier.length > 1) {
      const [, ...sk] = identifier;
      field += ` @primaryKey(sortKeyFields: [${sk.map((k) => `"${k}"`).join(', ')}])`;
    } else {
      field += ' @primaryKey';
    }
    for (const index of secondaryIndexes) field += ` ${index}`;
    if (_default === GENERATED) field += ` @default`;
    return field;
  }

  if (required === true) field += '!';
  if (array) {
    field = `[${field}]`;
    if (arrayRequired === true) field += '!';
  }

  if (_default === GENERATED) {
    field += ` @default`;
  } else if (_default !== undefined) {
    field += ` @default(value: "${_default?.toString()}")`;
  }

  for (const index of secondaryIndexes) field += ` ${index}`;

  for (const rule of validation) {
    const value = typeof rule.value === 'number' ? rule.value.toString() : rule.value;
    if (rule.errorMessage) {
      field += ` @validate(type: ${rule.type}, value: "${value}", errorMessage: ${escapeGraphQlString(rule.errorMessage)})`;
    } else {
      field += ` @validate(type: ${rule.type}, value: "${value}")`;
    }
  }
  return field;
}

export function modelFieldToGql(fieldDef) {
  const { type, relatedModel, array, valueRequired, arrayRequired, references } = fieldDef;
  let field = relatedModel;
  if (valueRequired === true) field += '!';
  if (array) field = `[${field}]`;
  if (arrayRequired === true) field += '!';
  if (references && Array.isArray(references) && references.length > 0) {
    // an array in a template literal joins with "," (no space)
    field += ` @${type}(references: [${references.map((s) => `"${String(s)}"`)}])`;
  } else {
    field += ` @${type}`;
  }
  return field;
}

export function refFieldToGql(fieldDef, secondaryIndexes = []) {
  const { link, valueRequired, array, arrayRequired } = fieldDef;
  let field = link;
  if (valueRequired === true) field += '!';
  if (array === true) field = `[${field}]`;
  if (arrayRequired === true) field += '!';
  for (const index of secondaryIndexes) field += ` ${index}`;
  return field;
}

export function enumFieldToGql(enumName, secondaryIndexes = []) {
  let field = enumName;
  for (const index of secondaryIndexes) field += ` ${index}`;
  return field;
}

// ---------------------------------------------------------------- implied (auth) fields
const stringFieldTypes = {
  ID: true,
  String: true,
  AWSDate: true,
  AWSTime: true,
  AWSDateTime: true,
  AWSEmail: true,
  AWSPhone: true,
  AWSURL: true,
  AWSIPAddress: true,
};

const normalizeStringFieldType = (fieldType) =>
  fieldType in stringFieldTypes ? ModelFieldType.String : fieldType;

function areConflicting(left, right) {
  if (left.data.array !== right.data.array) return true;
  return normalizeStringFieldType(left.data.fieldType) !== normalizeStringFieldType(right.data.fieldType);
}

/** Merges implied fields into `existing`; `site` is blamed on conflict. */
export function addFields(existing, additions, ...sites) {
  for (const [k, addition] of Object.entries(additions)) {
    if (!existing[k]) {
      existing[k] = addition;
    } else if (areConflicting(existing[k], addition)) {
      throw schemaError(`Field ${k} defined twice with conflicting definitions.`, ...sites);
    }
  }
}

/** SQL models: every implied field must be an explicit field. */
export function validateStaticFields(existing, implicitFields, ...sites) {
  if (implicitFields === undefined) return;
  for (const [k, field] of Object.entries(implicitFields)) {
    if (!existing[k]) {
      throw schemaError(`Field ${k} isn't defined.`, ...sites);
    } else if (areConflicting(existing[k], field)) {
      throw schemaError(`Field ${k} defined twice with conflicting definitions.`, existing[k], ...sites);
    }
  }
}

export function validateImpliedFields(existing, implicitFields, site) {
  if (implicitFields === undefined) return;
  for (const [k, field] of Object.entries(implicitFields)) {
    if (existing[k] && areConflicting(existing[k], field)) {
      throw schemaError(
        `Implicit field ${k} conflicts with the explicit field definition.`,
        existing[k],
        site,
      );
    }
  }
}

// ---------------------------------------------------------------- @auth
/** `@auth(rules: [...])` of a rule list, and the owner/group fields the rules imply. */
export function calculateAuth(authorization, ...sites) {
  const authFields = {};
  const rules = [];
  for (const entry of authorization) {
    const rule = accessData(entry);
    const parts = [];
    if (rule.strategy) {
      parts.push(`allow: ${rule.strategy}`);
    } else {
      return { authFields, authString: '' };
    }
    if (rule.provider) parts.push(`provider: ${rule.provider}`);
    if (rule.operations) parts.push(`operations: [${rule.operations.join(', ')}]`);
    if (rule.groupOrOwnerField) {
      if (rule.strategy === 'groups') {
        parts.push(`groupsField: "${rule.groupOrOwnerField}"`);
      } else {
        parts.push(`ownerField: "${rule.groupOrOwnerField}"`);
      }
      const implied = rule.multiOwner ? makeField('String').array() : makeField('String');
      addFields(authFields, { [rule.groupOrOwnerField]: implied }, ...sites);
    }
    if (rule.groups) parts.push(`groups: [${rule.groups.map((g) => `"${g}"`).join(', ')}]`);
    if (rule.identityClaim) parts.push(`identityClaim: "${rule.identityClaim}"`);
    if (rule.groupClaim) parts.push(`groupClaim: "${rule.groupClaim}"`);
    rules.push(`{${parts.join(', ')}}`);
  }
  const authString = rules.length > 0 ? `@auth(rules: [${rules.join(',\n  ')}])` : '';
  return { authString, authFields };
}

function validateCustomHandlerAuthRule(rule, ...sites) {
  if (rule.groups && rule.provider === 'oidc') {
    throw schemaError('OIDC group auth is not supported with a.handler.custom', ...sites);
  }
  if (rule.provider === 'identityPool' || rule.provider === 'iam') {
    throw schemaError(
      "identityPool-based auth (allow.guest() and allow.authenticated('identityPool')) is not supported with a.handler.custom",
      ...sites,
    );
  }
}

const nativeDirectives = {
  public: { default: '@aws_api_key', apiKey: '@aws_api_key', iam: '@aws_iam', identityPool: '@aws_iam' },
  private: {
    default: '@aws_cognito_user_pools',
    userPools: '@aws_cognito_user_pools',
    oidc: '@aws_oidc',
    iam: '@aws_iam',
    identityPool: '@aws_iam',
  },
  groups: { default: '@aws_cognito_user_pools', userPools: '@aws_cognito_user_pools' },
  custom: { default: '@aws_lambda', function: '@aws_lambda' },
};

function nativeDirectiveOf(rule, ...sites) {
  const byProvider = Object.prototype.hasOwnProperty.call(nativeDirectives, rule.strategy)
    ? nativeDirectives[rule.strategy]
    : undefined;
  if (byProvider === undefined) {
    throw schemaError(`Unsupported auth strategy for custom handlers: ${rule.strategy}`, ...sites);
  }
  const provider = rule.provider || 'default';
  const directive = Object.prototype.hasOwnProperty.call(byProvider, provider)
    ? byProvider[provider]
    : undefined;
  if (directive === undefined) {
    throw schemaError(`Unsupported provider for custom handlers: ${rule.provider}`, ...sites);
  }
  return directive;
}

/** Native AppSync directives (`@aws_api_key @aws_cognito_user_pools(cognito_groups: [...])`). */
export function mapToNativeAppSyncAuthDirectives(authorization, isCustomHandler, ...sites) {
  const rules = new Set();
  const groupProvider = new Map();
  const generalProviderUsed = new Set();
  for (const entry of authorization) {
    const rule = accessData(entry);
    if (isCustomHandler) validateCustomHandlerAuthRule(rule, ...sites);
    const provider = nativeDirectiveOf(rule, ...sites);
    if (rule.groups) {
      if (!groupProvider.has(provider)) groupProvider.set(provider, new Set());
      rule.groups.forEach((group) => groupProvider.get(provider).add(group));
    } else {
      generalProviderUsed.add(provider);
      rules.add(provider);
    }
  }
  groupProvider.forEach((groups, provider) => {
    if (!generalProviderUsed.has(provider)) {
      const list = Array.from(groups).reduce(
        (acc, group) => (acc == '' ? `"${group}"` : `${acc}, "${group}"`),
        '',
      );
      rules.add(`${provider}(cognito_groups: [${list}])`);
    }
  });
  return { authString: [...rules].join(' ') };
}

// ---------------------------------------------------------------- @model attributes
/** `subscriptions:null,mutations:{delete:null}` for `.disableOperations([...])`. */
export function modelAttributesFromDisabledOps(disabledOps) {
  const fineToCoarse = {
    onCreate: 'subscriptions',
    onUpdate: 'subscriptions',
    onDelete: 'subscriptions',
    create: 'mutations',
    update: 'mutations',
    delete: 'mutations',
    list: 'queries',
    get: 'queries',
  };
  const coarse = ['queries', 'mutations', 'subscriptions'];
  // stable partition: coarse-grained options first
  const sorted = [
    ...disabledOps.filter((op) => coarse.includes(op)),
    ...disabledOps.filter((op) => !coarse.includes(op)),
  ];
  const attrs = {};
  for (const op of sorted) {
    if (coarse.includes(op)) {
      attrs[op] = null;
      continue;
    }
    const coarseOp = fineToCoarse[op];
    if (attrs[coarseOp] !== null) {
      attrs[coarseOp] = attrs[coarseOp] || {};
      attrs[coarseOp][op] = null;
    }
  }
  return JSON.stringify(attrs).replace(/"/g, '').slice(1, -1);
}

// ---------------------------------------------------------------- @index
const defaultQueryField = (modelName, pk, sk) => {
  const skName = sk?.length ? 'And' + sk.map(capitalize).join('And') : '';
  return `list${capitalize(modelName)}By${capitalize(pk)}${skName}`;
};

/** Map field name → `@index(...)` directives for a model's `.secondaryIndexes(...)`. */
export function transformedSecondaryIndexesForModel(modelName, secondaryIndexes, modelFields, getRefType, site) {
  const directive = (index) => {
    const { partitionKey, sortKeys, indexName, queryField, projectionType, nonKeyAttributes } = index.data;
    for (const keyName of [partitionKey, ...sortKeys]) {
      const field = modelFields[keyName];
      if (isRefField(field)) {
        const { def } = getRefType(field.data.link, modelName, field);
        if (!isEnumType(def)) {
          throw schemaError(
            `The ref field \`${keyName}\` used in the secondary index of \`${modelName}\` should refer to an enum type. \`${field.data.link}\` is not a enum type.`,
            index,
            field,
            site,
          );
        }
      }
    }
    if (!sortKeys.length && !indexName && !queryField && queryField !== null && !projectionType) {
      return `@index(queryField: "${defaultQueryField(modelName, partitionKey)}")`;
    }
    const attributes = [];
    if (indexName) attributes.push(`name: "${indexName}"`);
    if (sortKeys.length) attributes.push(`sortKeyFields: [${sortKeys.map((sk) => `"${sk}"`).join(', ')}]`);
    if (queryField === null) {
      attributes.push(`queryField: null`);
    } else if (queryField) {
      attributes.push(`queryField: "${queryField}"`);
    } else {
      attributes.push(`queryField: "${defaultQueryField(modelName, partitionKey, sortKeys)}"`);
    }
    if (projectionType && projectionType !== 'ALL') {
      if (projectionType === 'KEYS_ONLY') {
        attributes.push(`projection: { type: KEYS_ONLY }`);
      } else if (projectionType === 'INCLUDE' && nonKeyAttributes?.length) {
        const attrs = nonKeyAttributes.map((attr) => `"${attr}"`).join(', ');
        attributes.push(`projection: { type: INCLUDE, nonKeyAttributes: [${attrs}] }`);
      }
    }
    return `@index(${attributes.join(', ')})`;
  };

  return secondaryIndexes.reduce((acc, index) => {
    const pk = index.data.partitionKey;
    acc[pk] = acc[pk] || [];
    acc[pk].push(directive(index));
    return acc;
  }, {});
}
