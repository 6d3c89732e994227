/**
 * The line the watchdog appends to agent.log before each start of the agent. What the agent
 * prints on stderr (a crash's stack trace) reaches agent.log without a time; a crash-looping
 * agent may print nothing else. This line gives `vigil logs` a time for the output after it;
 * readers take its time and do not show it (the watchdog's own log says "agent started").
 */
export const START_MARK = 'agent-start';

export function startMarkLine(now = Date.now()): string {
  const mark = {
    level: 30,
    time: now,
    component: 'watchdog',
    msg: 'agent output follows',
    vigilMark: START_MARK,
  };
  return `${JSON.stringify(mark)}\n`;
}

export function isStartMark(json: Record<string, unknown> | null): boolean {
  return json?.vigilMark === START_MARK;
}
