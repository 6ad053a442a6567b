// For a class on RFC 6455: fragmentation, control frames between fragments, a frame built by
// hand with the RFC's own mask key, and a broken frame the server refuses with 1002.
const conn = connect();

test('a message in three frames is one message', () => {
    // TEXT "Hel" (FIN=0), CONTINUATION "lo, " (FIN=0), CONTINUATION "RFC" (FIN=1)
    conn.sendFragmented('Hello, RFC', [3, 4]);
    assertEqual(conn.next().data, 'Hello, RFC');
});

test('the masked "Hello" of RFC 6455 §5.7', () => {
    // 81 85 37 fa 21 3d 7f 9f 4d 51 58 on the wire
    conn.sendFrame({ fin: true, opcode: 1, mask: true, maskKey: '37fa213d', payload: 'Hello' });
    assertEqual(conn.next().data, 'Hello');
});

test('RSV2 without an extension is a protocol error', () => {
    conn.sendFrame({ rsv2: true, payload: 'x' });
    try {
        conn.next(2000);
        fail('the server answered a broken frame');
    } catch (e) {
        assert(/closed \(1002/.test(e.message), e.message);
    }
});
