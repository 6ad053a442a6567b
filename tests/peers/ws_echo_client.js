// Echo client with npm `ws` 8.x (a reference peer for tests): connects to URL, sends text and
// binary messages from 0 bytes to 16 MiB, whole and fragmented, checks that each comes back
// byte for byte and with its type, closes with 1000, and prints "ok N" (exit 0) or why not.
'use strict';
const path = require('path');
const WebSocket = require(path.join(process.env.FRAMESCOPE_NODE_MODULES || 'node_modules', 'ws'));

const url = process.argv[2];
const deflate = process.argv.includes('--deflate');
const sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20];

function payload(size, text) {
  const data = Buffer.alloc(size);
  for (let i = 0; i < size; ++i) data[i] = text ? 97 + (i % 26) : (i * 31 + 7) & 0xff;
  return data;
}

// [data, isBinary, fragments]
const plan = [];
for (const size of sizes) {
  plan.push([payload(size, true), false, 1]);
  plan.push([payload(size, false), true, 1]);
}
plan.push([Buffer.from('κόσμε, fragmented across a multi-byte character'), false, 7]);
plan.push([payload(300000, false), true, 5]);

const socket = new WebSocket(url, { perMessageDeflate: deflate, maxPayload: 64 * 1024 * 1024 });
let next = 0;
const timer = setTimeout(() => { console.log(`timeout after ${next} of ${plan.length}`); process.exit(1); }, 60000);

function sendNext() {
  const [data, binary, fragments] = plan[next];
  if (fragments === 1) {
    socket.send(data, { binary });
    return;
  }
  const step = Math.ceil(data.length / fragments);
  for (let offset = 0; offset < data.length; offset += step)
    socket.send(data.subarray(offset, offset + step), { binary, fin: offset + step >= data.length });
}

socket.on('open', sendNext);
socket.on('message', (data, isBinary) => {
  const [expected, binary] = plan[next];
  if (isBinary !== binary || !Buffer.from(data).equals(expected)) {
    console.log(`message ${next}: expected ${expected.length} bytes (${binary ? 'binary' : 'text'}), got ${data.length} (${isBinary ? 'binary' : 'text'})`);
    process.exit(1);
  }
  if (++next < plan.length) sendNext(); else socket.close(1000, 'done');
});
socket.on('close', (code) => {
  clearTimeout(timer);
  if (next === plan.length && code === 1000) { console.log(`ok ${next}`); process.exit(0); }
  console.log(`closed with ${code} after ${next} of ${plan.length}`);
  process.exit(1);
});
socket.on('error', (error) => { console.log(`error: ${error.message}`); process.exit(1); });
