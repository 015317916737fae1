// a.ref, a.customType, a.enum, relationship fields (hasOne/hasMany/belongsTo) and a.model
// with its index builder.
import { allow, allowWithoutResource } from './auth.js';
import {
  brand,
  brandSymbol,
  callSiteAround,
  callUser,
  captureCallSite,
  markModifier,
  modifierSite,
  toArray,
  withCallSite,
} from './util.js';

// ---------------------------------------------------------------- a.ref
export function ref(link) {
  const data = {
    type: 'ref',
    link,
    valueRequired: false,
    array: false,
    arrayRequired: false,
    mutationOperations: [],
    authorization: [],
  };
  const builder = {
    required() {
      if (data.array) {
        data.arrayRequired = true;
      } else {
        data.valueRequired = true;
      }
      return this;
    },
    array() {
      data.array = true;
      return this;
    },
    authorization(callback) {
      markModifier(this, 'authorization');
      data.authorization = toArray(callUser(callback, allow, modifierSite(this, 'authorization')));
      return this;
    },
    mutations(operations) {
      data.mutationOperations = operations;
      return this;
    },
    data,
  };
  return withCallSite(builder);
}

// ---------------------------------------------------------------- a.customType / a.enum
export function customType(fields) {
  return withCallSite({ data: { fields, type: 'customType' } }, callSiteAround(captureCallSite(), fields));
}

export function enumType(values) {
  return withCallSite({ type: 'enum', values });
}

// ---------------------------------------------------------------- relationships
const relationModifiers = {
  belongsTo: ['authorization'],
  hasMany: ['valueRequired', 'authorization'],
  hasOne: ['required', 'authorization'],
};

function relationshipField(type, relatedModel, references) {
  const data = {
    relatedModel,
    type,
    fieldType: 'model',
    array: false,
    valueRequired: false,
    arrayRequired: false,
    references,
    authorization: [],
  };
  data.array = type === 'hasMany';
  const all = {
    required() {
      data.arrayRequired = true;
      return this;
    },
    valueRequired() {
      data.valueRequired = true;
      return this;
    },
    authorization(callback) {
      markModifier(this, 'authorization');
      data.authorization = toArray(callUser(callback, allow, modifierSite(this, 'authorization')));
      return this;
    },
  };
  const field = {};
  for (const key of relationModifiers[type]) field[key] = all[key];
  field.data = data;
  return withCallSite(field);
}

export const hasOne = (relatedModel, references) =>
  relationshipField('hasOne', relatedModel, toArray(references));
export const hasMany = (relatedModel, references) =>
  relationshipField('hasMany', relatedModel, toArray(references));
export const belongsTo = (relatedModel, references) =>
  relationshipField('belongsTo', relatedModel, toArray(references));

// ---------------------------------------------------------------- secondary indexes
export function modelIndex(partitionKey) {
  const data = {
    partitionKey,
    sortKeys: [],
    indexName: '',
    queryField: '',
    projectionType: 'ALL',
    nonKeyAttributes: undefined,
  };
  const builder = {
    sortKeys(sortKeys) {
      data.sortKeys = sortKeys;
      return this;
    },
    name(name) {
      data.indexName = name;
      return this;
    },
    queryField(field) {
      data.queryField = field;
      return this;
    },
    projection(type, ...args) {
      data.projectionType = type;
      if (type === 'INCLUDE') {
        data.nonKeyAttributes = args[0];
      }
      return this;
    },
    ...brand('modelIndexType'),
    data,
  };
  return withCallSite(builder);
}

// ---------------------------------------------------------------- a.model
export function model(fields) {
  const data = {
    fields,
    identifier: ['id'],
    secondaryIndexes: [],
    authorization: [],
    disabledOperations: [],
  };
  const builder = {
    identifier(identifier) {
      markModifier(this, 'identifier');
      data.identifier = identifier;
      return this;
    },
    secondaryIndexes(callback) {
      markModifier(this, 'secondaryIndexes');
      data.secondaryIndexes = callUser(callback, modelIndex, modifierSite(this, 'secondaryIndexes'));
      return this;
    },
    disableOperations(ops) {
      markModifier(this, 'disableOperations');
      data.disabledOperations = ops;
      return this;
    },
    authorization(callback) {
      markModifier(this, 'authorization');
      const site = modifierSite(this, 'authorization');
      data.authorization = toArray(callUser(callback, allowWithoutResource(), site));
      return this;
    },
    [brandSymbol]: 'modelType',
    data,
    // SQL schemas: `schema.setRelationships(models => [models.X.relationships({...})])`
    relationships(relationships) {
      data.fields = { ...data.fields, ...relationships };
    },
    fields: data.fields,
  };
  return withCallSite(builder, callSiteAround(captureCallSite(), fields));
}

/** Whether `value` is a model builder (what `schema.models` lists). */
export function isSchemaModelType(value) {
  return (
    typeof value === 'object' &&
    value !== null &&
    value.data !== undefined &&
    value.data.fields !== undefined &&
    value.data.authorization !== undefined &&
    value.data.identifier !== undefined &&
    value.data.secondaryIndexes !== undefined &&
    typeof value.relationships === 'function'
  );
}
