// Following the log's head (`GET /v1/subscribe/head`, Server-Sent Events) so that figures update
// without a reload. EventSource cannot send the Authorization header, so the feed is read with
// `fetch` and a stream reader; the token never goes into a URL. A dropped connection is tried again
// after a growing pause.

import { session } from './api.js';

const RETRY_MS_MIN = 1_000;
const RETRY_MS_MAX = 30_000;

/**
 * Calls `changed(position)` each time the head moves past the one seen first, until the answer's
 * `stop()` is called.
 */
export function followHead(changed) {
  const abort = new AbortController();
  let seen = null;
  let retryMs = RETRY_MS_MIN;

  async function read() {
    const response = await fetch('/v1/subscribe/head', {
      headers: { Accept: 'text/event-stream', Authorization: `Bearer ${session.token()}` },
      cache: 'no-store',
      credentials: 'omit',
      signal: abort.signal,
    });
    if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      retryMs = RETRY_MS_MIN;
      buffer += value;
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block.split('\n').find((line) => line.startsWith('data: '));
        if (!block.split('\n').includes('event: head') || !data) continue;
        const position = JSON.parse(data.slice(6)).position;
        if (seen !== null && position > seen) changed(position);
        if (seen === null || position > seen) seen = position;
      }
    }
  }

  (async () => {
    while (!abort.signal.aborted) {
      try {
        await read();
      } catch {
        // Reconnected below, unless stopped.
      }
      if (abort.signal.aborted) return;
      await new Promise((resolve) => setTimeout(resolve, retryMs));
      retryMs = Math.min(retryMs * 2, RETRY_MS_MAX);
    }
  })();
  return { stop: () => abort.abort() };
}
