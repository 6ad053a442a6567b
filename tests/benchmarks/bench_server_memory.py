#!/usr/bin/python3
"""The built-in server's memory once its clients are gone.

Starts `framescope-cli serve` (with and without --deflate), lets 1,000 Python websockets
clients (permessage-deflate on, as that library offers it) echo 50 messages of about 700 bytes
each, waits for them to leave, and prints the server's resident memory at start, at the end,
and their ratio. Goal: the server gives back what the connections used (issue 15: 300 MB
without --deflate and 770 MB with it, with nobody connected).

usage: bench_server_memory.py PATH/TO/framescope-cli
"""
import asyncio
import resource
import subprocess
import sys
import time

import websockets

CLIENTS = 1000
MESSAGES = 50


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


async def client(url, number):
    async with websockets.connect(url, max_size=None) as ws:
        for k in range(MESSAGES):
            await ws.send((f"x{number}-{k} ") * 100)
            await ws.recv()


async def load(url):
    await asyncio.gather(*[client(url, i) for i in range(CLIENTS)])


def measure(cli, extra):
    server = subprocess.Popen([cli, "serve", "--host", "127.0.0.1", *extra],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        url = server.stdout.readline().split()[1]
        start = rss_mb(server.pid)
        asyncio.run(load(url))
        time.sleep(1.0)  # the server notices the last close, then gives memory back
        end = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(10)
    name = "serve " + " ".join(extra) if extra else "serve"
    print(f"{name:<18} start {start:7.1f} MB   {CLIENTS} clients gone {end:7.1f} MB   "
          f"ratio {end / start:5.2f}x")


def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 8192)), hard))
    for extra in ([], ["--deflate"]):
        measure(sys.argv[1], extra)


if __name__ == "__main__":
    main()
