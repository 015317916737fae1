// Minimal stand-ins for the non-data parts of `@aws-amplify/backend`, shared by the two test
// shims (ours and the real package's). defineFunction returns an opaque factory like the real one
// (an object with getInstance), named like the oracle's stub does.
import path from 'node:path';
import { userFrame } from './callsite.mjs';

export const registry = (globalThis.__stratusTestRegistry ??= { data: [], functions: [] });

export const defineData = (props) => {
  const factory = { __testDataFactory: true, props };
  registry.data.push(factory);
  return factory;
};

export const defineFunction = (propsOrProvider = {}, options = {}) => {
  const isProvider = typeof propsOrProvider === 'function';
  const props = isProvider ? {} : propsOrProvider;
  const frame = userFrame();
  const dir = frame ? path.dirname(frame.file) : undefined;
  const name = props.name ?? options.name ?? (dir ? path.basename(dir) : undefined) ?? `function${registry.functions.length + 1}`;
  const factory = {
    __oracleFunction: true,
    name,
    props: isProvider ? { provider: true, ...options } : props,
    getInstance() {
      throw new Error('test stub: defineFunction has no instance');
    },
  };
  registry.functions.push(factory);
  return factory;
};

export const secret = (name) => ({ __oracleSecret: true, name });
export const defineAuth = (props = {}) => ({ __testAuth: true, props, getInstance() {} });
export const referenceAuth = (props = {}) => ({ __testAuth: true, reference: true, props, getInstance() {} });
export const defineStorage = (props = {}) => ({ __testStorage: true, props, getInstance() {} });
export const defineBackend = () => {
  throw new Error('test stub: defineBackend is not supported');
};
export const ClientSchema = undefined;
