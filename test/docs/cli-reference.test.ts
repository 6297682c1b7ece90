/**
 * Keeps the CLI reference true: every command the program registers, and every long flag of it, must be named in
 * `docs/cli/<top-level group>.md`. The command tree comes from `buildProgram()`, so a new command or flag without
 * its docs fails here, naming the command, the flag and the file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/program.js';

const DOCS = fileURLToPath(new URL('../../docs/cli/', import.meta.url));

interface CommandEntry {
  path: string;
  flags: string[];
}

/** The command and its subcommands, depth first, each with the long flags it shows in --help. */
function walk(command: Command, prefix: string): CommandEntry[] {
  const path = `${prefix} ${command.name()}`;
  const flags = command.options.filter((o) => !o.hidden && o.long !== undefined).map((o) => o.long ?? '');
  return [{ path, flags }, ...command.commands.flatMap((sub) => walk(sub, path))];
}

/** A flag counts as mentioned only as a whole word: `--repo` is not mentioned by `--repo-password`. */
function mentionsFlag(doc: string, flag: string): boolean {
  const escaped = flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`${escaped}(?![\\w-])`).test(doc);
}

function mentionsCommand(doc: string, path: string): boolean {
  const escaped = path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
  return new RegExp(`${escaped}(?![\\w-])`).test(doc);
}

function gapsOf(group: Command): string[] {
  const file = `docs/cli/${group.name()}.md`;
  const absolute = `${DOCS}${group.name()}.md`;
  const entries = walk(group, 'ferry');
  if (!existsSync(absolute)) return [`${file} is missing (it must document ${entries.map((e) => e.path).join(', ')})`];
  const doc = readFileSync(absolute, 'utf8');
  return entries.flatMap(({ path, flags }) => [
    ...(mentionsCommand(doc, path) ? [] : [`${file} does not mention the command \`${path}\``]),
    ...flags.filter((flag) => !mentionsFlag(doc, flag)).map((flag) => `${file} does not mention ${flag} of \`${path}\``),
  ]);
}

describe('docs/cli/*.md against the CLI', () => {
  const program = buildProgram();
  const groups = program.commands;

  it('finds the command groups to check', () => {
    assert.ok(groups.length > 0, 'buildProgram() registered no commands');
    assert.ok(groups.every((group) => group.name() !== ''), 'a command group has no name');
  });

  it('finds the flags of a command it knows has one', () => {
    const validate = walk(program, '').find((entry) => entry.path.trim() === 'ferry config validate');
    assert.ok(validate, 'ferry config validate is not registered');
    assert.ok(validate.flags.includes('--output'), `flags found: ${validate.flags.join(' ')}`);
  });

  for (const group of groups) {
    it(`docs/cli/${group.name()}.md documents every command and long flag of ferry ${group.name()}`, () => {
      const gaps = gapsOf(group);
      assert.deepEqual(gaps, [], `\n${gaps.join('\n')}`);
    });
  }

  it('a flag is matched as a whole word', () => {
    assert.equal(mentionsFlag('use --repo-password', '--repo'), false);
    assert.equal(mentionsFlag('use `--repo <url>`', '--repo'), true);
  });
});
