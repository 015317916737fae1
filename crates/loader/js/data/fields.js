// Scalar field builders (a.id(), a.string(), ...) with their modifiers and `.validate()`.
import { allowWithoutResource } from './auth.js';
import { brandSymbol, callUser, markModifier, modifierSite, toArray, withCallSite } from './util.js';

/** GraphQL type of each scalar builder. */
export const ModelFieldType = Object.freeze({
  Id: 'ID',
  String: 'String',
  Integer: 'Int',
  Float: 'Float',
  Boolean: 'Boolean',
  Date: 'AWSDate',
  Time: 'AWSTime',
  DateTime: 'AWSDateTime',
  Timestamp: 'AWSTimestamp',
  Email: 'AWSEmail',
  JSON: 'AWSJSON',
  Phone: 'AWSPhone',
  Url: 'AWSURL',
  IPAddress: 'AWSIPAddress',
});

/** Marker for `.default()` without a value: a DB-generated field. */
export const GENERATED = Symbol('__generated');

function createValidationBuilder() {
  const rules = [];
  const push = (type, value, errorMessage) => rules.push({ type, value, errorMessage });
  const builder = {
    gt(value, errorMessage) {
      push('gt', value, errorMessage);
      return this;
    },
    lt(value, errorMessage) {
      push('lt', value, errorMessage);
      return this;
    },
    gte(value, errorMessage) {
      push('gte', value, errorMessage);
      return this;
    },
    lte(value, errorMessage) {
      push('lte', value, errorMessage);
      return this;
    },
    positive(errorMessage) {
      push('gt', 0, errorMessage);
      return this;
    },
    negative(errorMessage) {
      push('lt', 0, errorMessage);
      return this;
    },
    minLength(length, errorMessage) {
      push('minLength', length, errorMessage);
      return this;
    },
    maxLength(length, errorMessage) {
      push('maxLength', length, errorMessage);
      return this;
    },
    startsWith(prefix, errorMessage) {
      push('startsWith', prefix, errorMessage);
      return this;
    },
    endsWith(suffix, errorMessage) {
      push('endsWith', suffix, errorMessage);
      return this;
    },
    matches(pattern, errorMessage) {
      push('matches', pattern, errorMessage);
      return this;
    },
    getRules() {
      return rules;
    },
  };
  return { builder, getRules: () => rules };
}

/** A field builder of GraphQL type `fieldType`. */
export function makeField(fieldType) {
  let lastInvokedMethod = null;
  const data = {
    fieldType,
    required: false,
    array: false,
    arrayRequired: false,
    default: undefined,
    authorization: [],
    validation: [],
  };
  const field = {
    required() {
      if (lastInvokedMethod === 'array') {
        data.arrayRequired = true;
      } else {
        data.required = true;
      }
      lastInvokedMethod = 'required';
      return this;
    },
    array() {
      data.array = true;
      lastInvokedMethod = 'array';
      return this;
    },
    default(value) {
      markModifier(this, 'default');
      data.default = typeof value === 'undefined' ? GENERATED : value;
      lastInvokedMethod = 'default';
      return this;
    },
    authorization(callback) {
      markModifier(this, 'authorization');
      data.authorization = toArray(callUser(callback, allowWithoutResource(), modifierSite(this, 'authorization')));
      lastInvokedMethod = 'authorization';
      return this;
    },
    validate(callback) {
      markModifier(this, 'validate');
      const { builder, getRules } = createValidationBuilder();
      callUser(callback, builder, modifierSite(this, 'validate'));
      data.validation = getRules();
      lastInvokedMethod = 'validate';
      return this;
    },
    [brandSymbol]: 'modelField',
    data,
  };
  return withCallSite(field);
}

export const id = () => makeField(ModelFieldType.Id);
export const string = () => makeField(ModelFieldType.String);
export const integer = () => makeField(ModelFieldType.Integer);
export const float = () => makeField(ModelFieldType.Float);
export const boolean = () => makeField(ModelFieldType.Boolean);
export const date = () => makeField(ModelFieldType.Date);
export const time = () => makeField(ModelFieldType.Time);
export const datetime = () => makeField(ModelFieldType.DateTime);
export const timestamp = () => makeField(ModelFieldType.Timestamp);
export const email = () => makeField(ModelFieldType.Email);
export const json = () => makeField(ModelFieldType.JSON);
export const phone = () => makeField(ModelFieldType.Phone);
export const url = () => makeField(ModelFieldType.Url);
export const ipAddress = () => makeField(ModelFieldType.IPAddress);
