"""A TCP forwarder in front of the S3 server, to take the storage endpoint away and
bring it back: while the gate process is stopped, connections are refused, exactly as
when an endpoint goes down. After SIGUSR1 it hangs instead: connections, open or new,
are accepted and read but never answered, as by an endpoint that is up and stuck.

    python -m tests.faults.gate --listen 18333 --to 127.0.0.1:8333
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

HUNG = asyncio.Event()


async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1 << 16):
            if HUNG.is_set():
                continue  # swallowed: the other side waits for an answer that never comes
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


async def main(listen: int, host: str, port: int) -> None:
    asyncio.get_running_loop().add_signal_handler(signal.SIGUSR1, HUNG.set)

    async def handle(client_r, client_w):
        if HUNG.is_set():
            while await client_r.read(1 << 16):
                pass
            return
        try:
            server_r, server_w = await asyncio.open_connection(host, port)
        except OSError:
            client_w.close()
            return
        await asyncio.gather(pipe(client_r, server_w), pipe(server_r, client_w))

    server = await asyncio.start_server(handle, "127.0.0.1", listen, reuse_address=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--to", required=True, help="host:port")
    args = parser.parse_args()
    target_host, _, target_port = args.to.rpartition(":")
    asyncio.run(main(args.listen, target_host, int(target_port)))
