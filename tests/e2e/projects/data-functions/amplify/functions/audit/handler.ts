// Runs after `post` in postAndAudit, invoked asynchronously (invocationType 'Event'): it sees
// post's result as `prev.result` and writes it to the function's log, where the test finds it.
export const handler = async (event: { prev: { result: unknown }; fieldName: string }) => {
  console.log(`AUDIT ${event.fieldName} ${JSON.stringify(event.prev.result)}`);
  return { audited: true };
};
