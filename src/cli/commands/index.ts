/**
 * The command registry: every `cz` command, one file each. A command is added here and nowhere else.
 *
 * @module
 */
import type { CommandModule } from 'yargs';
import type { CommandContext } from '../context.ts';
import { alertsCommand } from './alerts.ts';
import { connectorsCommand } from './connectors.ts';
import { dashboardsCommand } from './dashboards.ts';
import { hubCommand } from './hub.ts';
import { incidentsCommand } from './incidents.ts';
import { keysCommand } from './keys.ts';
import { lacrimosaCommand } from './lacrimosa.ts';
import { pipelinesCommand } from './pipelines.ts';
import { queryCommand } from './query.ts';
import { sendCommand } from './send.ts';
import { startCommand } from './start.ts';
import { statusCommand } from './status.ts';
import { tailCommand } from './tail.ts';
import { tracesCommand } from './traces.ts';
import { verifyCommand } from './verify.ts';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- yargs types each command's args separately
export function buildCommands(context: CommandContext): CommandModule<object, any>[] {
  return [
    lacrimosaCommand(context),
    startCommand(context),
    hubCommand(context),
    keysCommand(context),
    connectorsCommand(context),
    statusCommand(context),
    sendCommand(context),
    tailCommand(context),
    queryCommand(context),
    tracesCommand(context),
    alertsCommand(context),
    incidentsCommand(context),
    pipelinesCommand(context),
    dashboardsCommand(context),
    verifyCommand(context),
  ];
}
