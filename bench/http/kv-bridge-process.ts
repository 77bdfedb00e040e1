// The KV stand-in for `npm run bench:http`, in a process of its own: the
// Upstash REST API (test/servers/kv-bridge.ts, what `@vercel/kv` talks to)
// over the bench's redis-server. A process apart, as a real KV is a service
// apart: its work must not slow the load generator. Started by kv.ts with an
// IPC channel: it sends { url, token } once listening, answers 'count' with
// { requests } (HTTP requests so far, one per client round trip) and stops
// when the channel closes.
import { startKvBridge } from '../../test/servers/kv-bridge.ts';

const redisUrl = process.argv[2];
if (redisUrl === undefined || process.send === undefined) {
  console.error('usage: forked by bench/http/kv.ts with the redis URL');
  process.exit(2);
}
const bridge = await startKvBridge({ redisUrl });
process.on('message', (message) => {
  if (message === 'count') process.send?.({ requests: bridge.requests() });
});
process.on('disconnect', () => {
  void bridge.stop().finally(() => process.exit(0));
});
process.send({ url: bridge.url, token: bridge.token });
