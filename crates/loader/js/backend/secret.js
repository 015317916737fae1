import { SECRET } from './state.js';

/** `secret('NAME')`: a reference to a sandbox/branch secret, resolved at runtime. */
export const secret = (name) =>
  Object.freeze({
    [SECRET]: true,
    name,
    toString: () => `\${Secret[${name}]}`,
    toJSON: () => ({ $secret: name }),
  });
