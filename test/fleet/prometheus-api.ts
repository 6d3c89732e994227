/** The few Prometheus and Alertmanager HTTP API calls the fleet run makes. */

export interface Series {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

interface ApiAnswer<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
}

async function get<T>(url: string): Promise<ApiAnswer<T>> {
  return (await (await fetch(url)).json()) as ApiAnswer<T>;
}

function resultOf<T>(answer: ApiAnswer<T>, what: string): T {
  if (answer.status !== 'success' || answer.data === undefined) {
    throw new Error(`${what}: ${answer.errorType ?? 'error'}: ${answer.error ?? 'no data'}`);
  }
  return answer.data;
}

export class PrometheusApi {
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
  }

  async query(expr: string): Promise<Series[]> {
    const answer = await get<{ result: Series[] }>(
      `${this.#url}/api/v1/query?query=${encodeURIComponent(expr)}`,
    );
    return resultOf(answer, expr).result;
  }

  /** Range query; throws with Prometheus's own message when the expression does not parse. */
  async queryRange(expr: string, startS: number, endS: number, stepS: number): Promise<Series[]> {
    const answer = await get<{ result: Series[] }>(
      `${this.#url}/api/v1/query_range?query=${encodeURIComponent(expr)}&start=${startS}&end=${endS}&step=${stepS}`,
    );
    return resultOf(answer, expr).result;
  }

  async labelValues(label: string, match: string, startS: number, endS: number): Promise<string[]> {
    const answer = await get<string[]>(
      `${this.#url}/api/v1/label/${label}/values?match[]=${encodeURIComponent(match)}&start=${startS}&end=${endS}`,
    );
    return resultOf(answer, match);
  }

  async activeTargets(): Promise<{ labels: Record<string, string>; health: string; lastError: string }[]> {
    const answer = await get<{
      activeTargets: { labels: Record<string, string>; health: string; lastError: string }[];
    }>(`${this.#url}/api/v1/targets?state=active`);
    return resultOf(answer, 'targets').activeTargets;
  }
}

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: 'active' | 'suppressed' | 'unprocessed'; inhibitedBy: string[]; silencedBy: string[] };
}

/** Alerts Alertmanager holds now, matching `filters` such as `alertname="X"`. */
export async function alertmanagerAlerts(url: string, ...filters: string[]): Promise<AlertmanagerAlert[]> {
  const query = filters.map((f) => `filter=${encodeURIComponent(f)}`).join('&');
  return (await (await fetch(`${url}/api/v2/alerts?${query}`)).json()) as AlertmanagerAlert[];
}
