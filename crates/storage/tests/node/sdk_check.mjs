// Manual check of the S3 layer with @aws-sdk/client-s3 (from the oracle's node_modules), admin
// credentials, `endpoint` + `forcePathStyle`. Not part of `cargo test`.
//
//   cargo run -p stratus-storage --example serve -- 127.0.0.1:9000 /tmp/stratus-storage-check &
//   node crates/storage/tests/node/sdk_check.mjs 9000
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import assert from 'node:assert/strict';

const require = createRequire('/work/shared/oracle/');
const s3 = require('@aws-sdk/client-s3');
const port = Number(process.argv[2] ?? 9000);
const client = new s3.S3Client({
  endpoint: `http://127.0.0.1:${port}`,
  forcePathStyle: true,
  region: 'us-east-1',
  credentials: { accessKeyId: 'ADMIN', secretAccessKey: 'unused' },
});
const Bucket = 'media.0123456789.stratus';
const results = [];
async function step(name, fn) {
  try { await fn(); results.push(['ok', name]); }
  catch (e) { results.push(['FAIL', name, e?.name, e?.message]); }
}
const text = async (r) => Buffer.from(await r.Body.transformToByteArray()).toString();

await step('PutObject (buffer, default checksums)', async () => {
  const r = await client.send(new s3.PutObjectCommand({ Bucket, Key: 'sdk/a.txt', Body: 'hello world', ContentType: 'text/plain', Metadata: { k: 'v' } }));
  assert.equal(r.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
});
await step('PutObject (stream body, aws-chunked)', async () => {
  const body = Readable.from([Buffer.from('streamed '), Buffer.from('body')]);
  await client.send(new s3.PutObjectCommand({ Bucket, Key: 'sdk/s.txt', Body: body, ContentLength: 13 }));
  const r = await client.send(new s3.GetObjectCommand({ Bucket, Key: 'sdk/s.txt' }));
  assert.equal(await text(r), 'streamed body');
  assert.equal(r.ContentEncoding, undefined);
});
await step('GetObject + Range + HeadObject', async () => {
  const r = await client.send(new s3.GetObjectCommand({ Bucket, Key: 'sdk/a.txt', Range: 'bytes=0-4' }));
  assert.equal(await text(r), 'hello');
  assert.equal(r.ContentRange, 'bytes 0-4/11');
  const h = await client.send(new s3.HeadObjectCommand({ Bucket, Key: 'sdk/a.txt' }));
  assert.equal(h.ContentLength, 11);
  assert.deepEqual(h.Metadata, { k: 'v' });
  assert.equal(h.ContentType, 'text/plain');
});
await step('NoSuchKey error', async () => {
  await assert.rejects(client.send(new s3.GetObjectCommand({ Bucket, Key: 'sdk/missing' })), (e) => e.name === 'NoSuchKey');
});
await step('ListObjectsV2 paginated', async () => {
  const keys = [];
  for await (const page of s3.paginateListObjectsV2({ client, pageSize: 1 }, { Bucket, Prefix: 'sdk/' })) {
    keys.push(...(page.Contents ?? []).map((c) => c.Key));
  }
  assert.deepEqual(keys, ['sdk/a.txt', 'sdk/s.txt']);
});
await step('CopyObject', async () => {
  const r = await client.send(new s3.CopyObjectCommand({ Bucket, Key: 'sdk/c.txt', CopySource: `${Bucket}/sdk/a.txt` }));
  assert.equal(r.CopyObjectResult.ETag, '"5eb63bbbe01eeed093cb22bb8f5acdc3"');
});
await step('multipart: create, 2 parts, list, complete', async () => {
  const { UploadId } = await client.send(new s3.CreateMultipartUploadCommand({ Bucket, Key: 'sdk/mp.bin' }));
  const p1 = Buffer.alloc(5 * 1024 * 1024, 1);
  const p2 = Buffer.from('tail');
  const e1 = (await client.send(new s3.UploadPartCommand({ Bucket, Key: 'sdk/mp.bin', UploadId, PartNumber: 1, Body: p1 }))).ETag;
  const e2 = (await client.send(new s3.UploadPartCommand({ Bucket, Key: 'sdk/mp.bin', UploadId, PartNumber: 2, Body: p2 }))).ETag;
  const parts = await client.send(new s3.ListPartsCommand({ Bucket, Key: 'sdk/mp.bin', UploadId }));
  assert.deepEqual(parts.Parts.map((p) => [p.PartNumber, p.ETag, p.Size]), [[1, e1, p1.length], [2, e2, 4]]);
  const r = await client.send(new s3.CompleteMultipartUploadCommand({ Bucket, Key: 'sdk/mp.bin', UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: e1 }, { PartNumber: 2, ETag: e2 }] } }));
  assert.match(r.ETag, /-2"$/);
  const h = await client.send(new s3.HeadObjectCommand({ Bucket, Key: 'sdk/mp.bin' }));
  assert.equal(h.ContentLength, p1.length + 4);
});
await step('AbortMultipartUpload then NoSuchUpload', async () => {
  const { UploadId } = await client.send(new s3.CreateMultipartUploadCommand({ Bucket, Key: 'sdk/ab.bin' }));
  await client.send(new s3.AbortMultipartUploadCommand({ Bucket, Key: 'sdk/ab.bin', UploadId }));
  await assert.rejects(client.send(new s3.ListPartsCommand({ Bucket, Key: 'sdk/ab.bin', UploadId })), (e) => e.name === 'NoSuchUpload');
});
await step('DeleteObject + DeleteObjects', async () => {
  await client.send(new s3.DeleteObjectCommand({ Bucket, Key: 'sdk/c.txt' }));
  const r = await client.send(new s3.DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'sdk/a.txt' }, { Key: 'sdk/s.txt' }, { Key: 'sdk/mp.bin' }] } }));
  assert.deepEqual(r.Deleted.map((d) => d.Key).sort(), ['sdk/a.txt', 'sdk/mp.bin', 'sdk/s.txt']);
  const l = await client.send(new s3.ListObjectsV2Command({ Bucket, Prefix: 'sdk/' }));
  assert.equal(l.KeyCount, 0);
});
for (const r of results) console.log(r.join(' | '));
const failed = results.filter((r) => r[0] !== 'ok').length;
console.log(`${results.length - failed} ok, ${failed} failed`);
process.exit(failed ? 1 : 0);
