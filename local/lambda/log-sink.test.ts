import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLineSink, routeConsoleTo, type LineStream } from './log-sink.js';

/** A stream that records chunks; `full` makes write() push back until `drain()`. */
class FakeStream extends EventEmitter implements LineStream {
  readonly chunks: string[] = [];
  full = false;
  private pending: (() => void)[] = [];

  write(chunk: string, callback: (error?: Error | null) => void): boolean {
    this.chunks.push(chunk);
    if (this.full) {
      this.pending.push(() => callback());
      return false;
    }
    setImmediate(() => callback());
    return true;
  }

  drain(): void {
    this.full = false;
    for (const done of this.pending.splice(0)) done();
    this.emit('drain');
  }
}

describe('createLineSink', () => {
  it('writes nothing during the caller’s turn, then the turn’s lines as one chunk, in order', async () => {
    const stream = new FakeStream();
    const sink = createLineSink(stream);

    sink.write('one');
    sink.write('two');
    const duringTurn = [...stream.chunks];
    await sink.flush();

    expect(duringTurn).toEqual([]);
    expect(stream.chunks).toEqual(['one\ntwo\n']);
    await sink.close();
  });

  it('waits for drain when the stream pushes back, and flush waits for the last line', async () => {
    const stream = new FakeStream();
    const sink = createLineSink(stream);
    stream.full = true;
    sink.write('first');
    await new Promise((resolve) => setImmediate(resolve));
    sink.write('second');
    let flushed = false;
    const flushing = sink.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));

    expect(stream.chunks).toEqual(['first\n']);
    expect(flushed).toBe(false);

    stream.drain();
    await flushing;

    expect(stream.chunks).toEqual(['first\n', 'second\n']);
    await sink.close();
  });

  it('splits a large backlog into bounded chunks without losing a line', async () => {
    const stream = new FakeStream();
    const sink = createLineSink(stream, { maxChunkChars: 10 });
    const lines = Array.from({ length: 7 }, (_, i) => `line${i}`);

    for (const line of lines) sink.write(line);
    await sink.close();

    expect(stream.chunks.length).toBeGreaterThan(1);
    expect(stream.chunks.join('')).toBe(`${lines.join('\n')}\n`);
  });

  it('resolves flush at once when nothing is queued', async () => {
    const sink = createLineSink(new FakeStream());

    await expect(sink.flush()).resolves.toBeUndefined();
    await sink.close();
  });
});

describe('routeConsoleTo', () => {
  it('formats console calls like Node and sends errors to the error sink, until restored', async () => {
    const out = new FakeStream();
    const err = new FakeStream();
    const outSink = createLineSink(out);
    const errSink = createLineSink(err);
    const original = console.log;

    const restore = routeConsoleTo(outSink, errSink);
    console.log('order %s is %d minutes out', 'o-1', 12);
    console.error({ level: 'error' });
    restore();
    await Promise.all([outSink.close(), errSink.close()]);

    expect(out.chunks).toEqual(['order o-1 is 12 minutes out\n']);
    expect(err.chunks).toEqual(["{ level: 'error' }\n"]);
    expect(console.log).toBe(original);
  });
});
