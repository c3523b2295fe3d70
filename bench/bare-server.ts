// The ceiling netguard is measured against: a bare node:https server that reads the body, parses
// it and answers `allowed: true` for its uid. Same certificate, same payloads, same machine.
// Usage: node --import tsx bench/bare-server.ts CERT KEY PORT
import { readFileSync } from 'node:fs';
import { createServer } from 'node:https';

const [cert, key, port] = process.argv.slice(2);
if (!cert || !key || !port) {
  console.error('usage: bare-server.ts CERT KEY PORT');
  process.exit(2);
}

const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const review = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { apiVersion: string; request: { uid: string } };
    const body = JSON.stringify({ apiVersion: review.apiVersion, kind: 'AdmissionReview', response: { uid: review.request.uid, allowed: true } });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(port), '127.0.0.1', () => console.log(`listening on ${port}`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
