#include "scriptprelude.h"

namespace framescope::scripting {

// The script API in JavaScript over the native host (ScriptHost). Evaluated before the user's
// script as "framescope:prelude", so that errors inside it are told apart from the script's.
// It also takes away what turns strings into code (eval, the Function constructors): a script
// sees only this API.
QString scriptPrelude()
{
    return QStringLiteral(R"JS(
(function (host, global) {
    'use strict';

    function bytesOf(value, what) {
        if (value instanceof ArrayBuffer)
            return value;
        if (ArrayBuffer.isView(value))
            return value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength);
        if (Array.isArray(value))
            return new Uint8Array(value).buffer;
        if (typeof value === 'string')
            return host.fromHex(value);
        throw new TypeError(what + ': give bytes as an ArrayBuffer, a typed array, an array of numbers or hex');
    }

    function show(value) {
        if (typeof value === 'string')
            return JSON.stringify(value.length > 200 ? value.slice(0, 200) + '…' : value);
        if (value instanceof ArrayBuffer)
            return 'bytes ' + host.toHex(value).slice(0, 64);
        try { return JSON.stringify(value); } catch (e) { return String(value); }
    }

    // A received message: its type and data, with helpers.
    function Message(raw) {
        this.type = raw.type;
        this.data = raw.data;
    }
    Message.prototype.text = function text() {
        return this.type === 'text' ? this.data : host.toHex(this.data);
    };
    Message.prototype.json = function json() { return JSON.parse(this.text()); };
    Message.prototype.hex = function hex() {
        return host.toHex(this.type === 'text' ? host.utf8(this.data) : this.data);
    };
    Message.prototype.toString = function toString() { return show(this.data); };

    // Does `value` hold everything `subset` has (objects by key, arrays by position)?
    function contains(value, subset) {
        if (subset === null || typeof subset !== 'object')
            return value === subset;
        if (value === null || typeof value !== 'object' || Array.isArray(subset) !== Array.isArray(value))
            return false;
        return Object.keys(subset).every(function (key) { return contains(value[key], subset[key]); });
    }

    function matches(message, matcher) {
        if (typeof matcher === 'string')
            return message.type === 'text' && message.data === matcher;
        if (matcher instanceof RegExp)
            return matcher.test(message.text());
        if (typeof matcher === 'function')
            return !!matcher(message);
        if (matcher !== null && typeof matcher === 'object') {
            if (message.type !== 'text')
                return false;
            try { return contains(JSON.parse(message.data), matcher); } catch (e) { return false; }
        }
        throw new TypeError('expect(): match with a string, a RegExp, a function or an object');
    }

    // Messages sent are grouped (a call into the host costs more than a message on loopback):
    // a connection's outbox goes out at 64 messages, and every connection's before any other
    // call of the API and when the script ends. Messages received come a batch at a time too.
    var connections = [];
    function flushAll() {
        for (var i = 0; i < connections.length; ++i)
            connections[i]._flush();
    }

    function Connection(id, url) {
        this.id = id;
        this.url = url;
        this._handlers = [];
        this._outbox = [];
        this._inbox = [];
        this._inboxAt = 0;
        connections.push(this);
    }
    Connection.prototype._flush = function _flush() {
        if (this._outbox.length === 0)
            return;
        var items = this._outbox;
        this._outbox = [];
        host.sendBatch(this.id, items);
    };
    Connection.prototype._queue = function _queue(item) {
        this._outbox.push(item);
        if (this._outbox.length >= 64)
            this._flush();
    };
    Connection.prototype.send = function send(message) {
        if (typeof message === 'string')
            this._queue(message);
        else if (message instanceof ArrayBuffer || ArrayBuffer.isView(message))
            this._queue(bytesOf(message, 'send()'));
        else
            this._queue(JSON.stringify(message));
    };
    Connection.prototype.sendBinary = function sendBinary(bytes) {
        this._queue(bytesOf(bytes, 'sendBinary()'));
    };
    Connection.prototype.sendFrame = function sendFrame(frame) {
        flushAll();
        var copy = Object.assign({}, frame);
        if (copy.payload !== undefined && typeof copy.payload !== 'string')
            copy.payload = bytesOf(copy.payload, 'sendFrame()');
        host.sendFrame(this.id, copy);
    };
    Connection.prototype.sendFragmented = function sendFragmented(payload, sizes) {
        flushAll();
        var binary = typeof payload !== 'string';
        host.sendFragmented(this.id, binary ? bytesOf(payload, 'sendFragmented()') : host.utf8(payload),
                            binary, Array.isArray(sizes) ? sizes : [sizes]);
    };
    Connection.prototype.ping = function ping(payload, timeoutMs) {
        flushAll();
        var bytes = payload === undefined ? new ArrayBuffer(0)
                  : typeof payload === 'string' ? host.utf8(payload) : bytesOf(payload, 'ping()');
        return host.ping(this.id, bytes, timeoutMs === undefined ? host.defaultWaitMs() : timeoutMs);
    };
    Connection.prototype.close = function close(code, reason, timeoutMs) {
        flushAll();
        host.close(this.id, code === undefined ? 1000 : code, reason === undefined ? '' : String(reason),
                   timeoutMs === undefined ? host.defaultWaitMs() : timeoutMs);
    };
    Connection.prototype.state = function state() {
        flushAll();
        return host.state(this.id);
    };
    Connection.prototype.onMessage = function onMessage(handler) {
        if (typeof handler !== 'function')
            throw new TypeError('onMessage(): give a function');
        this._handlers.push(handler);
    };
    Connection.prototype.next = function next(timeoutMs) {
        var wait = timeoutMs === undefined ? host.defaultWaitMs() : timeoutMs;
        var message = this._next(wait, wait); // not returned directly: a tail call leaves no
        return message;                       // frame, and an error's column looks for next()
    };
    // Waits up to timeoutMs; a timeout is reported as askedMs, the wait the script asked for.
    Connection.prototype._next = function nextWithin(timeoutMs, askedMs) {
        flushAll();
        if (this._inboxAt >= this._inbox.length) {
            this._inbox = host.nextBatch(this.id, 256, timeoutMs, askedMs);
            this._inboxAt = 0;
        }
        var message = new Message(this._inbox[this._inboxAt++]);
        for (var i = 0; i < this._handlers.length; ++i)
            this._handlers[i](message);
        return message;
    };
    Connection.prototype.expect = function expect(matcher, timeoutMs) {
        var limit = timeoutMs === undefined ? host.defaultWaitMs() : timeoutMs;
        var started = Date.now();
        var seen = [];
        for (;;) {
            var left = limit - (Date.now() - started);
            var message;
            try {
                message = this._next(Math.max(0, left), limit);
            } catch (e) {
                throw new Error('expect(' + (matcher instanceof RegExp ? String(matcher) : show(matcher)) + '): '
                                + e.message + (seen.length ? '; received instead: ' + seen.join(', ') : ''));
            }
            if (matches(message, matcher))
                return message;
            seen.push(message.toString());
        }
    };

    var api = {
        connect: function (url, options) {
            flushAll();
            var id = host.open(url === undefined || url === null ? '' : String(url), options || {});
            return new Connection(id, url);
        },
        sleep: function (ms) {
            flushAll();
            host.sleep(ms);
        },
        log: function () {
            flushAll();
            host.log(Array.prototype.map.call(arguments, function (value) {
                return typeof value === 'string' ? value : show(value);
            }).join(' '));
        },
        assert: function (condition, message) {
            if (!condition)
                throw new Error(message || 'assertion failed');
        },
        assertEqual: function (actual, expected, message) {
            if (JSON.stringify(actual) !== JSON.stringify(expected))
                throw new Error((message ? message + ': ' : '') + 'expected ' + show(expected) + ', got ' + show(actual));
        },
        fail: function (message) { throw new Error(message || 'failed'); },
        test: function (name, body) {
            var started = Date.now();
            try {
                body();
                host.testResult(String(name), true, '', (Date.now() - started) / 1000);
            } catch (e) {
                host.testResult(String(name), false,
                                e instanceof Error ? e.message + where(e) : 'threw ' + show(e),
                                (Date.now() - started) / 1000);
            }
        },
        hex: function (bytes) { return host.toHex(bytesOf(bytes, 'hex()')); },
        bytes: function (hex) { return host.fromHex(hex); },
        base64: function (bytes) {
            return host.toBase64(typeof bytes === 'string' ? host.utf8(bytes) : bytesOf(bytes, 'base64()'));
        },
        fromBase64: function (text) { return host.fromBase64(text); },
        env: Object.freeze(host.env())
    };

    // " (file.js:12:5)": where in the user's script an error was thrown.
    function where(error) {
        var at = error instanceof Error ? host.where(error) : '';
        return at ? ' (' + at + ')' : '';
    }

    Object.keys(api).forEach(function (name) {
        Object.defineProperty(global, name, { value: api[name], writable: false, enumerable: true });
    });

    // No code from strings: eval and the Function constructors are gone.
    var refuse = function () { throw new Error('code from strings is not allowed in scripts'); };
    [Object.getPrototypeOf(function () {}), Object.getPrototypeOf(function* () {})].forEach(function (proto) {
        Object.defineProperty(proto, 'constructor', { value: refuse, writable: false, configurable: false });
    });
    refuse.prototype = Function.prototype;
    Object.defineProperty(global, 'Function', { value: refuse, writable: false, configurable: false });
    Object.defineProperty(global, 'eval', { value: refuse, writable: false, configurable: false });
    return { flush: flushAll };
})
)JS");
}

} // namespace framescope::scripting
