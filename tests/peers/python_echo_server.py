#!/usr/bin/python3
"""Echo server on loopback with Debian's python3-websockets (a reference peer for tests).

Prints "listening PORT" once ready, echoes every message, and stops by itself after
--lifetime seconds so a test run can never leave it behind.
"""
import argparse
import asyncio

import websockets


async def echo(websocket, *args):
    async for message in websocket:
        await websocket.send(message)


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deflate", action="store_true")
    parser.add_argument("--lifetime", type=float, default=120)
    options = parser.parse_args()
    compression = "deflate" if options.deflate else None
    async with websockets.serve(echo, "127.0.0.1", 0, compression=compression, max_size=2**26) as server:
        port = server.sockets[0].getsockname()[1]
        print(f"listening {port}", flush=True)
        await asyncio.sleep(options.lifetime)


asyncio.run(main())
