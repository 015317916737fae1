import { createHash, createHmac } from 'node:crypto';
import { env } from '$amplify/env/counter';

// Calls the data API as this function (allow.resource(counter)): a SigV4-signed POST with the
// execution role's credentials from the environment, to the endpoint Amplify puts in
// AMPLIFY_DATA_GRAPHQL_ENDPOINT. Signed by hand with node:crypto (no npm packages here).
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

async function graphql(query: string): Promise<{ data?: any; errors?: { errorType: string }[] }> {
  const url = new URL(env.AMPLIFY_DATA_GRAPHQL_ENDPOINT);
  const body = JSON.stringify({ query });
  const amzDate = new Date().toISOString().replace(/[:-]|\.\d{3}/g, '');
  const date = amzDate.slice(0, 8);
  const scope = `${date}/${env.AWS_REGION}/appsync/aws4_request`;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    host: url.host,
    'x-amz-date': amzDate,
    'x-amz-security-token': env.AWS_SESSION_TOKEN,
  };
  const names = Object.keys(headers).sort();
  const canonical = ['POST', url.pathname, '', ...names.map((n) => `${n}:${headers[n]}`), '', names.join(';'), sha256(body)].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonical)].join('\n');
  let key = hmac(`AWS4${env.AWS_SECRET_ACCESS_KEY}`, date);
  for (const part of [env.AWS_REGION, 'appsync', 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(toSign).digest('hex');
  const { host: _host, ...sent } = headers;
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      ...sent,
      authorization: `AWS4-HMAC-SHA256 Credential=${env.AWS_ACCESS_KEY_ID}/${scope}, SignedHeaders=${names.join(';')}, Signature=${signature}`,
    },
    body,
  });
  return response.json();
}

export const handler = async () => {
  const listed = await graphql('query { listTeamNotes { items { id } } }');
  if (listed.errors) throw new Error(`list: ${JSON.stringify(listed.errors)}`);
  // .to(['query']): this function may not write.
  const write = await graphql('mutation { createTeamNote(input: { text: "x" }) { id } }');
  return {
    count: listed.data.listTeamNotes.items.length,
    writeError: write.errors?.[0]?.errorType ?? null,
  };
};
