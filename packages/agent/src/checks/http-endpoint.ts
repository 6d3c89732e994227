/**
 * `http`: one GET or HEAD through the shared keep-alive pool. The verdict, worst first: a status
 * outside `expectStatus` (default any 2xx/3xx), a body that does not match `bodyMatch`, then the
 * latency thresholds. Latency runs until the body is read (up to 1 MiB: a larger or endless body
 * is cut off there, never buffered whole). Summaries show origin and path only, since a query
 * string or userinfo may hold a secret.
 */
import http from 'node:http';
import https from 'node:https';
import type { CheckConfig } from '../config/checks-schema.js';
import {
  type Check,
  type CheckContext,
  type CheckOutcome,
  type CheckStatus,
  clip,
  crossedThreshold,
  gradeAtLeast,
} from './check-result.js';

type HttpConfig = Extract<CheckConfig, { type: 'http' }>;

export const MAX_BODY_BYTES = 1024 * 1024;

interface Response {
  statusCode: number;
  body: string;
}

function fetchBounded(
  url: URL,
  options: http.RequestOptions,
  keepBody: boolean,
  signal: AbortSignal,
): Promise<Response> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.request(url, { ...options, signal }, (res) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      const done = (truncated: boolean) => {
        const body = keepBody ? Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8') : '';
        resolve({ statusCode: res.statusCode ?? 0, body });
        // A body cut short leaves the connection mid-response: it cannot go back to the pool.
        if (truncated) res.destroy();
      };
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keepBody) chunks.push(chunk);
        if (bytes >= MAX_BODY_BYTES) done(true);
      });
      res.once('end', () => done(false));
      res.once('error', reject);
      // After 'end' or done() this is a no-op; before them it means the peer hung up mid-body.
      res.once('close', () => reject(new Error('connection closed mid-response')));
    });
    req.once('error', reject);
    req.end();
  });
}

function statusAccepted(code: number, expect: readonly number[] | undefined): boolean {
  return expect ? expect.includes(code) : code >= 200 && code < 400;
}

export function createHttpEndpointCheck(
  config: HttpConfig,
  context: Pick<CheckContext, 'clock' | 'httpPool'>,
): Check {
  const url = new URL(config.url);
  const shown = `${config.method} ${url.origin}${url.pathname}`;
  const pattern = config.bodyMatch === undefined ? undefined : new RegExp(config.bodyMatch);
  const expected = config.expectStatus?.join(', ') ?? '2xx/3xx';

  return {
    config,
    async run(signal): Promise<CheckOutcome> {
      const { clock, httpPool } = context;
      const started = clock.now();
      const agent = url.protocol === 'https:' ? httpPool.https : httpPool.http;
      let response: Response;
      try {
        response = await fetchBounded(
          url,
          { method: config.method, agent, headers: { 'user-agent': 'vigil-agent' } },
          pattern !== undefined,
          signal,
        );
      } catch (error) {
        const ms = Math.round(clock.now() - started);
        const why = signal.aborted
          ? `no response after ${ms} ms`
          : ((error as NodeJS.ErrnoException).code ?? (error as Error).message);
        return { status: 'critical', summary: clip(`${shown} ${why}`) };
      }
      const ms = Math.round(clock.now() - started);
      const measured = { value: ms, unit: 'ms' };
      const head = `${shown} ${response.statusCode} in ${ms} ms`;
      if (!statusAccepted(response.statusCode, config.expectStatus)) {
        return { status: 'critical', summary: clip(`${head} (expected ${expected})`), ...measured };
      }
      if (pattern && !pattern.test(response.body)) {
        const why = config.method === 'HEAD' ? ' (HEAD has no body)' : '';
        return {
          status: 'critical',
          summary: clip(`${head}, body does not match /${config.bodyMatch}/${why}`),
          ...measured,
        };
      }
      const status: CheckStatus = gradeAtLeast(ms, config.warnLatencyMs, config.criticalLatencyMs);
      const crossed = crossedThreshold(
        status,
        `${config.warnLatencyMs} ms`,
        `${config.criticalLatencyMs} ms`,
      );
      return { status, summary: clip(`${head}${crossed}`), ...measured };
    },
  };
}
