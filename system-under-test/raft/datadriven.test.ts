// Runs every testdata/*.txt transcript of the Raft core (see datadriven/harness.ts).
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';
import { runTranscripts } from '../datadriven/transcript.ts';
import { commands } from './datadriven/commands.ts';
import { newScene } from './datadriven/harness.ts';

describe('raft transcripts (testdata/*.txt)', () => {
  runTranscripts(fileURLToPath(new URL('./testdata/', import.meta.url)), newScene, commands);
});
