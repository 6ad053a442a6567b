"""Echo client with Debian's python3-websockets (a reference peer for tests).

Connects to URL, sends text and binary messages from 0 bytes to 16 MiB, whole and fragmented,
checks that each comes back byte for byte and with its type, closes with 1000, and prints
"ok N" (exit 0) or why not (exit 1).
"""
import asyncio
import sys

import websockets


def payload(size, text):
    if text:
        return "".join(chr(97 + i % 26) for i in range(size))
    return bytes((i * 31 + 7) & 0xFF for i in range(size))


def fragments(data, count):
    step = max(1, -(-len(data) // count))
    return [data[i:i + step] for i in range(0, len(data), step)]


async def main():
    url = sys.argv[1]
    compression = "deflate" if "--deflate" in sys.argv else None
    sizes = [0, 1, 125, 126, 65535, 65536, 1 << 20, 16 << 20]
    plan = []
    for size in sizes:
        plan.append((payload(size, True), 1))
        plan.append((payload(size, False), 1))
    plan.append(("κόσμε, fragmented", 4))
    plan.append((payload(300000, False), 5))
    async with websockets.connect(url, compression=compression, max_size=64 << 20,
                                  open_timeout=10) as socket:
        for index, (data, count) in enumerate(plan):
            if count == 1:
                await socket.send(data)
            else:
                await socket.send(fragments(data, count))
            echo = await asyncio.wait_for(socket.recv(), 30)
            if type(echo) is not type(data) or echo != data:
                print(f"message {index}: expected {len(data)} ({type(data).__name__}), "
                      f"got {len(echo)} ({type(echo).__name__})")
                return 1
        await socket.close(1000, "done")
        if socket.close_code != 1000:
            print(f"closed with {socket.close_code}")
            return 1
    print(f"ok {len(plan)}")
    return 0


sys.exit(asyncio.run(main()))
