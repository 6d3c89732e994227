/**
 * The polkit rule that lets the unprivileged watchdog drive the agent's unit. systemd asks
 * polkit (action org.freedesktop.systemd1.manage-units, with the unit and the verb as details)
 * before it starts, stops, restarts or signals a unit for a non-root caller; this rule answers
 * yes for the service user, for vigil-agent.service only, for the verbs the launcher uses.
 * polkitd (Debian: package polkitd) reads /etc/polkit-1/rules.d and reloads it on change.
 * The rule is ES5 (polkit's JavaScript engine is duktape): no const, no arrows.
 */
import { AGENT_UNIT } from './units.js';

export const POLKIT_RULE_FILE = '/etc/polkit-1/rules.d/50-vigil.rules';

export const POLKIT_VERBS = ['start', 'stop', 'restart', 'kill', 'reset-failed'] as const;

export function polkitRule(user: string): string {
  return `// Written by \`vigil install\`; \`vigil uninstall\` removes it.
// Lets the vigil watchdog (user ${JSON.stringify(user)}) start, stop, restart and signal
// ${AGENT_UNIT} (hard recovery), and no other unit.
polkit.addRule(function (action, subject) {
  if (action.id !== "org.freedesktop.systemd1.manage-units") return polkit.Result.NOT_HANDLED;
  if (subject.user !== ${JSON.stringify(user)}) return polkit.Result.NOT_HANDLED;
  if (action.lookup("unit") !== ${JSON.stringify(AGENT_UNIT)}) return polkit.Result.NOT_HANDLED;
  var verbs = ${JSON.stringify(POLKIT_VERBS)};
  return verbs.indexOf(action.lookup("verb")) >= 0 ? polkit.Result.YES : polkit.Result.NOT_HANDLED;
});
`;
}
