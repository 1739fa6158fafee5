import net from 'node:net';

export interface CuttingProxy {
  port: number;
  /** How many conversations were cut after the end of DATA reached the relay. */
  cuts: number;
  stop(): Promise<void>;
}

const END_OF_DATA = Buffer.from('\r\n.\r\n');

/**
 * A loopback TCP proxy in front of a real SMTP server that loses the connection at the one moment
 * no SMTP client can recover from: the relay has the end of DATA (and accepts the message), its
 * answer never comes back. The first `times` conversations are cut; later ones pass untouched.
 */
export function startCuttingProxy(targetPort: number, times = 1): Promise<CuttingProxy> {
  const proxy: CuttingProxy = { port: 0, cuts: 0, stop: () => Promise.resolve() };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const relay = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, relay]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    const cutThis = proxy.cuts < times;
    let tail = Buffer.alloc(0);
    let dataEnded = false;
    client.on('data', (chunk: Buffer) => {
      relay.write(chunk);
      const seen = Buffer.concat([tail, chunk]);
      if (seen.includes(END_OF_DATA)) dataEnded = true;
      tail = seen.subarray(Math.max(0, seen.length - END_OF_DATA.length + 1));
    });
    relay.on('data', (chunk: Buffer) => {
      if (cutThis && dataEnded) {
        proxy.cuts++;
        client.destroy();
        relay.destroy();
        return;
      }
      client.write(chunk);
    });
    client.on('error', () => relay.destroy());
    relay.on('error', () => client.destroy());
    client.on('close', () => relay.end());
    relay.on('close', () => client.destroy());
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      proxy.port = (server.address() as net.AddressInfo).port;
      proxy.stop = () => {
        const stopped = new Promise<void>((done) => server.close(() => done()));
        // The service keeps connections open between messages: a stopping proxy cuts them.
        for (const socket of sockets) socket.destroy();
        return stopped;
      };
      resolve(proxy);
    });
  });
}
