/**
 * @vigil/shared/history: the incident history — reading the history file, folding its events into
 * incidents, checking the incidents a watchdog answers with. For `vigil history` and `vigil logs
 * --incident`, which need this and not the whole package (its logger, retry and HTTP).
 */

export { checkIncidents } from '../status/check-incidents.js';
export { foldIncidents } from './fold-incidents.js';
export { parseIncidentEvent, type ReadHistoryResult, readHistory } from './read-history.js';
