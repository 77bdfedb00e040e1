// test/servers/kv-bridge.ts in a process of its own, so the REST stand-in does not share an event loop
// with the load generator. Usage: node --import tsx kv-bridge-process.ts <redisUrl>
// Prints {"url","token"} once listening; each stdin line is a mode to set (answered "mode <mode>")
// or "requests" (answered "requests <HTTP requests received so far>"); closing stdin stops it.
import { createInterface } from 'node:readline';
import { type BridgeMode, startKvBridge } from '../../test/servers/kv-bridge.ts';

const MODES: readonly string[] = ['ok', 'error', 'hang', 'drop'];
const redisUrl = process.argv[2];
if (!redisUrl) throw new Error('usage: kv-bridge-process.ts <redisUrl>');
const bridge = await startKvBridge({ redisUrl });
process.stdout.write(`${JSON.stringify({ url: bridge.url, token: bridge.token })}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line === 'requests') {
    process.stdout.write(`requests ${bridge.requests()}\n`);
    return;
  }
  if (!MODES.includes(line)) throw new Error(`unknown mode ${line}`);
  bridge.setMode(line as BridgeMode);
  process.stdout.write(`mode ${line}\n`);
});
lines.on('close', () => {
  void bridge.stop().then(() => process.exit(0));
});
