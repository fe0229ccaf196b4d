// Reads a request's body into memory, never more than a limit: a body that declares or sends more
// is answered 413 and its connection closed, so the rest of it is never read.
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The body, or undefined when it was refused (413 sent) or the client went away before its end.
 * Content-Length is believed when it says too much; what arrives is counted either way, since a
 * chunked body declares nothing and a client may send more than it declared.
 */
export function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    refuseTooLarge(res);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (body: Buffer | undefined) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(body);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        refuseTooLarge(res);
        done(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => done(Buffer.concat(chunks, size));
    // 'close' before 'end': the client went away mid-body; there is nobody to answer.
    const onClose = () => done(undefined);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
    // An aborted request errors; 'close' follows and settles the read.
    req.once('error', () => undefined);
  });
}

/** 413 with `Connection: close`: Node closes the socket once the answer is out, leaving the rest unread. */
function refuseTooLarge(res: ServerResponse): void {
  res.writeHead(413, { connection: 'close', 'content-type': 'text/plain' }).end('request body too large');
}
