// Echo server on loopback with npm `ws` 8.x (a reference peer for tests). Prints "listening PORT"
// once ready, echoes every message as it came (text stays text), and exits after --lifetime s.
'use strict';
const path = require('path');
const { WebSocketServer } = require(path.join(process.env.FRAMESCOPE_NODE_MODULES || 'node_modules', 'ws'));

const deflate = process.argv.includes('--deflate');
const lifetimeIndex = process.argv.indexOf('--lifetime');
const lifetime = lifetimeIndex > 0 ? Number(process.argv[lifetimeIndex + 1]) : 120;

const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: deflate, maxPayload: 64 * 1024 * 1024 });
server.on('listening', () => console.log(`listening ${server.address().port}`));
server.on('connection', (socket) => {
  socket.on('message', (data, isBinary) => socket.send(data, { binary: isBinary }));
});
setTimeout(() => process.exit(0), lifetime * 1000).unref();
setTimeout(() => { server.close(); process.exit(0); }, lifetime * 1000);
