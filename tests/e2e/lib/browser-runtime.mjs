// The browser runtime of aws-amplify's storage client in Node: the XMLHttpRequest transfer
// handler (what bundlers select through the package's "browser" field) over a small
// XMLHttpRequest built on node:https, so that upload and download progress events are
// exercised as a browser app sees them.
//
//   useBrowserStorageRuntime();                       // before aws-amplify/storage is imported
//   const storage = await import('aws-amplify/storage');
import http from 'node:http';
import https from 'node:https';
import { register } from 'node:module';

import { provideFileReader } from './storage.mjs';

/** Registers the resolution hook and provides XMLHttpRequest and FileReader. */
export function useBrowserStorageRuntime() {
  register('./browser-runtime-hooks.mjs', import.meta.url);
  provideFileReader();
  globalThis.XMLHttpRequest ??= XMLHttpRequest;
}

/** Bytes written per chunk, one upload progress event each. */
const UPLOAD_CHUNK = 256 * 1024;

class Events {
  #listeners = new Map();
  addEventListener(type, fn) {
    if (!this.#listeners.has(type)) this.#listeners.set(type, []);
    this.#listeners.get(type).push(fn);
  }
  removeEventListener(type, fn) {
    const list = this.#listeners.get(type) ?? [];
    this.#listeners.set(type, list.filter((f) => f !== fn));
  }
  dispatch(type, event = {}) {
    const e = { type, target: this, ...event };
    for (const fn of this.#listeners.get(type) ?? []) fn(e);
    this[`on${type}`]?.(e);
  }
}

/**
 * The subset of XMLHttpRequest aws-amplify's xhrTransferHandler uses: open, setRequestHeader,
 * responseType ('' / 'text' / 'blob'), send (string, Blob, ArrayBuffer, typed array), abort,
 * upload 'progress', 'progress', 'readystatechange', 'load', 'error', 'abort', status,
 * getAllResponseHeaders, response, responseText. Network errors end in DONE with status 0
 * and an 'error' event, as in browsers. No CORS is applied (the server's CORS headers are
 * checked by the tests directly).
 */
export class XMLHttpRequest extends Events {
  static UNSENT = 0;
  static OPENED = 1;
  static HEADERS_RECEIVED = 2;
  static LOADING = 3;
  static DONE = 4;
  UNSENT = 0;
  OPENED = 1;
  HEADERS_RECEIVED = 2;
  LOADING = 3;
  DONE = 4;
  readyState = 0;
  status = 0;
  responseType = '';
  response = null;
  responseText = '';
  upload = new Events();
  #method;
  #url;
  #headers = {};
  #responseHeaders = '';
  #request;
  #aborted = false;

  open(method, url) {
    this.#method = method;
    this.#url = new URL(url);
    this.#setState(this.OPENED);
  }

  setRequestHeader(name, value) {
    this.#headers[name] = value;
  }

  getAllResponseHeaders() {
    return this.#responseHeaders;
  }

  abort() {
    this.#aborted = true;
    this.#request?.destroy();
    this.readyState = this.UNSENT;
    this.dispatch('abort');
  }

  send(body) {
    this.#send(body).catch(() => this.#fail());
  }

  async #send(body) {
    const bytes = await toBuffer(body);
    const transport = this.#url.protocol === 'https:' ? https : http;
    // Like a browser, the length is the body's own (a content-length set by the caller is ignored).
    const headers = Object.fromEntries(Object.entries(this.#headers).filter(([name]) => name.toLowerCase() !== 'content-length'));
    headers['content-length'] = String(bytes.length);
    const request = transport.request(this.#url, { method: this.#method, headers });
    this.#request = request;
    request.on('error', () => this.#fail());
    request.on('response', (response) => this.#receive(response));
    for (let offset = 0; offset < bytes.length; offset += UPLOAD_CHUNK) {
      const chunk = bytes.subarray(offset, offset + UPLOAD_CHUNK);
      await new Promise((resolve, reject) => request.write(chunk, (e) => (e ? reject(e) : resolve())));
      this.upload.dispatch('progress', { loaded: offset + chunk.length, total: bytes.length, lengthComputable: true });
    }
    request.end();
  }

  #receive(response) {
    this.status = response.statusCode;
    this.#responseHeaders = Object.entries(response.headers)
      .map(([name, value]) => `${name}: ${[value].flat().join(', ')}`)
      .join('\r\n');
    this.#setState(this.HEADERS_RECEIVED);
    const total = Number(response.headers['content-length'] ?? 0);
    const chunks = [];
    let loaded = 0;
    response.on('data', (chunk) => {
      chunks.push(chunk);
      loaded += chunk.length;
      if (this.readyState !== this.LOADING) this.#setState(this.LOADING);
      this.dispatch('progress', { loaded, total, lengthComputable: total > 0 });
    });
    response.on('error', () => this.#fail());
    response.on('end', () => {
      if (this.#aborted) return;
      const all = Buffer.concat(chunks);
      if (this.responseType === 'blob') {
        this.response = new Blob([all], { type: response.headers['content-type'] ?? '' });
      } else {
        this.responseText = all.toString('utf8');
        this.response = this.responseText;
      }
      this.#setState(this.DONE);
      this.dispatch('load');
      this.dispatch('loadend');
    });
  }

  #fail() {
    if (this.#aborted || this.readyState === this.DONE) return;
    this.status = 0;
    this.#setState(this.DONE);
    this.dispatch('error');
    this.dispatch('loadend');
  }

  #setState(state) {
    this.readyState = state;
    this.dispatch('readystatechange');
  }
}

async function toBuffer(body) {
  if (body == null) return Buffer.alloc(0);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Blob) return Buffer.from(await body.arrayBuffer());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError(`XMLHttpRequest.send: unsupported body ${Object.prototype.toString.call(body)}`);
}
