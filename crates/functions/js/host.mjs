// The Node.js side of one function worker (one process = one Lambda execution environment:
// one invocation at a time, module state kept between invocations).
//
// stratus talks to it over file descriptor 3 with newline-delimited JSON:
//   host → stratus  {"type":"ready"} | {"type":"init_error", errorType, errorMessage, trace}
//   stratus → host  {"id", "event", "deadlineMs"}
//   host → stratus  {"type":"result", "id", "payload"} | {"type":"error", "id", errorType, errorMessage, trace, fatal?}
// (`fatal`: the process is exiting after an uncaught exception or unhandled rejection).
// Everything the handler prints goes to stdout / stderr, which stratus shows as the function's log.
import { register } from 'node:module';
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { format } from 'node:util';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.env.STRATUS_FUNCTION_HOST);
delete process.env.STRATUS_FUNCTION_HOST;
const files = JSON.parse(readFileSync(config.manifest, 'utf8'));
register(pathToFileURL(config.hooks).href, { data: { files } });

const channel = new net.Socket({ fd: 3, readable: true, writable: true });
const send = (message) => channel.write(`${JSON.stringify(message)}\n`);

// Lambda's text log format is `<time>\t<request id>\t<LEVEL>\t<message>`; stratus prints each
// line with its own time and the function's name, so only the level and message are written
// (a message's newlines become `\r`, so one call stays one line, as in CloudWatch).
for (const [method, level, stream] of [
  ['log', 'INFO', process.stdout],
  ['info', 'INFO', process.stdout],
  ['debug', 'DEBUG', process.stdout],
  ['trace', 'TRACE', process.stdout],
  ['warn', 'WARN', process.stderr],
  ['error', 'ERROR', process.stderr],
]) {
  console[method] = (...args) => {
    const message = format(...args).replace(/\n/g, '\r');
    stream.write(`${level}\t${message}\n`);
  };
}

const describe = (error) => {
  if (error instanceof Error) {
    return {
      errorType: error.name || 'Error',
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
};

let handler;
try {
  const module = await import(pathToFileURL(config.entry).href);
  handler = module.handler;
  if (typeof handler !== 'function') {
    send({
      type: 'init_error',
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: `${config.entryName}.handler is undefined or not exported`,
      trace: [],
    });
    handler = undefined;
  }
} catch (error) {
  const d = describe(error);
  send({
    type: 'init_error',
    errorType: 'Runtime.ImportModuleError',
    errorMessage: `${d.errorType}: ${d.errorMessage}`,
    trace: d.trace,
  });
}
if (handler) send({ type: 'ready' });

// An invocation in flight: settled once, by the handler's promise, its callback, or a crash.
let inflight;

const finish = (id, error, payload) => {
  if (!inflight || inflight.id !== id || inflight.done) return;
  inflight.done = true;
  inflight = undefined;
  if (error !== undefined && error !== null) {
    send({ type: 'error', id, ...describe(error) });
  } else {
    let value;
    try {
      value = JSON.parse(JSON.stringify(payload === undefined ? null : payload));
    } catch (e) {
      send({ type: 'error', id, ...describe(e) });
      return;
    }
    send({ type: 'result', id, payload: value });
  }
};

const crash = (errorType, error) => {
  const d = describe(error);
  if (inflight) {
    send({ type: 'error', id: inflight.id, ...d, errorType: errorType ?? d.errorType, fatal: true });
  }
  console.error(`${errorType ?? d.errorType}: ${d.errorMessage}`);
  channel.end(() => process.exit(129));
};
process.on('uncaughtException', (error) => crash(undefined, error));
process.on('unhandledRejection', (reason) => crash('Runtime.UnhandledPromiseRejection', reason));

const invoke = ({ id, event, deadlineMs }) => {
  inflight = { id, done: false };
  const callback = (error, result) => finish(id, error, result);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: config.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: config.functionArn,
    memoryLimitInMB: String(config.memoryMb),
    awsRequestId: id,
    logGroupName: `/aws/lambda/${config.functionName}`,
    logStreamName: config.logStreamName,
    getRemainingTimeInMillis: () => Math.max(0, deadlineMs - Date.now()),
    done: callback,
    succeed: (result) => callback(null, result),
    fail: (error) => callback(error ?? new Error('handled')),
  };
  let returned;
  try {
    returned = handler(event, context, callback);
  } catch (error) {
    finish(id, error);
    return;
  }
  if (returned && typeof returned.then === 'function') {
    returned.then(
      (value) => finish(id, null, value),
      (error) => finish(id, error ?? new Error('Promise rejected without a reason')),
    );
  } else if (handler.length < 3) {
    // Neither a promise nor a callback handler: its return value is the result.
    finish(id, null, returned);
  }
};

let buffered = '';
channel.setEncoding('utf8');
channel.on('data', (chunk) => {
  buffered += chunk;
  let newline;
  while ((newline = buffered.indexOf('\n')) >= 0) {
    const line = buffered.slice(0, newline);
    buffered = buffered.slice(newline + 1);
    if (line.trim() === '') continue;
    if (handler) invoke(JSON.parse(line));
  }
});
channel.on('end', () => process.exit(0));
