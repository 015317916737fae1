// `node:process`: the global process object.
const process = globalThis.process;
export const env = process.env;
export const cwd = process.cwd;
export const platform = process.platform;
export const argv = process.argv;
export default process;
