// Minimal `node:url` for definition files.
export const URL = globalThis.URL;
export const fileURLToPath = (url) => {
  const href = typeof url === 'string' ? url : url.href;
  if (!href.startsWith('file://')) throw new TypeError('The URL must be of scheme file');
  return decodeURIComponent(href.slice('file://'.length));
};
export const pathToFileURL = (path) => new URL(`file://${path}`);
export default { URL, fileURLToPath, pathToFileURL };
