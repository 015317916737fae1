// Helpers for the storage end-to-end tests: the browser APIs Node 20 lacks and the storage
// client uses, the per-call options that point it at the sandbox, and the sandbox admin key.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Node 20 has no `FileReader`; aws-amplify's multipart upload reads each part with it
 * (`providers/s3/utils/readFile.mjs`) and the XHR runtime reads error bodies with it. This is
 * the subset they use: readAsArrayBuffer / readAsText / readAsDataURL, `result`, `error`,
 * `readyState`, `onload`, `onloadend`, `onerror`.
 */
export function provideFileReader() {
  if (globalThis.FileReader) return;
  class FileReader {
    static EMPTY = 0;
    static LOADING = 1;
    static DONE = 2;
    EMPTY = 0;
    LOADING = 1;
    DONE = 2;
    readyState = 0;
    result = null;
    error = null;
    #read(blob, convert) {
      this.readyState = FileReader.LOADING;
      blob.arrayBuffer().then(
        (buffer) => {
          this.result = convert(buffer);
          this.readyState = FileReader.DONE;
          this.onload?.({ target: this });
          this.onloadend?.({ target: this });
        },
        (error) => {
          this.error = error;
          this.readyState = FileReader.DONE;
          this.onerror?.({ target: this });
          this.onloadend?.({ target: this });
        },
      );
    }
    readAsArrayBuffer(blob) {
      this.#read(blob, (b) => b);
    }
    readAsText(blob) {
      this.#read(blob, (b) => new TextDecoder().decode(b));
    }
    readAsDataURL(blob) {
      this.#read(blob, (b) => `data:${blob.type || 'application/octet-stream'};base64,${Buffer.from(b).toString('base64')}`);
    }
  }
  globalThis.FileReader = FileReader;
}

/**
 * The per-call storage options that point aws-amplify at the sandbox: `customEndpoint` is
 * `host:port` (the client always speaks HTTPS; bucket names with dots go path-style).
 */
export function storageOptions(outputs) {
  const endpoint = outputs.custom?.stratus?.storage_endpoint;
  assert.ok(endpoint, 'outputs.custom.stratus.storage_endpoint is missing');
  return { customEndpoint: endpoint };
}

/**
 * The sandbox admin key, `<dir>/.amplify/stratus/<identifier>/admin-credentials.json` (the
 * identifier as the sandbox sanitised it), parsed. The project must have one sandbox state.
 */
export function adminCredentials(dir) {
  const root = path.join(dir, '.amplify', 'stratus');
  const files = fs
    .readdirSync(root)
    .map((name) => path.join(root, name, 'admin-credentials.json'))
    .filter((file) => fs.existsSync(file));
  assert.equal(files.length, 1, `one admin-credentials.json under ${root}: ${files}`);
  return JSON.parse(fs.readFileSync(files[0], 'utf8'));
}

/** Runs `fn`, expecting a rejection whose `name` is one of `names`; returns the error. */
export async function rejectsWith(fn, names, what) {
  const expected = [names].flat();
  let error;
  try {
    await fn();
  } catch (e) {
    error = e;
  }
  assert.ok(error, `${what}: expected ${expected.join(' or ')}, but it succeeded`);
  assert.ok(expected.includes(error.name), `${what}: expected ${expected.join(' or ')}, got ${error.name}: ${error.message}`);
  return error;
}

/** `length` bytes of a recognisable pattern (byte i = i mod 251). */
export function pattern(length) {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i += 1) bytes[i] = i % 251;
  return bytes;
}
