// @aws-sdk/client-s3 3.1169.0 (and @aws-sdk/s3-request-presigner) against the sandbox's S3 API
// with the sandbox admin key, `endpoint` and `forcePathStyle` (the storage issue: "the SDK
// performs the same operations" as aws-amplify), on a copy of examples/notes: objects with
// metadata, ranges, HEAD, paged and delimited listings, copy, the multipart set, deletes,
// presigned GET and PUT, and S3's error names.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';

import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

import { copyExample } from '../lib/fixtures.mjs';
import { startSandbox } from '../lib/sandbox.mjs';
import { adminCredentials, pattern } from '../lib/storage.mjs';

const md5 = (data) => `"${crypto.createHash('md5').update(data).digest('hex')}"`;
const MiB = 1024 * 1024;

/** Expects `promise` to reject with an S3 error named `name` (and `status`); returns it. */
async function s3Error(promise, name, status) {
  let error;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  assert.ok(error, `expected ${name}, but it succeeded`);
  assert.equal(error.name, name, `${error.name}: ${error.message}`);
  assert.equal(error.$metadata?.httpStatusCode, status);
  return error;
}

test('storage: @aws-sdk/client-s3 with the sandbox admin key', { timeout: 180_000 }, async (t) => {
  const project = copyExample('notes');
  const identifier = `e2e-storage-sdk-${process.pid}`;
  let sandbox;
  let s3;
  try {
    sandbox = await startSandbox({ dir: project.dir, identifier });
    const { outputs, origin } = sandbox;
    const Bucket = outputs.storage.bucket_name;
    const admin = adminCredentials(project.dir);
    const config = {
      endpoint: origin,
      forcePathStyle: true,
      region: outputs.storage.aws_region,
      credentials: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
    };
    s3 = new S3Client(config);
    const text = async (Key) => (await s3.send(new GetObjectCommand({ Bucket, Key }))).Body.transformToString();

    await t.test('PutObject with content type, metadata and content headers; GetObject whole', async () => {
      const put = await s3.send(
        new PutObjectCommand({
          Bucket,
          Key: 'sdk/hello.txt',
          Body: 'hello, sdk',
          ContentType: 'text/plain; charset=utf-8',
          CacheControl: 'max-age=60',
          ContentDisposition: 'attachment; filename="hello.txt"',
          Metadata: { colour: 'blue', 'made-by': 'sdk' },
        }),
      );
      assert.equal(put.ETag, md5('hello, sdk'));
      assert.equal(put.$metadata.httpStatusCode, 200);
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/hello.txt' }));
      assert.equal(await got.Body.transformToString(), 'hello, sdk');
      assert.equal(got.ContentType, 'text/plain; charset=utf-8');
      assert.equal(got.CacheControl, 'max-age=60');
      assert.equal(got.ContentDisposition, 'attachment; filename="hello.txt"');
      assert.equal(got.ContentLength, 10);
      assert.equal(got.ETag, md5('hello, sdk'));
      assert.deepEqual(got.Metadata, { colour: 'blue', 'made-by': 'sdk' });
      assert.ok(got.LastModified instanceof Date);
      assert.ok(Math.abs(got.LastModified.getTime() - Date.now()) < 60_000, `${got.LastModified}`);
      // A key with spaces and non-ASCII characters round-trips.
      const odd = 'sdk/a dir/naïve + (1).txt';
      await s3.send(new PutObjectCommand({ Bucket, Key: odd, Body: 'odd' }));
      assert.equal(await text(odd), 'odd');
    });

    await t.test('GetObject with Range (a span, an open end, a suffix; unsatisfiable)', async () => {
      const data = Buffer.from(pattern(1000));
      await s3.send(new PutObjectCommand({ Bucket, Key: 'sdk/range.bin', Body: data }));
      const span = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/range.bin', Range: 'bytes=10-19' }));
      assert.equal(span.$metadata.httpStatusCode, 206);
      assert.equal(span.ContentRange, 'bytes 10-19/1000');
      assert.equal(span.ContentLength, 10);
      assert.deepEqual(Buffer.from(await span.Body.transformToByteArray()), data.subarray(10, 20));
      const open = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/range.bin', Range: 'bytes=995-' }));
      assert.equal(open.ContentRange, 'bytes 995-999/1000');
      assert.deepEqual(Buffer.from(await open.Body.transformToByteArray()), data.subarray(995));
      const suffix = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/range.bin', Range: 'bytes=-3' }));
      assert.equal(suffix.ContentRange, 'bytes 997-999/1000');
      assert.deepEqual(Buffer.from(await suffix.Body.transformToByteArray()), data.subarray(997));
      await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/range.bin', Range: 'bytes=1000-1001' })), 'InvalidRange', 416);
    });

    await t.test('HeadObject: headers and metadata without a body; a missing key is NotFound', async () => {
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/hello.txt' }));
      assert.equal(head.ContentLength, 10);
      assert.equal(head.ContentType, 'text/plain; charset=utf-8');
      assert.equal(head.ETag, md5('hello, sdk'));
      assert.deepEqual(head.Metadata, { colour: 'blue', 'made-by': 'sdk' });
      assert.equal(head.AcceptRanges, 'bytes');
      // A HEAD error has no body: the SDK names it by status, as with S3.
      await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/missing.txt' })), 'NotFound', 404);
      // If-None-Match on the current ETag: 304 with no body, which this SDK (like with S3)
      // surfaces as an error named 'Unknown' carrying the status.
      await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/hello.txt', IfNoneMatch: md5('hello, sdk') })), 'Unknown', 304);
      const fresh = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/hello.txt', IfMatch: md5('hello, sdk') }));
      assert.equal(fresh.ETag, md5('hello, sdk'));
    });

    const listKeys = ['list/a.txt', 'list/b.txt', 'list/dir1/x.txt', 'list/dir1/y.txt', 'list/dir2/z.txt'];

    await t.test('ListObjectsV2 paged with MaxKeys and ContinuationToken, and the paginator', async () => {
      for (const Key of listKeys) await s3.send(new PutObjectCommand({ Bucket, Key, Body: Key }));
      const pages = [];
      let ContinuationToken;
      do {
        const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/', MaxKeys: 2, ContinuationToken }));
        assert.equal(page.MaxKeys, 2);
        assert.equal(page.Prefix, 'list/');
        assert.equal(page.KeyCount, page.Contents.length);
        assert.equal(page.ContinuationToken, ContinuationToken);
        pages.push(page);
        assert.equal(page.IsTruncated, Boolean(page.NextContinuationToken));
        ContinuationToken = page.NextContinuationToken;
      } while (ContinuationToken);
      assert.deepEqual(pages.map((p) => p.KeyCount), [2, 2, 1]);
      const contents = pages.flatMap((p) => p.Contents);
      assert.deepEqual(contents.map((o) => o.Key), listKeys);
      assert.equal(contents[0].Size, 'list/a.txt'.length);
      assert.equal(contents[0].ETag, md5('list/a.txt'));
      assert.ok(contents[0].LastModified instanceof Date);
      const paged = [];
      for await (const page of paginateListObjectsV2({ client: s3, pageSize: 3 }, { Bucket, Prefix: 'list/' })) {
        paged.push(page.Contents.map((o) => o.Key));
      }
      assert.deepEqual(paged, [listKeys.slice(0, 3), listKeys.slice(3)]);
      const after = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/', StartAfter: 'list/dir1/x.txt' }));
      assert.deepEqual(after.Contents.map((o) => o.Key), ['list/dir1/y.txt', 'list/dir2/z.txt']);
      assert.equal(after.IsTruncated, false);
    });

    await t.test('ListObjectsV2 with Delimiter: files and common prefixes, paged together', async () => {
      const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/', Delimiter: '/' }));
      assert.equal(r.Delimiter, '/');
      assert.deepEqual(r.Contents.map((o) => o.Key), ['list/a.txt', 'list/b.txt']);
      assert.deepEqual(r.CommonPrefixes.map((p) => p.Prefix), ['list/dir1/', 'list/dir2/']);
      assert.equal(r.KeyCount, 4);
      // A page of 3 ends after the first prefix; the next page has the second.
      const first = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/', Delimiter: '/', MaxKeys: 3 }));
      assert.equal(first.IsTruncated, true);
      assert.deepEqual(first.Contents.map((o) => o.Key), ['list/a.txt', 'list/b.txt']);
      assert.deepEqual(first.CommonPrefixes.map((p) => p.Prefix), ['list/dir1/']);
      const second = await s3.send(
        new ListObjectsV2Command({ Bucket, Prefix: 'list/', Delimiter: '/', MaxKeys: 3, ContinuationToken: first.NextContinuationToken }),
      );
      assert.equal(second.IsTruncated, false);
      assert.equal(second.Contents, undefined);
      assert.deepEqual(second.CommonPrefixes.map((p) => p.Prefix), ['list/dir2/']);
      // From the root: the top-level folders only.
      const root = await s3.send(new ListObjectsV2Command({ Bucket, Delimiter: '/' }));
      assert.deepEqual(root.CommonPrefixes.map((p) => p.Prefix), ['list/', 'sdk/']);
      assert.equal(root.Contents, undefined);
    });

    await t.test('CopyObject: metadata copied, or replaced with MetadataDirective REPLACE', async () => {
      const copied = await s3.send(new CopyObjectCommand({ Bucket, Key: 'sdk/copy.txt', CopySource: `${Bucket}/sdk/hello.txt` }));
      assert.equal(copied.CopyObjectResult.ETag, md5('hello, sdk'));
      assert.ok(copied.CopyObjectResult.LastModified instanceof Date);
      const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'sdk/copy.txt' }));
      assert.deepEqual(head.Metadata, { colour: 'blue', 'made-by': 'sdk' });
      assert.equal(head.ContentType, 'text/plain; charset=utf-8');
      // The source URL-encoded, as the SDK documents, with a key that needs it.
      const source = `${Bucket}/${encodeURIComponent('sdk/a dir/naïve + (1).txt')}`;
      await s3.send(
        new CopyObjectCommand({
          Bucket,
          Key: 'sdk/replaced.txt',
          CopySource: source,
          MetadataDirective: 'REPLACE',
          ContentType: 'text/x-copied',
          Metadata: { replaced: 'yes' },
        }),
      );
      const replaced = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/replaced.txt' }));
      assert.equal(await replaced.Body.transformToString(), 'odd');
      assert.equal(replaced.ContentType, 'text/x-copied');
      assert.deepEqual(replaced.Metadata, { replaced: 'yes' });
      await s3Error(s3.send(new CopyObjectCommand({ Bucket, Key: 'sdk/x.txt', CopySource: `${Bucket}/sdk/missing.txt` })), 'NoSuchKey', 404);
    });

    await t.test('multipart: create, two parts (the first 5 MiB), ListParts, complete', async () => {
      const part1 = Buffer.from(pattern(5 * MiB + 7));
      const part2 = Buffer.from('the last part');
      const Key = 'sdk/multi.bin';
      const created = await s3.send(
        new CreateMultipartUploadCommand({ Bucket, Key, ContentType: 'application/x-multi', Metadata: { parts: 'two' } }),
      );
      assert.equal(created.Bucket, Bucket);
      assert.equal(created.Key, Key);
      const { UploadId } = created;
      assert.match(UploadId, /^[0-9a-f]{32}$/);
      const u1 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: part1 }));
      const u2 = await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: part2 }));
      assert.equal(u1.ETag, md5(part1));
      assert.equal(u2.ETag, md5(part2));
      const parts = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId }));
      assert.equal(parts.UploadId, UploadId);
      assert.equal(parts.IsTruncated, false);
      assert.deepEqual(
        parts.Parts.map((p) => [p.PartNumber, p.ETag, p.Size]),
        [
          [1, u1.ETag, part1.length],
          [2, u2.ETag, part2.length],
        ],
      );
      const page = await s3.send(new ListPartsCommand({ Bucket, Key, UploadId, MaxParts: 1 }));
      assert.equal(page.IsTruncated, true);
      assert.deepEqual(page.Parts.map((p) => p.PartNumber), [1]);
      assert.equal(String(page.NextPartNumberMarker), '1');
      // Nothing is visible before Complete.
      await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
      const done = await s3.send(
        new CompleteMultipartUploadCommand({
          Bucket,
          Key,
          UploadId,
          MultipartUpload: {
            Parts: [
              { PartNumber: 1, ETag: u1.ETag },
              { PartNumber: 2, ETag: u2.ETag },
            ],
          },
        }),
      );
      const digests = [part1, part2].map((p) => crypto.createHash('md5').update(p).digest());
      assert.equal(done.ETag, `"${crypto.createHash('md5').update(Buffer.concat(digests)).digest('hex')}-2"`);
      assert.equal(done.Key, Key);
      assert.equal(done.Bucket, Bucket);
      const got = await s3.send(new GetObjectCommand({ Bucket, Key }));
      assert.equal(got.ContentLength, part1.length + part2.length);
      assert.equal(got.ContentType, 'application/x-multi');
      assert.deepEqual(got.Metadata, { parts: 'two' });
      assert.ok(Buffer.from(await got.Body.transformToByteArray()).equals(Buffer.concat([part1, part2])));
      // The upload is gone once completed.
      await s3Error(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
    });

    await t.test('multipart: AbortMultipartUpload, then NoSuchUpload', async () => {
      const Key = 'sdk/aborted.bin';
      const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key }));
      await s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 1, Body: 'some bytes' }));
      const aborted = await s3.send(new AbortMultipartUploadCommand({ Bucket, Key, UploadId }));
      assert.equal(aborted.$metadata.httpStatusCode, 204);
      await s3Error(s3.send(new ListPartsCommand({ Bucket, Key, UploadId })), 'NoSuchUpload', 404);
      await s3Error(s3.send(new UploadPartCommand({ Bucket, Key, UploadId, PartNumber: 2, Body: 'x' })), 'NoSuchUpload', 404);
      await s3Error(
        s3.send(new CompleteMultipartUploadCommand({ Bucket, Key, UploadId, MultipartUpload: { Parts: [{ PartNumber: 1, ETag: md5('some bytes') }] } })),
        'NoSuchUpload',
        404,
      );
      await s3Error(s3.send(new HeadObjectCommand({ Bucket, Key })), 'NotFound', 404);
    });

    await t.test('DeleteObject, and DeleteObjects with per-key results', async () => {
      const del = await s3.send(new DeleteObjectCommand({ Bucket, Key: 'sdk/copy.txt' }));
      assert.equal(del.$metadata.httpStatusCode, 204);
      await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/copy.txt' })), 'NoSuchKey', 404);
      // Deleting a missing key succeeds, as in S3.
      assert.equal((await s3.send(new DeleteObjectCommand({ Bucket, Key: 'sdk/copy.txt' }))).$metadata.httpStatusCode, 204);
      const r = await s3.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Objects: ['list/a.txt', 'list/dir1/x.txt', 'list/never.txt'].map((Key) => ({ Key })) } }),
      );
      assert.deepEqual(r.Deleted.map((d) => d.Key).sort(), ['list/a.txt', 'list/dir1/x.txt', 'list/never.txt']);
      assert.equal(r.Errors, undefined);
      const left = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/' }));
      assert.deepEqual(left.Contents.map((o) => o.Key), ['list/b.txt', 'list/dir1/y.txt', 'list/dir2/z.txt']);
      // Quiet: only errors are reported.
      const quiet = await s3.send(
        new DeleteObjectsCommand({ Bucket, Delete: { Quiet: true, Objects: [{ Key: 'list/b.txt' }, { Key: 'list/dir2/z.txt' }] } }),
      );
      assert.equal(quiet.Deleted, undefined);
      assert.equal(quiet.Errors, undefined);
      const rest = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'list/' }));
      assert.deepEqual(rest.Contents.map((o) => o.Key), ['list/dir1/y.txt']);
    });

    await t.test('presigned GET and PUT URLs (s3-request-presigner), fetched', async () => {
      const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'sdk/hello.txt' }), { expiresIn: 300 });
      const url = new URL(getUrl);
      assert.equal(url.origin, origin);
      assert.equal(url.pathname, `/${Bucket}/sdk/hello.txt`);
      assert.equal(url.searchParams.get('X-Amz-Expires'), '300');
      const r = await fetch(url);
      assert.equal(r.status, 200);
      assert.equal(await r.text(), 'hello, sdk');
      assert.equal(r.headers.get('etag'), md5('hello, sdk'));
      // Signed response overrides apply.
      const withType = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: 'sdk/hello.txt', ResponseContentType: 'application/x-over' }), {
        expiresIn: 60,
      });
      assert.equal((await fetch(withType)).headers.get('content-type'), 'application/x-over');
      // A changed signature, or a URL for another key, is refused.
      const forged = new URL(getUrl);
      forged.searchParams.set('X-Amz-Signature', '0'.repeat(64));
      const refused = await fetch(forged);
      assert.equal(refused.status, 403);
      assert.match(await refused.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
      const moved = new URL(getUrl);
      moved.pathname = `/${Bucket}/sdk/replaced.txt`;
      assert.equal((await fetch(moved)).status, 403);

      const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: 'sdk/presigned.txt', ContentType: 'text/plain' }), {
        expiresIn: 300,
      });
      const put = await fetch(putUrl, { method: 'PUT', body: 'via presigned put', headers: { 'content-type': 'text/plain' } });
      assert.equal(put.status, 200, await put.text());
      assert.equal(put.headers.get('etag'), md5('via presigned put'));
      const got = await s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/presigned.txt' }));
      assert.equal(await got.Body.transformToString(), 'via presigned put');
      assert.equal(got.ContentType, 'text/plain');
    });

    await t.test('errors: NoSuchKey and NoSuchBucket by name', async () => {
      const missing = await s3Error(s3.send(new GetObjectCommand({ Bucket, Key: 'sdk/nothing-here.txt' })), 'NoSuchKey', 404);
      assert.equal(missing.Code, 'NoSuchKey');
      assert.ok(missing.$metadata.requestId, 'x-amz-request-id is parsed');
      const other = `nosuch.${Bucket}`;
      const nb = await s3Error(s3.send(new GetObjectCommand({ Bucket: other, Key: 'a.txt' })), 'NoSuchBucket', 404);
      assert.equal(nb.BucketName, other);
      await s3Error(s3.send(new ListObjectsV2Command({ Bucket: other })), 'NoSuchBucket', 404);
      await s3Error(s3.send(new PutObjectCommand({ Bucket: other, Key: 'a.txt', Body: 'x' })), 'NoSuchBucket', 404);
    });
  } finally {
    s3?.destroy();
    await sandbox?.stop();
    project.cleanup();
  }
});
