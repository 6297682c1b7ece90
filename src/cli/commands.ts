/** Every top-level command group of the CLI; each module adds its commands to the program. */
import type { Command } from 'commander';
import { registerRepo } from './repo.js';
import { registerConfig } from './config.js';
import { registerAffinity } from './affinity.js';
import { registerLocal } from './local.js';
import { registerNodeAgent } from './nodeagent.js';
import { registerDataMover } from './datamover.js';
import { registerInstall } from './install.js';
import { registerBackup } from './backup.js';

export type RegisterCommand = (program: Command) => void;

export const commands: RegisterCommand[] = [registerRepo, registerConfig, registerAffinity, registerLocal, registerNodeAgent, registerDataMover, registerInstall, registerBackup];
