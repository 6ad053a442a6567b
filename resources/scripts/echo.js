// The built-in server echoes: what goes out comes back, text as text, bytes as bytes.
// framescope-cli serve &   then   framescope-cli run resources/scripts/echo.js --url ws://127.0.0.1:PORT/
const conn = connect(); // the --url given on the command line

test('text comes back as sent', () => {
    conn.send('hello, ' + (env.NAME || 'world'));
    conn.expect('hello, ' + (env.NAME || 'world'));
});

test('bytes come back as sent', () => {
    conn.sendBinary('deadbeef');
    const reply = conn.next(2000);
    assertEqual(reply.type, 'binary');
    assertEqual(reply.hex(), 'deadbeef');
});

test('a ping is answered', () => {
    const ms = conn.ping('are you there');
    log('round trip', ms.toFixed(3), 'ms');
    assert(ms < 1000, 'slow pong: ' + ms + ' ms');
});

conn.close(1000, 'done');
