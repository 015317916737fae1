// Module resolution hooks (node:module register) that give aws-amplify's storage package the
// transfer handler a browser bundler picks through its package.json "browser" field:
// `runtime/s3TransferHandler/fetch.mjs` → `runtime/s3TransferHandler/xhr.mjs` (XMLHttpRequest,
// with upload and download progress events). See lib/browser-runtime.mjs.
export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  if (resolved.url.includes('/@aws-amplify/storage/') && resolved.url.endsWith('/runtime/s3TransferHandler/fetch.mjs')) {
    return { ...resolved, url: resolved.url.replace(/fetch\.mjs$/, 'xhr.mjs') };
  }
  return resolved;
}
