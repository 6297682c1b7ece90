/**
 * Every top-level command group of the CLI, in the order `ferry --help` lists them: the order a newcomer meets
 * them (the demo that runs the whole story, then its parts: a cluster, the config, where pods would run, install,
 * back up, restore), then the repository, then the commands that pods run.
 */
import type { Command } from 'commander';
import { registerAffinity } from './affinity.js';
import { registerBackup } from './backup.js';
import { registerConfig } from './config.js';
import { registerDataMover } from './datamover.js';
import { registerDemo } from './demo.js';
import { registerInstall } from './install.js';
import { registerLocal } from './local.js';
import { registerNodeAgent } from './nodeagent.js';
import { registerRepo } from './repo.js';
import { registerRestore } from './restore.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [
  registerDemo,
  registerLocal,
  registerConfig,
  registerAffinity,
  registerInstall,
  registerBackup,
  registerRestore,
  registerRepo,
  registerNodeAgent,
  registerDataMover,
];
