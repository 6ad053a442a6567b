// Checking a JSON API: expect() takes the fields that matter and ignores the rest (ids, times).
const conn = connect(env.URL, { subprotocols: ['json'] });

test('an order is confirmed', () => {
    conn.send({ type: 'order', id: 'o-17', items: [{ sku: 'A1', qty: 2 }], at: Date.now() });
    // Only these fields must match; "at" may be anything.
    const reply = conn.expect({ type: 'order', items: [{ sku: 'A1' }] }, 2000);
    assertEqual(reply.json().id, 'o-17');
});

test('replies are matched by pattern or by a function', () => {
    conn.send('status: 200 OK');
    conn.expect(/^status: 2\d\d/);
    conn.send(JSON.stringify({ temperature: 21.5 }));
    conn.expect(m => m.json().temperature > 20);
});

conn.close();
